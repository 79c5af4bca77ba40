"""On-chain edition sales as revenue of the open royalty period, journaled without paying them twice.

The rule. A `mint` paid in the payout token is settled by the contract in the same transaction: the platform fee
goes to the treasury and the rest into the SplitVault, where it follows the asset's split (payees withdraw it from
the vault). Such a sale is recorded as `direct_sales` revenue of the open period, referenced by its transaction
(`edition-mint:<tx>:<log index>`), with `settled_fee` set. Its journal is two entries, both at once:

- revenue, like any revenue:      Dr cash                    Cr revenue:direct_sales   (price paid)
- settled by the contract:        Dr revenue:direct_sales    Cr platform_fee           (the edition's fee)
                                                             Cr paid_via_split_vault   (the rest, to the vault)

The period's statement lists it under `settled_on_chain` and leaves it out of its assets' gross, of every payee's
amount and so of the Merkle root; the close entry debits revenue only for what the statement pays, so revenue
accounts still end at zero. Card sales (`mintFor`, paid 0 on chain) and sales in the native token are not recorded
here: card revenue comes from the payment flow, and the native token is not the payout currency.

Only mints in final blocks are recorded: a sale that a reorg removes never reached the journal.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import Edition, EditionMint
from ledger.royalties import journal, periods
from ledger.royalties.models import PeriodStatus, RevenueEntry, RevenueSource, RoyaltyPeriod

log = logging.getLogger(__name__)

ZERO_ORDER = "0x" + "00" * 32


def sale_reference(tx_hash: str, log_index: int) -> str:
    return f"edition-mint:{tx_hash}:{log_index}"


def open_period_at(session: Session, now: datetime) -> RoyaltyPeriod | None:
    """The open period whose window holds `now`, else the latest open one (sales never wait for a new period)."""
    open_periods = select(RoyaltyPeriod).where(RoyaltyPeriod.status == PeriodStatus.open.value)
    return (session.scalars(open_periods.where(RoyaltyPeriod.starts_at <= now, RoyaltyPeriod.ends_at > now))
            .first() or session.scalars(open_periods.order_by(RoyaltyPeriod.period_id.desc())).first())


def record_sales(session: Session, *, chain_id: int, final_block: int, payout_token: str, unit_factor: int,
                 currency: str, now: datetime | None = None) -> int:
    """Record every final, paid, payout-token mint not recorded yet; returns how many. Safe to run again."""
    period = open_period_at(session, now or datetime.now(UTC))
    if period is None:
        return 0  # no open period: the sales wait for the next one to open
    reference = func.concat("edition-mint:", EditionMint.tx_hash, ":", EditionMint.log_index)
    recorded = select(RevenueEntry.id).where(RevenueEntry.reference == reference).exists()
    rows = session.execute(
        select(EditionMint, Edition.asset_id)
        .join(Edition, (Edition.chain_id == EditionMint.chain_id) & (Edition.edition_id == EditionMint.edition_id))
        .where(EditionMint.chain_id == chain_id, EditionMint.block_number <= final_block, EditionMint.paid > 0,
               EditionMint.order_id == ZERO_ORDER, func.lower(Edition.payment_token) == payout_token.lower(),
               ~recorded)
        .order_by(EditionMint.block_number, EditionMint.log_index)).all()
    count = 0
    for mint, asset_id in rows:
        paid, fee = int(mint.paid), int(mint.fee)
        if paid % unit_factor:
            log.warning("edition sale not in whole currency units; not recorded as revenue",
                        extra={"tx_hash": mint.tx_hash, "paid": paid, "unit_factor": unit_factor})
            continue
        entry, created = periods.record_revenue(
            session, period.period_id, source=RevenueSource.direct_sales.value, amount=paid // unit_factor,
            currency=currency, reference=sale_reference(mint.tx_hash, mint.log_index), asset_id=asset_id,
            chain_id=chain_id, payout_currency=currency, unit_factor=unit_factor)
        if not created:
            continue
        entry.settled_fee = fee
        journal.post(session, kind="close", key=f"settled-on-chain:{entry.id}", period_id=period.period_id,
                     memo=f"edition sale {mint.tx_hash} settled on chain: fee to the treasury, rest to the vault",
                     postings=[journal.debit(journal.Account.revenue_direct_sales, paid),
                               journal.credit(journal.Account.platform_fee, fee),
                               journal.credit(journal.Account.paid_via_split_vault, paid - fee)])
        count += 1
    session.flush()
    return count
