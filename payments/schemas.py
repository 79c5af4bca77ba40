"""Request and response bodies of the payments routes. Amounts are integers in the currency's smallest unit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_PLAN = {"plan": "month:USD", "interval": "month", "currency": "USD", "amount": 999}
_SUBSCRIPTION = {"status": "active", "streaming": True, "interval": "month", "currency": "USD", "amount": 999,
                 "cancel_at_period_end": False, "current_period_start": "2026-03-01T12:00:00Z",
                 "current_period_end": "2026-04-01T12:00:00Z", "message": "Your subscription is active."}


class PlanOut(BaseModel):
    plan: str = Field(examples=["month:USD"], description="`interval:CURRENCY`")
    interval: Literal["month", "year"]
    currency: str = Field(examples=["USD"])
    amount: int = Field(examples=[999], description="Per interval, tax included, in the currency's smallest unit")

    model_config = {"json_schema_extra": {"examples": [_PLAN]}}


class SubscribeIn(BaseModel):
    interval: Literal["month", "year"] = Field(examples=["month"])
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", examples=["USD"])

    model_config = {"json_schema_extra": {"examples": [{"interval": "month", "currency": "USD"}]}}


class CheckoutOut(BaseModel):
    checkout_url: str = Field(description="Send the fan here (Stripe Checkout); the subscription starts from its "
                                          "webhook, never from the success page")
    checkout_session_id: str
    plan: PlanOut

    model_config = {"json_schema_extra": {"examples": [{
        "checkout_url": "https://checkout.stripe.com/c/pay/cs_live_a1Kq9ZtW3xYb7NcR2mVd8LpE4sFgH6jU",
        "checkout_session_id": "cs_live_a1Kq9ZtW3xYb7NcR2mVd8LpE4sFgH6jU", "plan": _PLAN}]}}


class PlanChangeIn(BaseModel):
    interval: Literal["month", "year"] = Field(description="Same currency as now: upgrades are charged pro rata "
                                                           "at once, downgrades start now without a refund")

    model_config = {"json_schema_extra": {"examples": [{"interval": "year"}]}}


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_SUBSCRIPTION]})

    status: str = Field(description="active, past_due (a renewal failed; Stripe retries, streaming goes on), unpaid "
                                    "(every retry failed: no streaming), canceled, incomplete, trialing")
    streaming: bool = Field(description="Whether the subscription lets the account stream full tracks")
    interval: str
    currency: str
    amount: int
    cancel_at_period_end: bool
    current_period_start: datetime
    current_period_end: datetime
    message: str = Field(description="What the state means for the fan")


class PortalOut(BaseModel):
    url: str = Field(description="Stripe's customer portal for this account (cards, invoices, cancelling)")

    model_config = {"json_schema_extra": {"examples": [{"url": "https://billing.stripe.com/p/session/live_YWNjdF8xTjRrQjJMa2pIZ0ZkU2E"}]}}


class InvoiceOut(BaseModel):
    id: uuid.UUID
    number: str = Field(examples=["HRM-000001"], description="Sequential, without gaps")
    currency: str
    total: int = Field(description="What was paid, tax included")
    tax: int
    tax_rate_bps: int = Field(description="Tax rate applied (basis points), by the buyer's country")
    net: int
    refunded: int = Field(description="Refunded or charged back so far")
    status: str = Field(description="paid, partially_refunded, refunded")
    buyer_country: str | None
    evidence: dict = Field(description="The countries the buyer's country was taken from (billing, card, IP)")
    service_start: datetime
    service_end: datetime
    paid_at: datetime

    model_config = {"json_schema_extra": {"examples": [{
        "id": "6d0f3a2b-8e4c-4b71-9a5d-c2e7f1b30948", "number": "HRM-000001", "currency": "USD", "total": 999,
        "tax": 167, "tax_rate_bps": 2000, "net": 832, "refunded": 0, "status": "paid", "buyer_country": "DE",
        "evidence": {"billing_country": "DE", "card_country": "DE", "ip_country": None},
        "service_start": "2026-03-01T12:00:00Z", "service_end": "2026-04-01T12:00:00Z",
        "paid_at": "2026-03-01T12:00:07Z"}]}}


class RefundIn(BaseModel):
    amount: int | None = Field(None, ge=1, le=2**53 - 1,  # read exactly by every JSON client
                               description="Omit for a full refund of what is left")
    reason: str = Field(min_length=1, max_length=400, examples=["double charge"])

    model_config = {"json_schema_extra": {"examples": [{"amount": 999, "reason": "double charge"}]}}


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "re_3OqL2bK8zW1xYv4N0aB7cD9e", "kind": "refund", "invoice_id": "6d0f3a2b-8e4c-4b71-9a5d-c2e7f1b30948",
        "amount": 999, "status": "succeeded"}]})

    id: str
    kind: str
    invoice_id: uuid.UUID
    amount: int
    status: str


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "evt_1OqL2bK8zW1xYv4N7hJk3mPq", "type": "invoice.paid", "created": 1772366407, "attempts": 8,
        "last_error": "KeyError: 'subscription'", "received_at": "2026-03-01T12:00:08Z",
        "dead_at": "2026-03-01T18:41:22Z"}]})

    id: str
    type: str
    created: int = Field(description="Stripe's `created` (Unix seconds)")
    attempts: int
    last_error: str | None
    received_at: datetime
    dead_at: datetime | None


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool = Field(description="The event was in the inbox already")

    model_config = {"json_schema_extra": {"examples": [{"received": True, "duplicate": False}]}}


_ORDER_ID = "3f8a3c1e-9b2d-4c5e-8f7a-1d2e3f4a5b6c"
_ORDER = {"id": _ORDER_ID, "onchain_order_id": "0x" + "0" * 32 + _ORDER_ID.replace("-", ""), "edition_id": 1,
          "quantity": 1, "state": "minted", "message": "Your token is in 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 "
          "(transaction 0x2a40…6df8).", "wallet": "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
          "wallet_kind": "custodial", "currency": "USD", "amount": 500, "tax": 0,
          "tx_hash": "0x2a402796493ccc57286f02b63dd3b1350abc4be96dbf13765082a2dc0a276df8",
          "created_at": "2026-03-01T12:00:00Z", "paid_at": "2026-03-01T12:01:00Z",
          "minted_at": "2026-03-01T12:01:05Z"}


class CardCheckoutIn(BaseModel):
    quantity: int = Field(1, ge=1, le=10, description="Tokens to buy (at most 10 per order)")
    wallet: str | None = Field(None, pattern=r"^0x[0-9a-fA-F]{40}$", description=(
        "One of your wallets to receive the tokens; by default your first linked wallet, else your custodial wallet "
        "(created for you when you have none)"))

    model_config = {"json_schema_extra": {"examples": [{"quantity": 1}]}}


class OrderOut(BaseModel):
    id: uuid.UUID
    onchain_order_id: str = Field(description="The `orderId` of `mintFor` on chain (bytes32): the UUID, left-padded")
    edition_id: int
    quantity: int
    state: Literal["payment-pending", "payment-failed", "sold-out-refunded", "mint-pending", "mint-failed", "minted"]
    message: str = Field(description="What the state means for you, in a sentence")
    wallet: str = Field(description="Where the tokens go")
    wallet_kind: Literal["linked", "custodial"]
    currency: str
    amount: int = Field(description="What you pay, tax included, in the currency's smallest unit")
    tax: int
    tx_hash: str | None = Field(description="The mint transaction, once minted")
    created_at: datetime
    paid_at: datetime | None
    minted_at: datetime | None

    model_config = {"json_schema_extra": {"examples": [_ORDER]}}


class CardCheckoutOut(BaseModel):
    checkout_url: str = Field(description="Send the fan here (Stripe Checkout); the token is minted from the payment's "
                                          "webhook, never from the success page")
    order: OrderOut

    model_config = {"json_schema_extra": {"examples": [{
        "checkout_url": "https://checkout.stripe.com/c/pay/cs_live_a1Kq9ZtW3xYb7NcR2mVd8LpE4sFgH6jU",
        "order": {**_ORDER, "state": "payment-pending", "tx_hash": None, "paid_at": None, "minted_at": None,
                  "message": "Waiting for your payment: finish it on the checkout page. Nothing is charged until "
                             "then."}}]}}
