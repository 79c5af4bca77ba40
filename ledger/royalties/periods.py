"""Opening periods one after another, and recording the revenue they earned."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.models import Asset
from ledger.royalties import journal
from ledger.royalties.errors import InvalidPeriod, InvalidRevenue, PeriodNotFound, PeriodNotOpen, RevenueNotFound
from ledger.royalties.models import PeriodStatus, RevenueEntry, RevenueSource, RoyaltyPeriod

# One revenue entry adds at most this many token units: fewer than 2^128 entries can never sum past the
# PayoutDistributor's uint256 cumulative total.
MAX_ENTRY_UNITS = 2**128 - 1
EARLIEST_START_DAYS = 3650

_TALLY_EXISTING = text("""
    INSERT INTO period_play_tallies (period_id, chain_id, asset_id, plays)
    SELECT p.period_id, r.chain_id, r.asset_id, count(*)
    FROM royalty_periods p JOIN plays r ON r.played_at >= p.starts_at AND r.played_at < p.ends_at
    WHERE p.period_id = :period_id AND r.counted GROUP BY 1, 2, 3""")


def get_period(session: Session, period_id: int, *, lock: bool = False) -> RoyaltyPeriod:
    query = select(RoyaltyPeriod).where(RoyaltyPeriod.period_id == period_id)
    # FOR NO KEY UPDATE: a period's status changes, never its key, so plays tallied into it (whose foreign key
    # takes FOR KEY SHARE) need not wait for a close or a revenue entry.
    period = session.scalars(query.with_for_update(key_share=True) if lock else query).one_or_none()
    if period is None:
        raise PeriodNotFound(f"royalty period {period_id} does not exist", period_id=period_id)
    return period


def list_periods(session: Session) -> list[RoyaltyPeriod]:
    return list(session.scalars(select(RoyaltyPeriod).order_by(RoyaltyPeriod.period_id)))


def open_period(session: Session, ends_at: datetime, starts_at: datetime | None = None, *,
                max_days_ahead: int = 400, now: datetime | None = None) -> RoyaltyPeriod:
    """Open the next period; it starts where the latest ended (the first one needs `starts_at`).

    Dates are bounded: a period ending centuries ahead would never close, and periods settle in order, so it
    would block every later payout."""
    if ends_at.tzinfo is None or (starts_at is not None and starts_at.tzinfo is None):
        raise InvalidPeriod("period bounds need a time zone (e.g. 2026-12-01T00:00:00Z)", field="ends_at")
    now = now or datetime.now(UTC)
    if ends_at > now + timedelta(days=max_days_ahead):
        raise InvalidPeriod(f"a period may end at most {max_days_ahead} days from now", field="ends_at")
    if starts_at is not None and starts_at < now - timedelta(days=EARLIEST_START_DAYS):
        raise InvalidPeriod(f"a period may start at most {EARLIEST_START_DAYS // 365} years ago", field="starts_at")
    latest = session.scalars(select(RoyaltyPeriod).order_by(RoyaltyPeriod.period_id.desc())
                             .limit(1).with_for_update(key_share=True)).one_or_none()
    # Plays made before their period existed are tallied below. No play is written meanwhile (SHARE mode waits for
    # the transactions writing plays, then holds new ones until this one ends), so each play is counted once:
    # below, or by the tally trigger of a play written after this commits. Taken after the latest period's row, so
    # plays never wait on a close that holds that row; the count below scans the new window's plays (by index).
    session.execute(text("LOCK TABLE plays IN SHARE MODE"))
    if latest is not None:
        if starts_at is not None and starts_at != latest.ends_at:
            raise InvalidPeriod(f"periods are contiguous: the next one starts at {latest.ends_at.isoformat()}",
                                field="starts_at")
        starts_at = latest.ends_at
    elif starts_at is None:
        raise InvalidPeriod("the first period needs a start", field="starts_at")
    if ends_at <= starts_at:
        raise InvalidPeriod(f"the period must end after it starts ({starts_at.isoformat()})", field="ends_at")
    period = RoyaltyPeriod(period_id=(latest.period_id + 1) if latest else 1, starts_at=starts_at,
                           ends_at=ends_at, status=PeriodStatus.open.value)
    session.add(period)
    session.flush()
    session.execute(_TALLY_EXISTING, {"period_id": period.period_id})
    return period


def record_revenue(session: Session, period_id: int, *, source: str, amount: int, currency: str, reference: str,
                   asset_id: int | None = None, chain_id: int, payout_currency: str, unit_factor: int,
                   created_by: uuid.UUID | None = None, confirm_above: int | None = None,
                   confirm_amount: int | None = None) -> tuple[RevenueEntry, bool]:
    """Record revenue once per (period, reference) and journal it; the same call again returns the first entry.

    `amount` is in the currency's smallest unit; the journal, like statements, counts token units (`unit_factor`
    token units per currency unit).
    """
    period = get_period(session, period_id, lock=True)
    existing = session.scalars(select(RevenueEntry).where(RevenueEntry.period_id == period_id,
                                                          RevenueEntry.reference == reference)).one_or_none()
    if existing is not None:
        if existing.voided_at is not None:
            raise InvalidRevenue(f"reference {reference!r} was voided; record the corrected revenue under a new "
                                 "reference", field="reference")
        if (existing.source, int(existing.amount), existing.currency, existing.asset_id) != (
                source, amount, currency, asset_id):
            raise InvalidRevenue(f"reference {reference!r} was already recorded with other values",
                                 field="reference")
        return existing, False
    if period.status != PeriodStatus.open:
        raise PeriodNotOpen(f"period {period_id} is {period.status}; record revenue in the open period",
                            period_id=period_id)
    _check_revenue(session, source, amount, currency, asset_id, chain_id, payout_currency)
    check_amount(amount, unit_factor, confirm_above, confirm_amount)
    entry = RevenueEntry(period_id=period_id, source=source, asset_id=asset_id, amount=amount, currency=currency,
                         reference=reference, created_by=created_by)
    session.add(entry)
    session.flush()
    journal.post(session, kind="revenue", key=f"revenue:{entry.id}", period_id=period_id,
                 memo=f"{source} revenue {reference}",
                 postings=[journal.debit(journal.Account.cash, amount * unit_factor),
                           journal.credit(journal.revenue_account(source), amount * unit_factor)])
    return entry, True


def void_revenue(session: Session, period_id: int, entry_id: uuid.UUID, *, reason: str, unit_factor: int,
                 voided_by: uuid.UUID | None = None) -> RevenueEntry:
    """Void a wrong entry of an open period: it stays on record, counts nowhere, and its journal entry is reversed.
    Voiding it again changes nothing."""
    period = get_period(session, period_id, lock=True)
    entry = session.scalars(select(RevenueEntry).where(RevenueEntry.id == entry_id, RevenueEntry.period_id == period_id)
                            .with_for_update()).one_or_none()
    if entry is None:
        raise RevenueNotFound(f"period {period_id} has no revenue entry {entry_id}")
    if entry.voided_at is not None:
        return entry
    if entry.settled_fee is not None:
        raise InvalidRevenue(f"entry {entry_id} is an edition sale settled on chain ({entry.reference}): it cannot "
                             "be voided", field="entry_id")
    if period.status != PeriodStatus.open:
        raise PeriodNotOpen(f"period {period_id} is {period.status}; only an open period's revenue can be voided",
                            period_id=period_id)
    entry.voided_at, entry.voided_by, entry.void_reason = datetime.now(UTC), voided_by, reason
    amount = int(entry.amount) * unit_factor
    journal.post(session, kind="revenue", key=f"revenue-void:{entry.id}", period_id=period_id,
                 memo=f"voided {entry.source} revenue {entry.reference}: {reason}"[:300],
                 postings=[journal.debit(journal.revenue_account(entry.source), amount),
                           journal.credit(journal.Account.cash, amount)])
    session.flush()
    return entry


def check_amount(amount: int, unit_factor: int, confirm_above: int | None, confirm_amount: int | None,
                 field: str = "amount") -> None:
    """What one entry may add: at most MAX_ENTRY_UNITS token units (so no sum of entries can outgrow the payout
    contract's uint256), and above `confirm_above` only when the same amount is sent again as `confirm_amount`."""
    if amount * unit_factor > MAX_ENTRY_UNITS:
        raise InvalidRevenue(f"{field} is beyond what the payout token can carry (at most "
                             f"{MAX_ENTRY_UNITS // unit_factor} in the currency's smallest unit)", field=field)
    if confirm_above is not None and amount > confirm_above and confirm_amount != amount:
        raise InvalidRevenue(f"{field} {amount} is above the sanity ceiling {confirm_above} (HARMONI_REVENUE_CONFIRM_"
                             "ABOVE): send it again as confirm_amount to record it", field="confirm_amount")


def _check_revenue(session: Session, source: str, amount: int, currency: str, asset_id: int | None,
                   chain_id: int, payout_currency: str) -> None:
    if source not in (RevenueSource.subscriptions, RevenueSource.direct_sales):
        raise InvalidRevenue("source must be subscriptions or direct_sales (partner revenue comes from usage "
                             "reports)", field="source")
    if amount <= 0:
        raise InvalidRevenue("amount must be a positive integer in the currency's smallest unit", field="amount")
    if currency != payout_currency:
        raise InvalidRevenue(f"revenue is recorded in the payout currency {payout_currency}", field="currency")
    if (source == RevenueSource.direct_sales) != (asset_id is not None):
        raise InvalidRevenue("direct sales name their asset; subscription revenue is pooled and names none",
                             field="asset_id")
    if asset_id is not None and session.get(Asset, (chain_id, asset_id)) is None:
        raise InvalidRevenue(f"asset {asset_id} is not registered", field="asset_id")
