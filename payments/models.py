"""The Stripe webhook inbox, customers, subscriptions, invoices (receipts), their revenue recognition and reversals."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class StripeEvent(Base):
    """One event as Stripe sent it (or the reconcile found it): unique on its id, applied once (`handled_at`)."""

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_due", "next_attempt_at",
                            postgresql_where=text("handled_at is null and dead_at is null")),
                      # the worker takes pending events in Stripe's order: no sort of the whole backlog per event
                      Index("ix_stripe_events_pending", "created", "id",
                            postgresql_where=text("handled_at is null and dead_at is null")))

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)  # Stripe's `created` (Unix seconds)
    livemode: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[dict] = mapped_column(JSONB)
    source: Mapped[str] = mapped_column(String(16), default="webhook")  # webhook or reconcile
    received_at: Mapped[datetime] = _now()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = _now()
    last_error: Mapped[str | None] = mapped_column(Text)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # gave up: an admin looks


class StripeCustomer(Base):
    __tablename__ = "stripe_customers"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = _now()


class SubscriptionStatus(StrEnum):
    incomplete = "incomplete"
    incomplete_expired = "incomplete_expired"
    trialing = "trialing"
    active = "active"
    past_due = "past_due"   # a renewal failed; Stripe retries (dunning); still streams
    unpaid = "unpaid"       # every retry failed: no streaming until paid
    canceled = "canceled"
    paused = "paused"


ENTITLED = (SubscriptionStatus.active, SubscriptionStatus.trialing, SubscriptionStatus.past_due)


class Subscription(Base):
    """A fan's Stripe Billing subscription as Stripe last said it was (re-fetched on every event about it)."""

    __tablename__ = "subscriptions"
    __table_args__ = (CheckConstraint("interval in ('month', 'year')", name="interval_known"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(24))
    interval: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[str] = mapped_column(String(255))
    product_id: Mapped[str] = mapped_column(String(255))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    current_period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    current_period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latest_invoice_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _now()
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Invoice(Base):
    """A paid Stripe invoice: our receipt (sequential number, tax, the buyer's country and its evidence)."""

    __tablename__ = "payment_invoices"
    __table_args__ = (CheckConstraint("gross > 0 and tax >= 0 and fee >= 0 and tax <= gross", name="amounts"),
                      CheckConstraint("refunded >= 0 and refunded <= gross", name="refunded_within"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    stripe_invoice_id: Mapped[str] = mapped_column(String(255), unique=True)
    number: Mapped[int] = mapped_column(BigInteger, unique=True)  # sequential, without gaps
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    gross: Mapped[int] = mapped_column(BigInteger)   # what the fan paid, tax included
    tax: Mapped[int] = mapped_column(BigInteger)
    tax_rate_bps: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(BigInteger)     # the processor's fee
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)  # refunds and lost disputes, gross
    reversed_net: Mapped[int] = mapped_column(BigInteger, default=0)  # their part net of tax
    recognised: Mapped[int] = mapped_column(BigInteger, default=0)  # net moved into royalty periods so far
    buyer_country: Mapped[str | None] = mapped_column(String(2))
    evidence: Mapped[dict] = mapped_column(JSONB)  # billing, card and IP country as found
    service_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    service_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    # Why the invoice is kept out of the journal and the royalty periods (paid in a currency that is not the payout
    # currency: never converted silently); null when it is in them.
    payout_note: Mapped[str | None] = mapped_column(Text)

    @property
    def net(self) -> int:
        return self.gross - self.tax


class InvoiceRecognition(Base):
    """Net revenue of an invoice recognised into one royalty period (its `royalty_revenue` entry)."""

    __tablename__ = "payment_invoice_recognitions"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_invoices.id", ondelete="CASCADE"),
                                                  primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("royalty_periods.period_id"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _now()


class ReversalKind(StrEnum):
    refund = "refund"
    dispute = "dispute"


class PaymentReversal(Base):
    """A refund or a dispute (chargeback) of an invoice's payment, as Stripe last said it was."""

    __tablename__ = "payment_reversals"
    __table_args__ = (CheckConstraint("kind in ('refund', 'dispute')", name="kind_known"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # re_… or dp_…
    kind: Mapped[str] = mapped_column(String(8))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_invoices.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentCounter(Base):
    """Gapless counters (invoice numbers): taken with UPDATE … RETURNING in the invoice's transaction."""

    __tablename__ = "payment_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class TaxRate(Base):
    """A country's tax rate (included in prices) from `effective_from` until `effective_to` (open-ended if null)."""

    __tablename__ = "tax_rates"
    __table_args__ = (CheckConstraint("rate_bps >= 0 and rate_bps <= 10000", name="rate_within"),
                      CheckConstraint("effective_to is null or effective_to > effective_from", name="ends_after_start"),
                      CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
                      Index("ix_tax_rates_country_from", "country", "effective_from", unique=True))

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    rate_bps: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
