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
from partners.errors import ApiKeyNotFound, InvalidApiKey, RateLimited, ScopeMissing, WebhookEndpointNotFound
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
EndpointId = Annotated[uuid.UUID, Path()]


@router.post("/keys", status_code=201, summary="Issue an API key; the key is shown only here (partners, admins)",
             responses=problem_responses(*_USER_PROBLEMS, ValidationFailed))
def issue_key(body: ApiKeyIn, session: SessionDep, user: PartnerUser) -> ApiKeyIssued:
    issued = service.issue_key(session, user.id, body.name, body.scopes)
    return ApiKeyIssued(**ApiKeyOut.model_validate(issued.row).model_dump(), key=issued.key)


@router.get("/keys", summary="The account's API keys, revoked ones too, never the keys themselves "
                             "(partners, admins)", responses=problem_responses(*_USER_PROBLEMS))
def list_keys(session: SessionDep, user: PartnerUser) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(row) for row in service.keys(session, user.id)]


@router.delete("/keys/{key_id}", status_code=204, summary="Revoke an API key at once (its owner)",
               responses=problem_responses(*_USER_PROBLEMS, ApiKeyNotFound))
def revoke_key(key_id: Annotated[uuid.UUID, Path()], session: SessionDep, user: PartnerUser) -> Response:
    service.revoke_key(session, user.id, key_id)
    return Response(status_code=204)


@router.post("/webhooks", status_code=201,
             summary="Register a webhook endpoint; its signing secret is shown only here "
                     "(key with webhooks:manage, or a signed-in partner)",
             responses=problem_responses(*_MANAGER_PROBLEMS, ValidationFailed, Conflict))
def register_webhook(body: WebhookEndpointIn, session: SessionDep, context: ContextDep,
                     caller: WebhookManager) -> WebhookEndpointRegistered:
    registered = service.register_endpoint(session, caller.user_id, body.url, [e.value for e in body.events],
                                           public_only=context.settings.env is Environment.production)
    return WebhookEndpointRegistered(**WebhookEndpointOut.model_validate(registered.row).model_dump(),
                                     secret=registered.secret)


@router.get("/webhooks", summary="The account's webhook endpoints, without secrets "
                                 "(key with webhooks:manage, or a signed-in partner)",
            responses=problem_responses(*_MANAGER_PROBLEMS))
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
            responses=problem_responses(*_MANAGER_PROBLEMS, WebhookEndpointNotFound))
def list_deliveries(endpoint_id: EndpointId, session: SessionDep, caller: WebhookManager,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[DeliveryOut]:
    return [DeliveryOut(**{name: getattr(delivery, name) for name in DeliveryOut.model_fields if name != "log"},
                        log=[DeliveryAttemptOut.model_validate(a) for a in attempts])
            for delivery, attempts in service.delivery_log(session, caller.user_id, endpoint_id, limit)]
