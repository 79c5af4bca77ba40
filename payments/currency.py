"""Invoices paid in another currency than the payout currency: recorded, never converted, kept out of the periods.

Royalty periods, statements and the journal count the payout token, whose unit is the payout currency's. An
invoice in another currency (a EUR plan with USD payouts) would need an exchange rate; rather than convert it
silently at a rate nobody chose, its receipt is recorded as usual (number, tax, evidence) with `payout_note`
saying why it is kept out of the journal and the periods; its refunds and disputes are recorded the same way and
journal nothing either. `harmoni payments unconverted` lists what waits, per currency, so an operator can convert
it at a rate they choose and record it as subscription revenue of a period (`POST /v1/periods/{id}/revenue`,
naming the invoices and the rate in its reference), or sell plans in the payout currency only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from payments.models import Invoice


def note(currency: str, payout_currency: str) -> str | None:
    """Why an invoice in `currency` stays out of the journal and the periods; None when it goes in."""
    if currency == payout_currency:
        return None
    return (f"paid in {currency}, but royalty periods pay out in {payout_currency} and no exchange rate is applied "
            "(never converted silently): recorded, kept out of the journal and the royalty periods")


@dataclass(frozen=True)
class Unconverted:
    currency: str
    invoices: int
    gross: int     # paid, tax included, smallest unit of `currency`
    tax: int
    refunded: int  # refunds and lost disputes


def unconverted(session: Session) -> list[Unconverted]:
    """What was paid in other currencies than the payout currency, per currency."""
    rows = session.execute(select(Invoice.currency, func.count(), func.sum(Invoice.gross), func.sum(Invoice.tax),
                                  func.sum(Invoice.refunded))
                           .where(Invoice.payout_note.is_not(None)).group_by(Invoice.currency)
                           .order_by(Invoice.currency))
    return [Unconverted(c, n, int(g), int(t), int(r)) for c, n, g, t, r in rows]
