"""Refunds after a period's statement was fixed: clawbacks carried forward into the next period that closes.

A closed or published period never changes (its root is on chain, or about to be). When revenue it pooled is
refunded or lost to a dispute, the payees' part of it is recorded here as a clawback of that period. The next
period to close shares each clawback out exactly as the origin period shared its pool (the origin's statement
with only that amount in its pool: same plays, fee and splits, same rounding) and takes each payee's part out of
what it earns them; what a period cannot take (it earned the payee less) is carried to the one after, so
cumulative amounts never go down. The statement lists the sources and each payee's adjustment, and the audit
recomputes them from the same rows and the origin's stored document.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ledger.royalties.models import (
    AdjustmentCarry,
    PeriodStatus,
    RoyaltyClawback,
    RoyaltyPeriod,
    StoredStatement,
)
from ledger.royalties.statement import SplitAtCut, Statement, StatementInputs, compute

Sources = tuple[tuple[str, int, int], ...]


def record(session: Session, *, reference: str, source: str, origin_period_id: int, amount: int) -> bool:
    """Record a clawback once (by `reference`); False when it was recorded before."""
    found = session.execute(insert(RoyaltyClawback).values(
        reference=reference, source=source, origin_period_id=origin_period_id, amount=amount)
        .on_conflict_do_nothing(index_elements=[RoyaltyClawback.reference]).returning(RoyaltyClawback.id)).scalar()
    return found is not None


def taken(session: Session, source: str) -> dict[int, int]:
    """Net clawed back so far from each origin period for `source`."""
    rows = session.execute(select(RoyaltyClawback.origin_period_id, func.sum(RoyaltyClawback.amount))
                           .where(RoyaltyClawback.source == source).group_by(RoyaltyClawback.origin_period_id))
    return {period_id: int(total) for period_id, total in rows}


def of_reference_prefix(session: Session, prefix: str) -> list[RoyaltyClawback]:
    return list(session.scalars(select(RoyaltyClawback).where(RoyaltyClawback.reference.startswith(prefix))
                                .order_by(RoyaltyClawback.id)))


def shares(document: dict, amount: int) -> dict[str, int]:
    """Each payee's part of `amount` of the origin period's pool, shared as its statement `document` shared it."""
    plays, splits, held = {}, {}, set()
    for asset in document["assets"]:
        if asset["plays"] > 0:
            plays[asset["asset_id"]] = asset["plays"]
        if asset["held"] is not None or not asset["payouts"]:
            held.add(asset["asset_id"])
        else:
            recipients, allocations, _ = zip(*asset["payouts"], strict=True)
            splits[asset["asset_id"]] = SplitAtCut(0, 0, "", tuple(recipients), tuple(allocations))
    pool = StatementInputs(period_id=document["period_id"], fee_bps=document["fee_bps"], subscription_pool=abs(amount),
                           plays=plays, partner_lines=(), direct_sales=(), splits=splits, frozen=frozenset(held),
                           previous_cumulative={})
    sign = 1 if amount >= 0 else -1
    return {payee: sign * part for payee, part in compute(pool).earned.items()}


def for_period(session: Session, period: RoyaltyPeriod,
               load_document: Callable[[str], bytes]) -> tuple[dict[str, int], Sources]:
    """What each payee owes entering `period` (carried from the one before, plus the clawbacks it takes up) and
    those clawbacks: the unapplied ones of earlier periods while it closes, the ones it applied once closed."""
    query = select(RoyaltyClawback).where(RoyaltyClawback.origin_period_id < period.period_id)
    if period.status in (PeriodStatus.closed, PeriodStatus.published):
        query = query.where(RoyaltyClawback.applied_period_id == period.period_id)
    else:
        query = query.where(RoyaltyClawback.applied_period_id.is_(None))
    rows = list(session.scalars(query.order_by(RoyaltyClawback.id)))
    owed: dict[str, int] = defaultdict(int)
    for account, amount in session.execute(select(AdjustmentCarry.account, AdjustmentCarry.amount)
                                           .where(AdjustmentCarry.period_id == period.period_id - 1)):
        owed[account] += int(amount)
    documents: dict[int, dict] = {}
    for row in rows:
        if row.origin_period_id not in documents:
            uri = session.scalar(select(StoredStatement.statement_uri)
                                 .where(StoredStatement.period_id == row.origin_period_id))
            documents[row.origin_period_id] = json.loads(load_document(uri))
        for payee, part in shares(documents[row.origin_period_id], int(row.amount)).items():
            owed[payee] += part
    sources = tuple((row.reference, row.origin_period_id, int(row.amount)) for row in rows)
    return {account: amount for account, amount in owed.items() if amount}, sources


def record_applied(session: Session, period_id: int, statement: Statement) -> None:
    """Mark the clawbacks `statement` took up as applied by its period, and keep what it carries forward."""
    references = [reference for reference, _, _ in statement.inputs.adjustment_sources]
    if references:
        session.execute(update(RoyaltyClawback).where(RoyaltyClawback.reference.in_(references))
                        .values(applied_period_id=period_id))
    carried = [{"period_id": period_id, "account": account, "amount": rest}
               for account, _, _, rest in statement.adjustments if rest]
    if carried:
        session.execute(insert(AdjustmentCarry), carried)
