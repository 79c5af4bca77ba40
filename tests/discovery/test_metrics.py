"""The evaluation metrics against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from discovery.recommendations import metrics


def test_ndcg_of_hits_at_positions_one_and_three_of_two_relevant_items():
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal (two hits first) = 1 + 1/log2(3).
    assert metrics.ndcg_at_k([7, 8, 9, 10], {7, 9}, 10) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert metrics.ndcg_at_k([7, 9, 1], {7, 9}, 10) == pytest.approx(1.0)
    assert metrics.ndcg_at_k([1, 2, 3], {7}, 10) == 0.0
    # A hit past k does not count.
    assert metrics.ndcg_at_k([1, 2, 7], {7}, 2) == 0.0


def test_recall_is_hits_over_relevant_items_not_over_k():
    assert metrics.recall_at_k([1, 2, 3, 4], {2, 4, 9, 10}, 20) == 0.5
    assert metrics.recall_at_k([1, 2, 3, 4], {2, 4, 9, 10}, 2) == 0.25


def test_average_precision_sums_precision_at_each_hit():
    # Hits at 1 and 3: (1/1 + 2/3) / min(10, 3 relevant).
    assert metrics.average_precision_at_k([5, 6, 7, 8], {5, 7, 42}, 10) == pytest.approx((1 + 2 / 3) / 3)
    # Only one relevant item, found at 2: 1/2.
    assert metrics.average_precision_at_k([1, 5], {5}, 10) == 0.5


def test_coverage_and_means_over_listeners_with_held_out_items():
    recommendations = {"a": [1, 2], "b": [2, 3], "c": [4]}
    held_out = {"a": {1}, "b": {9}, "c": set()}  # c has nothing held out: not in the means
    result = metrics.evaluate(recommendations, held_out, catalog_size=10)
    assert result["ndcg_at_10"] == pytest.approx(0.5)
    assert result["recall_at_20"] == pytest.approx(0.5)
    assert result["map_at_10"] == pytest.approx(0.5)
    assert result["coverage"] == pytest.approx(3 / 10)  # items 1, 2, 3 (c is left out)
