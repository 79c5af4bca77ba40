"""The statement arithmetic: a hand-computed period, and properties over random periods."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import StandardMerkleTree
from ledger.royalties.close import LEAF_ENCODING, payout_tree
from ledger.royalties.statement import DirectSale, PartnerLine, SplitAtCut, StatementInputs, compute, pool_shares

A, B, C, D = ("0x" + c * 40 for c in "abcd")


def _split(recipients, allocations, version=1, block=10):
    return SplitAtCut(version, block, "0x" + "11" * 32, tuple(recipients), tuple(allocations))


def _hand_period(**overrides) -> StatementInputs:
    values = dict(
        period_id=3, fee_bps=1_000, subscription_pool=1_000, plays={1: 3, 2: 2, 3: 2},
        partner_lines=(PartnerLine("r1", 2, 3, 40, 101),), direct_sales=(DirectSale("sale-1", 1, 50),),
        splits={1: _split([A, B], [500_000, 500_000]),
                2: _split([B, C, A], [333_334, 333_333, 333_333]),
                3: _split([A, C], [700_000, 300_000], version=2, block=12)},
        frozen=frozenset(), previous_cumulative={A: 1_000, D: 7})
    values.update(overrides)
    return StatementInputs(**values)


def test_a_hand_computed_period():
    statement = compute(_hand_period())
    # Pool 1000 over plays 3:2:2 -> floors 428, 285, 285 (remainders 4, 5, 5); the two units left go to the
    # largest remainders, the tie between assets 2 and 3 in asset order: 428, 286, 286.
    assert [a.pool_share for a in statement.assets] == [428, 286, 286]
    # Gross 478 / 286 / 387; a 10% fee rounded down 47 / 28 / 38; net 431 / 258 / 349.
    assert [(a.gross, a.fee, a.net) for a in statement.assets] == [(478, 47, 431), (286, 28, 258), (387, 38, 349)]
    # Asset 1: B gets floor(431/2) = 215, A (first) the rest 216. Asset 2: C and A floor(258*.333333) = 85 each,
    # B (first) 88. Asset 3: C floor(349*.3) = 104, A 245.
    assert statement.assets[0].payouts == [(A, 500_000, 216), (B, 500_000, 215)]
    assert statement.assets[1].payouts == [(B, 333_334, 88), (C, 333_333, 85), (A, 333_333, 85)]
    assert statement.assets[2].payouts == [(A, 700_000, 245), (C, 300_000, 104)]
    assert statement.earned == {A: 546, B: 303, C: 189}
    assert statement.cumulative == {A: 1_546, B: 303, C: 189, D: 7}
    assert (statement.gross, statement.platform_fee, statement.allocated) == (1_151, 113, 1_038)
    assert statement.cumulative_total == 2_045
    assert statement.assets[2].partner_lines == [("r1", 2)] and statement.assets[0].sale_references == ["sale-1"]


def test_frozen_assets_and_assets_without_a_split_are_held():
    statement = compute(_hand_period(frozen=frozenset({2}), splits={1: _split([A, B], [500_000, 500_000])}))
    held = {a.asset_id: a.held for a in statement.assets}
    assert held == {1: None, 2: "frozen", 3: "no_split"}
    assert statement.held == 258 + 349
    assert statement.allocated + statement.held + statement.platform_fee == statement.gross


def test_a_pool_without_plays_is_unallocated():
    statement = compute(_hand_period(plays={}, partner_lines=(), direct_sales=()))
    assert statement.assets == [] and statement.unallocated == 1_000 and statement.allocated == 0
    assert statement.cumulative == {A: 1_000, D: 7}


def test_documents_are_canonical_and_trace_every_line():
    statement = compute(_hand_period())
    document = json.loads(statement.to_json())
    assert statement.to_json() == json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert document["totals"]["allocated"] == "1038"
    asset3 = document["assets"][2]
    assert asset3["split"] == {"version": 2, "block": 12, "tx": "0x" + "11" * 32}
    assert asset3["partner_lines"] == [["r1", 2]]
    rows = list(csv.DictReader(io.StringIO(statement.to_csv().decode())))
    assert sum(int(r["amount"]) for r in rows) == 1_038
    assert {(r["asset_id"], r["payee"], r["split_version"]) for r in rows} >= {("3", C, "2")}


addresses = st.sampled_from([A, B, C, D, "0x" + "e" * 40])


@st.composite
def splits(draw):
    recipients = draw(st.lists(addresses, min_size=1, max_size=4, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 1_000_000), min_size=len(recipients) - 1,
                                max_size=len(recipients) - 1)))
    allocations = [b - a for a, b in zip([0, *cuts], [*cuts, 1_000_000], strict=True)]
    return _split(recipients, allocations)


@st.composite
def periods(draw):
    assets = draw(st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True))
    return StatementInputs(
        period_id=2, fee_bps=draw(st.integers(0, 10_000)), subscription_pool=draw(st.integers(0, 10**12)),
        plays={a: draw(st.integers(0, 10**6)) for a in assets},
        partner_lines=tuple(PartnerLine("r", i + 2, draw(st.sampled_from(assets)), 1, draw(st.integers(0, 10**9)))
                            for i in range(draw(st.integers(0, 5)))),
        direct_sales=tuple(DirectSale(f"s{i}", draw(st.sampled_from(assets)), draw(st.integers(1, 10**9)))
                           for i in range(draw(st.integers(0, 3)))),
        splits={a: draw(splits()) for a in assets if draw(st.booleans()) or a % 2},
        frozen=frozenset(a for a in assets if draw(st.integers(0, 9)) == 0),
        previous_cumulative=draw(st.dictionaries(addresses, st.integers(0, 10**12), max_size=3)))


@settings(max_examples=300, deadline=None)
@given(periods())
def test_payouts_sum_exactly_to_the_allocatable_revenue(inputs):
    statement = compute(inputs)
    revenue_in = inputs.subscription_pool + sum(p.net_revenue for p in inputs.partner_lines) + sum(
        s.amount for s in inputs.direct_sales)
    assert statement.gross + statement.unallocated == revenue_in
    allocatable = statement.gross - statement.platform_fee - statement.held
    assert sum(amount for a in statement.assets for _, _, amount in a.payouts) == allocatable
    assert sum(statement.earned.values()) == allocatable
    assert statement.cumulative_total == sum(inputs.previous_cumulative.values()) + allocatable


@settings(max_examples=200, deadline=None)
@given(periods())
def test_cumulative_amounts_never_decrease(inputs):
    cumulative = compute(inputs).cumulative
    assert all(cumulative[account] >= amount for account, amount in inputs.previous_cumulative.items())


@settings(max_examples=100, deadline=None)
@given(periods())
def test_the_same_inputs_in_any_order_give_the_same_bytes(inputs):
    shuffled = StatementInputs(**{**inputs.__dict__, "plays": dict(reversed(list(inputs.plays.items()))),
                                  "partner_lines": tuple(reversed(inputs.partner_lines)),
                                  "direct_sales": tuple(reversed(inputs.direct_sales))})
    assert compute(inputs).to_json() == compute(shuffled).to_json()


@given(st.integers(0, 10**15), st.dictionaries(st.integers(1, 50), st.integers(1, 10**6), min_size=1))
def test_pool_shares_add_up_and_stay_within_one_unit_of_pro_rata(pool, plays):
    shares = pool_shares(pool, plays)
    total = sum(plays.values())
    assert sum(shares.values()) == pool
    assert all(abs(shares.get(a, 0) * total - pool * n) < total for a, n in plays.items())


@settings(max_examples=150, deadline=None)
@given(periods(), st.data())
def test_any_tampered_usage_row_changes_the_statement(inputs, data):
    """The audit compares the recomputed document with the stored one byte for byte: a changed input shows."""
    original = compute(inputs).to_json()
    if inputs.partner_lines and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(inputs.partner_lines) - 1))
        line = inputs.partner_lines[index]
        tampered_line = PartnerLine(line.report_id, line.line_no, line.asset_id, line.usage_count,
                                    line.net_revenue + data.draw(st.integers(1, 10**6)))
        lines = (*inputs.partner_lines[:index], tampered_line, *inputs.partner_lines[index + 1:])
        tampered = StatementInputs(**{**inputs.__dict__, "partner_lines": lines})
    else:
        asset = data.draw(st.sampled_from(sorted(inputs.plays)))
        plays = {**inputs.plays, asset: inputs.plays[asset] + data.draw(st.integers(1, 1_000))}
        tampered = StatementInputs(**{**inputs.__dict__, "plays": plays})
    assert compute(tampered).to_json() != original


@settings(max_examples=50, deadline=None)
@given(periods(), st.data())
def test_a_tampered_leaf_or_root_fails_the_proof(inputs, data):
    tree = payout_tree(compute(inputs).cumulative)
    if tree is None:
        return
    index, (account, amount) = data.draw(st.sampled_from(list(tree.entries())))
    proof = tree.proof(index)
    assert StandardMerkleTree.verify_proof(tree.root, LEAF_ENCODING, [account, amount], proof)
    assert not StandardMerkleTree.verify_proof(tree.root, LEAF_ENCODING, [account, amount + 1], proof)
    assert not StandardMerkleTree.verify_proof("0x" + "ab" * 32, LEAF_ENCODING, [account, amount], proof)
