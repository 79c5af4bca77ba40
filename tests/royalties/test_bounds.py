"""Amounts and dates that would block every later payout are refused (issue #12, item 4), and a failed publish
shows on the period."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ledger.royalties import exports, inputs, journal
from ledger.royalties.close import UINT256_MAX, check_closable, close_period
from ledger.royalties.errors import (
    InvalidPeriod,
    InvalidRevenue,
    NothingToPublish,
    PeriodNotOpen,
    PeriodTooLarge,
    RevenueNotFound,
)
from ledger.royalties.models import RevenueEntry, StoredStatement
from ledger.royalties.periods import MAX_ENTRY_UNITS, get_period, open_period, record_revenue, void_revenue
from ledger.royalties.publish import publish_showing_failure
from tests.royalties.conftest import LATER, period_bounds


def _record(world, period, amount, reference, **extra):
    with world.sessions.begin() as session:
        return record_revenue(session, period, source="subscriptions", amount=amount, currency="USD",
                              reference=reference, chain_id=31337, payout_currency="USD",
                              unit_factor=world.ctx.unit_factor, **extra)


def test_revenue_is_bounded_and_large_amounts_need_confirming(world):
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    with pytest.raises(InvalidRevenue, match="beyond what the payout token can carry") as info:
        _record(world, period, 10**73, "probe-1")  # the probe's: two of these overflowed uint256 at close
    assert info.value.extra["field"] == "amount"
    with pytest.raises(InvalidRevenue):
        _record(world, period, MAX_ENTRY_UNITS // world.ctx.unit_factor + 1, "just-over")
    with pytest.raises(InvalidRevenue, match="confirm_amount") as info:
        _record(world, period, 5_000, "big", confirm_above=1_000)
    assert info.value.extra["field"] == "confirm_amount"
    with pytest.raises(InvalidRevenue, match="confirm_amount"):
        _record(world, period, 5_000, "big", confirm_above=1_000, confirm_amount=50_000)  # not the same amount
    entry, created = _record(world, period, 5_000, "big", confirm_above=1_000, confirm_amount=5_000)
    assert created and int(entry.amount) == 5_000
    assert _record(world, period, 999, "small", confirm_above=1_000)[1]


def test_period_dates_are_bounded(world):
    now = datetime.now(UTC)
    with world.sessions.begin() as session, pytest.raises(InvalidPeriod, match="days from now") as info:
        open_period(session, datetime(3397, 1, 1, tzinfo=UTC), now - timedelta(days=1))
    assert info.value.extra["field"] == "ends_at"
    with world.sessions.begin() as session, pytest.raises(InvalidPeriod, match="years ago") as info:
        open_period(session, now, datetime(1900, 1, 1, tzinfo=UTC))
    assert info.value.extra["field"] == "starts_at"
    with world.sessions.begin() as session:
        assert open_period(session, now + timedelta(days=30), now - timedelta(days=1)).period_id == 1


def test_a_period_whose_total_cannot_fit_the_contract_is_refused_while_open(world):
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    # Rows as an older version let through (no bound then): the close refuses before it starts.
    half = UINT256_MAX // world.ctx.unit_factor // 2 + 1
    with world.sessions.begin() as session:
        for i in range(2):
            session.add(RevenueEntry(period_id=period, source="subscriptions", amount=half, currency="USD",
                                     reference=f"old-{i}"))
    with world.sessions() as session, pytest.raises(PeriodTooLarge):
        check_closable(session, get_period(session, period), LATER, timedelta(0), world.ctx.unit_factor)
    world.mine_past(ends)
    world.index()
    with pytest.raises(PeriodTooLarge):
        close_period(world.ctx, period, now=LATER)
    with world.sessions() as session:
        assert get_period(session, period).status == "open"  # still open: a wrong entry can be dealt with


def test_a_failed_publish_shows_on_the_period(world):
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    world.mine_past(ends)
    world.index()
    close_period(world.ctx, period, now=LATER)  # nobody earned anything: nothing to put on chain
    with pytest.raises(NothingToPublish):
        publish_showing_failure(world.ctx, period)
    with world.sessions() as session:
        closed = get_period(session, period)
    assert closed.status == "closed" and closed.publish_failed_at is not None
    assert closed.publish_error.startswith("nothing-to-publish: ") and "pays nobody" in closed.publish_error


def test_a_wrong_entry_is_voided_before_close_with_a_journaled_reversal(world):
    starts, ends = period_bounds(world.ctx.client.head().timestamp)
    period = world.open(starts, ends)
    wrong, _ = _record(world, period, 10_000_00, "subs-typo")  # dollars typed as cents
    right, _ = _record(world, period, 10_000, "subs-fixed")
    with world.sessions.begin() as session:
        voided = void_revenue(session, period, wrong.id, reason="amount in dollars", unit_factor=world.ctx.unit_factor)
        assert voided.voided_at is not None and voided.void_reason == "amount in dollars"
        again = void_revenue(session, period, wrong.id, reason="twice", unit_factor=world.ctx.unit_factor)
        assert again.void_reason == "amount in dollars"  # nothing changes
    with world.sessions() as session:
        assert inputs.revenue(session, period, world.ctx.unit_factor)[0] == 10_000 * world.ctx.unit_factor
        assert journal.balances(session, period)[journal.Account.cash] == 10_000 * world.ctx.unit_factor
        served = b"".join(exports.revenue(session, world.ctx, period)).decode()
    assert "subs-typo" in served and "amount in dollars" in served  # still on record for auditors
    with pytest.raises(InvalidRevenue, match="voided"):
        _record(world, period, 10_000_00, "subs-typo")
    with world.sessions.begin() as session, pytest.raises(RevenueNotFound):
        void_revenue(session, period, uuid.uuid4(), reason="x", unit_factor=1)
    world.mine_past(ends)
    world.index()
    close_period(world.ctx, period, now=LATER)
    with world.sessions() as session:
        assert int(session.get(StoredStatement, period).unallocated) == 10_000 * world.ctx.unit_factor  # no plays
    with world.sessions.begin() as session, pytest.raises(PeriodNotOpen):
        void_revenue(session, period, right.id, reason="too late", unit_factor=world.ctx.unit_factor)
