"""Refunds of revenue already recognised into periods: the payees' part comes back as clawbacks of those periods.

Of a reversal, the tax part goes back to tax payable and what was still deferred back to deferred revenue
(`service.sync_reversal`); the rest was recognised into periods, latest first, and is recorded as clawbacks of
those periods (`ledger.royalties.adjustments`): the next period to close takes each payee's part of it back. A
dispute won afterwards records the same clawbacks with the opposite sign, so the payees get it back.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.royalties import adjustments
from payments.models import Invoice, InvoiceRecognition


def claw_back(session: Session, invoice: Invoice, reversal_id: str, amount: int, unit_factor: int) -> int:
    """Record clawbacks for `amount` (smallest currency unit) of the invoice's recognised revenue; token units
    recorded."""
    left = amount * unit_factor
    already = adjustments.taken(session, invoice.stripe_invoice_id)
    recognitions = session.execute(select(InvoiceRecognition.period_id, InvoiceRecognition.amount)
                                   .where(InvoiceRecognition.invoice_id == invoice.id)
                                   .order_by(InvoiceRecognition.period_id.desc()))
    recorded = 0
    for period_id, recognised in recognitions:
        part = min(left, int(recognised) * unit_factor - already.get(period_id, 0))
        if part > 0 and adjustments.record(session, reference=f"reversal:{reversal_id}:{period_id}",
                                           source=invoice.stripe_invoice_id, origin_period_id=period_id, amount=part):
            recorded += part
            left -= part
    return recorded


def give_back(session: Session, invoice: Invoice, reversal_id: str) -> None:
    """A reversal undone (a dispute won): the clawbacks it recorded, recorded again with the opposite sign."""
    for row in adjustments.of_reference_prefix(session, f"reversal:{reversal_id}:"):
        adjustments.record(session, reference=f"reinstated:{reversal_id}:{row.origin_period_id}",
                           source=invoice.stripe_invoice_id, origin_period_id=row.origin_period_id,
                           amount=-int(row.amount))
