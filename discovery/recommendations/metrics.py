"""Ranking metrics for offline evaluation, written out so what they mean is not a library's choice.

For one listener: `ranked` is the recommended item ids, best first; `relevant` is the set of held-out items.
- NDCG@k: DCG of the top k (gain 1 per relevant item at position i, discount 1/log2(i + 1), i from 1) over the
  DCG of a perfect top k (min(k, |relevant|) hits first).
- recall@k: relevant items in the top k over |relevant| (what `implicit`'s old "precision@k" computed).
- MAP@k: mean over listeners of AP@k = sum of precision@i at each hit i ≤ k, over min(k, |relevant|).
- coverage: distinct items recommended to anyone (in the top k) over the catalog's size.
Listeners with nothing held out are left out of the means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def dcg_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg_at_k(ranked, relevant, k) / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def average_precision_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / min(k, len(relevant)) if relevant else 0.0


def coverage(recommendations: Iterable[Sequence[int]], catalog_size: int, k: int) -> float:
    seen: set[int] = set()
    for ranked in recommendations:
        seen.update(ranked[:k])
    return len(seen) / catalog_size if catalog_size else 0.0


def evaluate(recommendations: dict[object, Sequence[int]], held_out: dict[object, set[int]], catalog_size: int
             ) -> dict[str, float]:
    """NDCG@10, recall@20, MAP@10 (means over listeners with held-out items) and coverage@20."""
    users = [u for u, relevant in held_out.items() if relevant]
    if not users:
        return {"ndcg_at_10": 0.0, "recall_at_20": 0.0, "map_at_10": 0.0, "coverage": 0.0}
    ranked = {u: list(recommendations.get(u, ())) for u in users}
    n = len(users)
    return {
        "ndcg_at_10": sum(ndcg_at_k(ranked[u], held_out[u], 10) for u in users) / n,
        "recall_at_20": sum(recall_at_k(ranked[u], held_out[u], 20) for u in users) / n,
        "map_at_10": sum(average_precision_at_k(ranked[u], held_out[u], 10) for u in users) / n,
        "coverage": coverage(ranked.values(), catalog_size, 20),
    }
