"""Request and response bodies of the payments routes. Amounts are integers in the currency's smallest unit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PlanOut(BaseModel):
    plan: str = Field(examples=["month:USD"], description="`interval:CURRENCY`")
    interval: Literal["month", "year"]
    currency: str = Field(examples=["USD"])
    amount: int = Field(examples=[999], description="Per interval, tax included, in the currency's smallest unit")


class SubscribeIn(BaseModel):
    interval: Literal["month", "year"] = Field(examples=["month"])
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", examples=["USD"])


class CheckoutOut(BaseModel):
    checkout_url: str = Field(description="Send the fan here (Stripe Checkout); the subscription starts from its "
                                          "webhook, never from the success page")
    checkout_session_id: str
    plan: PlanOut


class PlanChangeIn(BaseModel):
    interval: Literal["month", "year"] = Field(description="Same currency as now: upgrades are charged pro rata "
                                                           "at once, downgrades start now without a refund")


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


class RefundIn(BaseModel):
    amount: int | None = Field(None, ge=1, le=2**62, description="Omit for a full refund of what is left")
    reason: str = Field(min_length=1, max_length=400, examples=["double charge"])


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    invoice_id: uuid.UUID
    amount: int
    status: str


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
