"""End to end on anvil: revenue and usage in, a period closed and published, a payee claims."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from content.storage import get_content_addressed
from ledger.merkle import StandardMerkleTree
from ledger.royalties import journal
from ledger.royalties.audit import verify_period
from ledger.royalties.claims import claimable, journal_claims
from ledger.royalties.close import close_period
from ledger.royalties.errors import ChainNotCaughtUp, PeriodNotOver, PeriodOutOfOrder
from ledger.royalties.models import JournalEntry, PayeeEntitlement, RoyaltyPeriod, StoredStatement
from ledger.royalties.periods import record_revenue
from ledger.royalties.publish import publish_period
from ledger.usage.reports import submit_report
from tests.ledger.test_merkle import run_js
from tests.royalties.conftest import LATER, A, B, C, period_bounds


def _revenue(world, period_id, amount, reference, source="subscriptions", asset_id=None):
    with world.sessions.begin() as session:
        record_revenue(session, period_id, source=source, amount=amount, currency="USD", reference=reference,
                       asset_id=asset_id, chain_id=31337, payout_currency="USD", unit_factor=world.ctx.unit_factor)


def test_usage_to_published_payout(world):
    one = world.register("USHRM2600001", [(A, 600_000), (B, 400_000)])
    two = world.register("USHRM2600002", [(B, 500_000), (C, 500_000)])
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    world.plays(one, 3, starts + timedelta(minutes=5))
    world.plays(two, 1, starts + timedelta(minutes=6))
    world.plays(two, 5, starts + timedelta(minutes=7), counted=False)  # flagged plays earn nothing
    _revenue(world, period, 10_000, "subs-1")  # $100.00 of subscriptions
    with pytest.raises(PeriodNotOver):
        close_period(world.ctx, period, now=starts)
    with pytest.raises(ChainNotCaughtUp):
        close_period(world.ctx, period, now=LATER)  # no block after the end yet
    world.mine_past(ends)
    world.index()

    stored = close_period(world.ctx, period, now=LATER)
    unit = world.ctx.unit_factor
    assert unit == 10**4
    # $100 = 1e8 token units; 3:1 by plays -> 75e6 / 25e6; a 30% fee -> 52.5e6 / 17.5e6.
    document = json.loads(get_content_addressed(world.ctx.store, "statements", stored.statement_uri, ".json"))
    assert [(a["asset_id"], a["plays"], a["net"]) for a in document["assets"]] == [
        (one, 3, "52500000"), (two, 1, "17500000")]
    expected = {A: 31_500_000, B: 21_000_000 + 8_750_000, C: 8_750_000}
    with world.sessions() as session:
        rows = session.execute(select(PayeeEntitlement.account, PayeeEntitlement.amount)
                               .where(PayeeEntitlement.period_id == period)).all()
        assert {account: int(amount) for account, amount in rows} == expected
        balances = journal.balances(session, period)
    assert balances[journal.Account.rights_holders_payable] == -70_000_000
    assert balances[journal.Account.platform_fee] == -30_000_000
    assert sum(balances.values()) == 0

    assert close_period(world.ctx, period, now=LATER).root == stored.root  # closing again changes nothing

    published = publish_period(world.ctx, period)
    distributor = world.ctx.distributor
    assert "0x" + distributor.functions.currentRoot().call().hex() == stored.root
    assert distributor.functions.currentPeriodId().call() == period
    assert world.ctx.token.functions.balanceOf(distributor.address).call() == 70_000_000
    assert publish_period(world.ctx, period).published_tx == published.published_tx
    with world.sessions() as session:
        assert journal.balances(session, period)[journal.Account.funded_on_chain] == -70_000_000
        assert session.get(RoyaltyPeriod, period).status == "published"
        assert session.scalar(select(func.count()).select_from(JournalEntry)
                              .where(JournalEntry.kind == "funding")) == 1

    dump = json.loads(get_content_addressed(world.ctx.store, "statements", stored.tree_uri, ".json"))
    tree = StandardMerkleTree.load(dump)
    assert tree.root == stored.root and len(tree) == 3
    # The stored tree is the JS library's own format: it loads it, re-hashes it and verifies every proof.
    values = [value for _, value in tree.entries()]
    checked = run_js(["address", "uint256"], values, dump)
    assert checked["oursRoot"] == stored.root and checked["oursVerify"] is True


def test_periods_settle_in_order_and_the_second_builds_on_the_first(world):
    one = world.register("USHRM2600003", [(A, 1_000_000)])
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    first = world.open(starts, ends)
    second = world.open(None, ends + timedelta(seconds=2))
    world.plays(one, 1, starts + timedelta(minutes=1))
    world.plays(one, 1, ends + timedelta(seconds=1))
    _revenue(world, first, 100, "subs-a")
    _revenue(world, second, 300, "subs-b")
    world.mine_past(ends + timedelta(seconds=2))
    world.index()
    with pytest.raises(PeriodOutOfOrder):
        close_period(world.ctx, second, now=LATER)
    close_period(world.ctx, first, now=LATER)
    close_period(world.ctx, second, now=LATER)
    with pytest.raises(PeriodOutOfOrder):
        publish_period(world.ctx, second)
    publish_period(world.ctx, first)
    publish_period(world.ctx, second)
    with world.sessions() as session:
        leaves = dict(session.execute(select(PayeeEntitlement.period_id, PayeeEntitlement.cumulative_amount)
                                      .where(PayeeEntitlement.account == A)).all())
    # $1 and $3 of subscriptions, 30% fee: 0.7e6 then 2.1e6 more.
    assert {k: int(v) for k, v in leaves.items()} == {first: 700_000, second: 2_800_000}
    assert world.ctx.distributor.functions.cumulativeTotal().call() == 2_800_000
    report = verify_period(world.ctx, second)
    assert report.passed and "previous root" in {c.name for c in report.checks}, report.as_text()


def _closed_and_published(world):
    one = world.register("USHRM2600011", [(A, 600_000), (B, 400_000)])
    two = world.register("USHRM2600012", [(B, 500_000), (C, 500_000)])
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    world.plays(one, 2, starts + timedelta(minutes=5))
    world.plays(two, 1, starts + timedelta(minutes=6))
    _revenue(world, period, 999, "subs-1")
    world.index()
    _revenue(world, period, 101, "sale-1", source="direct_sales", asset_id=two)
    world.mine_past(ends)
    world.update_split(two, [(C, 1_000_000)])  # after the period's end: not in force for it
    world.index()
    close_period(world.ctx, period, now=LATER)
    publish_period(world.ctx, period)
    world.index()
    return period, two


def test_a_claim_is_paid_journaled_and_the_audit_passes(world):
    period, two = _closed_and_published(world)
    with world.sessions() as session:
        [leaf] = claimable(session, 31337, world.ctx.distributor.address, [B])
    assert leaf.claimed == 0 and leaf.claimable == leaf.cumulative_amount > 0
    world.work.send([world.work.tx(C, "PayoutDistributor", "claim",
                                   [B, leaf.cumulative_amount, [bytes.fromhex(p[2:]) for p in leaf.proof],
                                    bytes.fromhex(leaf.root[2:])])])
    assert world.ctx.token.functions.balanceOf(B).call() == leaf.cumulative_amount  # paid to B, whoever sent it
    world.index()
    with world.sessions.begin() as session:
        assert journal_claims(session, 31337) == 1
        assert journal_claims(session, 31337) == 0
        assert journal.balances(session)[journal.Account.claimed] == -leaf.cumulative_amount
        [after] = claimable(session, 31337, world.ctx.distributor.address, [B])
    assert after.claimable == 0

    report = verify_period(world.ctx, period)
    assert report.passed, report.as_text()
    assert {c.name for c in report.checks} >= {"statement recomputed", "root on chain", "claims within entitlements"}
    with world.sessions() as session:
        document = json.loads(get_content_addressed(world.ctx.store, "statements",
                                                    session.get(StoredStatement, period).statement_uri, ".json"))
    asset_two = next(a for a in document["assets"] if a["asset_id"] == two)
    assert asset_two["split"]["version"] == 1 and asset_two["sale_references"] == ["sale-1"]


def test_tampering_fails_the_audit(world):
    period, two = _closed_and_published(world)
    assert verify_period(world.ctx, period).passed

    with world.sessions.begin() as session:  # one usage row moved to another asset
        session.execute(text("update plays set asset_id = :two where id = (select min(id) from plays)"),
                        {"two": two})
    report = verify_period(world.ctx, period)
    assert not report.passed
    assert {c.name for c in report.discrepancies} >= {"statement recomputed", "merkle root", "root on chain"}
    with world.sessions.begin() as session:
        session.execute(text("update plays set asset_id = :one where id = (select min(id) from plays)"),
                        {"one": two - 1})
    assert verify_period(world.ctx, period).passed

    with world.sessions() as session:  # the published statement document, edited where it is stored
        uri = session.get(StoredStatement, period).statement_uri
    path = world.settings.objects_path / "statements" / f"{uri.removeprefix('ipfs://')}.json"
    original = path.read_bytes()
    path.write_bytes(original.replace(b'"allocated":"', b'"allocated":"1'))
    assert {c.name for c in verify_period(world.ctx, period).discrepancies} == {"statement document",
                                                                              "statement recomputed"}
    path.write_bytes(original)

    with world.sessions.begin() as session:  # the recorded root
        session.get(StoredStatement, period).root = "0x" + "ab" * 32
    assert "merkle root" in {c.name for c in verify_period(world.ctx, period).discrepancies}


def test_partner_reports_pay_their_own_assets_and_are_traceable_by_line(world):
    one = world.register("USHRM2600031", [(A, 600_000), (B, 400_000)])
    two = world.register("USHRM2600032", [(C, 1_000_000)])
    world.index()
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    csv_bytes = (b"isrc,territory,usage_count,net_revenue,currency\n"
                 b"USHRM2600031,US,10,2500,USD\nUSHRM2600032,DE,3,1,USD\nUSHRM2600031,FR,1,0,USD\n")
    with world.sessions.begin() as session:
        report, _ = submit_report(session, period_id=period, owner_id=world.listener, key_id=None, chain_id=31337,
                                  currency="USD", data=csv_bytes)
    world.mine_past(ends)
    world.index()
    stored = close_period(world.ctx, period, now=LATER)
    document = json.loads(get_content_addressed(world.ctx.store, "statements", stored.statement_uri, ".json"))
    lines = {a["asset_id"]: (a["partner_revenue"], a["partner_lines"], a["net"]) for a in document["assets"]}
    # 25.00 USD = 25e6 units, 30% fee -> 17.5e6; 0.01 USD = 1e4 units -> 7000.
    assert lines == {one: ("25000000", [[str(report.id), 2], [str(report.id), 4]], "17500000"),
                     two: ("10000", [[str(report.id), 3]], "7000")}
    with world.sessions() as session:
        earned = dict(session.execute(select(PayeeEntitlement.account, PayeeEntitlement.amount)).all())
        assert journal.balances(session, period)[journal.Account.revenue_partner] == 0  # recognized, then closed
    assert {k: int(v) for k, v in earned.items()} == {A: 10_500_000, B: 7_000_000, C: 7_000}
