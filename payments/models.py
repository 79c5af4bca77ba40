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


class OrderState(StrEnum):
    """Where a card order of edition tokens is (`payments.orders`); a paid order is `mint-pending` at once."""

    payment_pending = "payment-pending"      # checkout created, no payment yet
    payment_failed = "payment-failed"        # the card was declined (the fan may try again on the same page)
    sold_out_refunded = "sold-out-refunded"  # paid, but sold out or the sale closed: refunded in full
    mint_pending = "mint-pending"            # paid: the mint job is queued (or running)
    mint_failed = "mint-failed"              # the mint failed for a passing reason (node down): retried
    minted = "minted"                        # the token is on chain: `tx_hash`, `wallet`


MINTABLE = (OrderState.mint_pending.value, OrderState.mint_failed.value)
_ORDER_STATES = ", ".join(f"'{s.value}'" for s in OrderState)


class CardOrder(Base):
    """A fan's card purchase of edition tokens. Its id is the on-chain `orderId` of `mintFor` (the UUID's 16 bytes,
    left-padded to 32), so the chain itself says whether it was fulfilled. A row in `mint-pending` or `mint-failed`
    is the order's one mint job (`payments.mint`)."""

    __tablename__ = "card_orders"
    __table_args__ = (
        CheckConstraint(f"state in ({_ORDER_STATES})", name="state_known"),
        CheckConstraint("quantity > 0 and amount > 0 and tax >= 0 and fee >= 0 and tax <= amount", name="amounts"),
        Index("ix_card_orders_mint_due", "mint_next_at", postgresql_where=text(
            "state in ('mint-pending', 'mint-failed')")),
        Index("ix_card_orders_edition_state", "chain_id", "edition_id", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    edition_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    wallet: Mapped[str] = mapped_column(String(42))          # receives the tokens
    wallet_kind: Mapped[str] = mapped_column(String(16))     # linked or custodial
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)          # what the fan pays, tax included
    tax: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_rate_bps: Mapped[int] = mapped_column(Integer, default=0)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)  # the processor's fee
    buyer_country: Mapped[str | None] = mapped_column(String(2))
    evidence: Mapped[dict | None] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(String(24), default=OrderState.payment_pending.value)
    failure: Mapped[str | None] = mapped_column(Text)        # why the payment failed or the order was refunded
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    refund_id: Mapped[str | None] = mapped_column(String(255))
    revenue_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # its royalty_revenue row, once recorded
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    mint_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mint_next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    minted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def order_id(self) -> bytes:
        """The on-chain `orderId` (bytes32)."""
        return order_id_bytes(self.id)


def order_id_bytes(order: uuid.UUID) -> bytes:
    return order.bytes.rjust(32, b"\0")
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
