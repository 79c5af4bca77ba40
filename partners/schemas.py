"""Request and response bodies of the partner API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from partners.models import ApiScope, DeliveryStatus, WebhookEventType


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["Label catalogue sync"])
    scopes: list[ApiScope] = Field(min_length=1, examples=[["assets:read", "webhooks:manage"]])


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart; never the whole key")
    scopes: list[ApiScope]
    created_at: datetime
    last_used_at: datetime | None = Field(description="Within a minute")
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, only its SHA-256 is stored. Send it as "
                                 "`Authorization: Bearer <key>` or `X-API-Key: <key>`.",
                     examples=["hk_live_Q2x9v…"])


class WebhookEndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=2048, examples=["https://partner.example/harmoni/webhooks"])
    events: list[WebhookEventType] = Field(min_length=1, examples=[["asset.registered", "payout.published"]])


class WebhookEndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    events: list[WebhookEventType]
    created_at: datetime


class WebhookEndpointRegistered(WebhookEndpointOut):
    secret: str = Field(description="Signing secret for `Harmoni-Signature`: shown this once")


class DeliveryAttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    attempted_at: datetime
    succeeded: bool
    status_code: int | None = Field(description="None when no HTTP answer came (refused, timeout)")
    error: str | None
    response_excerpt: str = Field(description="The first 1,000 characters of the answer")
    duration_ms: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: str
    event_type: WebhookEventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the next retry is due (pending deliveries)")
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None
    log: list[DeliveryAttemptOut]
