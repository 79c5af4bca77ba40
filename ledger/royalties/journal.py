"""The double-entry journal: every posting balances, money is integers, each posting happens once.

Accounts and the flow of a period's money through them:
- revenue comes in:        Dr cash                    Cr revenue:<source>
- the period closes:       Dr revenue:<source>        Cr platform_fee, rights_holders_payable, held, unallocated
- the payout is funded:    Dr rights_holders_payable  Cr funded_on_chain
- a payee claims on chain: Dr funded_on_chain         Cr claimed
- an edition sale settled on chain by the contract (`ledger.editions.sales`): revenue as above, then at once
                           Dr revenue:direct_sales    Cr platform_fee, paid_via_split_vault (never through the root)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from harmoni.errors import HarmoniError
from ledger.royalties.models import JournalEntry, JournalLine


class Account(enum.StrEnum):
    cash = "cash"
    revenue_subscriptions = "revenue:subscriptions"
    revenue_partner = "revenue:partner"
    revenue_direct_sales = "revenue:direct_sales"
    platform_fee = "platform_fee"
    rights_holders_payable = "rights_holders_payable"
    held = "held"                # revenue of frozen assets or assets without a split at the period's end
    unallocated = "unallocated"  # pooled revenue of a period without counted plays
    funded_on_chain = "funded_on_chain"
    claimed = "claimed"
    paid_via_split_vault = "paid_via_split_vault"  # an edition sale's artist share, sent by the contract to the vault
    # Payments (payments/): card money in, before it is revenue of a period.
    card_clearing = "card_clearing"              # paid by card, not yet paid out to us by the processor
    processor_fees = "processor_fees"            # the processor's fee on each payment
    deferred_subscription_revenue = "deferred_subscription_revenue"  # paid for service not yet in a period
    tax_payable = "tax_payable"                  # tax included in prices, owed to the tax authority
    subscription_refunds = "subscription_refunds"  # refunds and chargebacks of revenue already in a period


def revenue_account(source: str) -> Account:
    return Account(f"revenue:{source}")


class UnbalancedEntry(HarmoniError):
    status = 500
    slug = "unbalanced-journal-entry"
    title = "Journal entry does not balance"


@dataclass(frozen=True)
class Posting:
    account: Account
    debit: int = 0
    credit: int = 0


def debit(account: Account, amount: int) -> Posting:
    return Posting(account, debit=amount)


def credit(account: Account, amount: int) -> Posting:
    return Posting(account, credit=amount)


def post(session: Session, *, kind: str, key: str, memo: str, postings: Iterable[Posting],
         period_id: int | None = None) -> bool:
    """Record one balanced entry under `key`; False (and nothing written) when that key was posted before.

    Zero postings are left out; an entry with nothing left is not recorded at all.
    """
    lines = [p for p in postings if p.debit or p.credit]
    if any(p.debit < 0 or p.credit < 0 for p in lines):
        raise UnbalancedEntry(f"journal entry {key} has a negative posting")
    if sum(p.debit for p in lines) != sum(p.credit for p in lines):
        raise UnbalancedEntry(f"journal entry {key} does not balance")
    if not lines:
        return False
    entry_id = session.execute(
        insert(JournalEntry).values(period_id=period_id, kind=kind, idempotency_key=key, memo=memo[:300])
        .on_conflict_do_nothing(index_elements=[JournalEntry.idempotency_key]).returning(JournalEntry.id)
    ).scalar()
    if entry_id is None:
        return False
    session.execute(insert(JournalLine), [
        {"entry_id": entry_id, "account": p.account.value, "debit": p.debit, "credit": p.credit} for p in lines])
    return True


def balances(session: Session, period_id: int | None = None) -> dict[str, int]:
    """Debits minus credits per account, over one period's entries or the whole journal."""
    query = (select(JournalLine.account, func.sum(JournalLine.debit - JournalLine.credit))
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id).group_by(JournalLine.account))
    if period_id is not None:
        query = query.where(JournalEntry.period_id == period_id)
    return {account: int(total) for account, total in session.execute(query)}
