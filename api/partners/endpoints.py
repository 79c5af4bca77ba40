"""Partner API keys (for signed-in partners) and webhook endpoints with their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import ContextDep, SessionDep, require_roles
from api.errors import problem_responses
from api.partners.deps import WebhookManager
from harmoni.errors import Conflict, ValidationFailed
from harmoni.settings import Environment
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from partners import service
from partners.errors import (
    ApiKeyLimitReached,
    ApiKeyNotFound,
    InvalidApiKey,
    RateLimited,
    ScopeMissing,
    WebhookEndpointNotFound,
)
from partners.schemas import (
    ApiKeyIn,
    ApiKeyIssued,
    ApiKeyOut,
    DeliveryAttemptOut,
    DeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointRegistered,
)

router = APIRouter(prefix="/v1/partner", tags=["partner"])
PartnerUser = Annotated[User, require_roles(Role.partner, Role.admin)]
_USER_PROBLEMS = (Unauthenticated, InvalidToken, Forbidden)
_MANAGER_PROBLEMS = (*_USER_PROBLEMS, InvalidApiKey, ScopeMissing, RateLimited)
EndpointId = Annotated[uuid.UUID, Path(description="The `id` the webhook endpoint was registered with")]


@router.post("/keys", status_code=201, summary="Issue an API key; the key is shown only here (partners, admins)",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "name": "Label catalogue sync", "scopes": ["assets:read", "usage:write"]}}}}},
             responses={**problem_responses(*_USER_PROBLEMS, ValidationFailed, ApiKeyLimitReached),
                        201: {"content": {"application/json": {"example": {
                            "id": "044852b2-a670-4de5-807e-78fb2863c51d", "name": "Label catalogue sync",
                            "prefix": "hk_live_Ex4mpleK", "scopes": ["assets:read", "usage:write"],
                            "created_at": "2026-11-25T10:00:00Z", "last_used_at": None, "revoked_at": None,
                            "key": "hk_live_Ex4mpleK3yN0tRealQ2x9vT7mL1pZ8cW3nB6dF0g"}}}}})
def issue_key(body: ApiKeyIn, session: SessionDep, user: PartnerUser) -> ApiKeyIssued:
    issued = service.issue_key(session, user.id, body.name, body.scopes)
    return ApiKeyIssued(**ApiKeyOut.model_validate(issued.row).model_dump(), key=issued.key)


@router.get("/keys", summary="The account's API keys, revoked ones too, never the keys themselves "
                             "(partners, admins)",
            responses={**problem_responses(*_USER_PROBLEMS),
                       200: {"content": {"application/json": {"example": [
                           {"id": "044852b2-a670-4de5-807e-78fb2863c51d", "name": "Label catalogue sync",
                            "prefix": "hk_live_Ex4mpleK", "scopes": ["assets:read", "usage:write"],
                            "created_at": "2026-11-25T10:00:00Z", "last_used_at": "2026-11-25T11:42:00Z",
                            "revoked_at": None}]}}}})
def list_keys(session: SessionDep, user: PartnerUser) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(row) for row in service.keys(session, user.id)]


@router.delete("/keys/{key_id}", status_code=204, summary="Revoke an API key at once (its owner)",
               responses=problem_responses(*_USER_PROBLEMS, ApiKeyNotFound))
def revoke_key(key_id: Annotated[uuid.UUID, Path(description="The key's `id` (not the key)")],
               session: SessionDep, user: PartnerUser) -> Response:
    service.revoke_key(session, user.id, key_id)
    return Response(status_code=204)


@router.post("/webhooks", status_code=201,
             summary="Register a webhook endpoint; its signing secret is shown only here "
                     "(key with webhooks:manage, or a signed-in partner)",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "url": "https://partner.example/harmoni/webhooks",
                 "events": ["asset.registered", "payout.published"]}}}}},
             responses={**problem_responses(*_MANAGER_PROBLEMS, ValidationFailed, Conflict),
                        201: {"content": {"application/json": {"example": {
                            "id": "c89efdaa-54c0-420c-badf-612882df0950",
                            "url": "https://partner.example/harmoni/webhooks",
                            "events": ["asset.registered", "payout.published"], "created_at": "2026-11-25T10:05:00Z",
                            "secret": "whsec_83411389eb2056a76f3883a75c16e50bc24a362649b578bd"}}}}})
def register_webhook(body: WebhookEndpointIn, session: SessionDep, context: ContextDep,
                     caller: WebhookManager) -> WebhookEndpointRegistered:
    registered = service.register_endpoint(session, caller.user_id, body.url, [e.value for e in body.events],
                                           public_only=context.settings.env is Environment.production)
    return WebhookEndpointRegistered(**WebhookEndpointOut.model_validate(registered.row).model_dump(),
                                     secret=registered.secret)


@router.get("/webhooks", summary="The account's webhook endpoints, without secrets "
                                 "(key with webhooks:manage, or a signed-in partner)",
            responses={**problem_responses(*_MANAGER_PROBLEMS),
                       200: {"content": {"application/json": {"example": [
                           {"id": "c89efdaa-54c0-420c-badf-612882df0950",
                            "url": "https://partner.example/harmoni/webhooks",
                            "events": ["asset.registered", "payout.published"],
                            "created_at": "2026-11-25T10:05:00Z"}]}}}})
def list_webhooks(session: SessionDep, caller: WebhookManager) -> list[WebhookEndpointOut]:
    return [WebhookEndpointOut.model_validate(row) for row in service.endpoints(session, caller.user_id)]


@router.delete("/webhooks/{endpoint_id}", status_code=204,
               summary="Delete a webhook endpoint and its delivery log; nothing more is sent to it (its owner)",
               responses=problem_responses(*_MANAGER_PROBLEMS, WebhookEndpointNotFound))
def delete_webhook(endpoint_id: EndpointId, session: SessionDep, caller: WebhookManager) -> Response:
    service.delete_endpoint(session, caller.user_id, endpoint_id)
    return Response(status_code=204)


@router.get("/webhooks/{endpoint_id}/deliveries",
            summary="Newest deliveries to an endpoint, each with its attempts (its owner)",
            responses={**problem_responses(*_MANAGER_PROBLEMS, WebhookEndpointNotFound),
                       200: {"content": {"application/json": {"example": [{
                           "id": "ad7c5bef-0278-46a8-80da-1736444fb58a",
                           "event_id": "evt_6f1c2a9d4e7b40a6b3c5d2e1f0a9b8c7", "event_type": "payout.published",
                           "status": "succeeded", "attempts": 2, "next_attempt_at": None,
                           "last_status_code": 200, "created_at": "2026-12-01T00:05:00Z",
                           "delivered_at": "2026-12-01T00:05:31Z",
                           "log": [{"attempt": 1, "attempted_at": "2026-12-01T00:05:00Z", "succeeded": False,
                                    "status_code": 503, "error": None, "response_excerpt": "upstream unavailable",
                                    "duration_ms": 212},
                                   {"attempt": 2, "attempted_at": "2026-12-01T00:05:31Z", "succeeded": True,
                                    "status_code": 200, "error": None, "response_excerpt": "ok",
                                    "duration_ms": 48}]}]}}}})
def list_deliveries(endpoint_id: EndpointId, session: SessionDep, caller: WebhookManager,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[DeliveryOut]:
    return [DeliveryOut(**{name: getattr(delivery, name) for name in DeliveryOut.model_fields if name != "log"},
                        log=[DeliveryAttemptOut.model_validate(a) for a in attempts])
            for delivery, attempts in service.delivery_log(session, caller.user_id, endpoint_id, limit)]
