"""The signed-in user's notifications (list, unread count, mark read, live stream) and preferences; the public
one-click unsubscribe of notification e-mails; the admins' e-mail suppression list."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.errors import problem_responses
from harmoni.errors import ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from notifications import live, mailer, service
from notifications.errors import InvalidCursor, InvalidUnsubscribeToken, NotificationNotFound
from notifications.models import Channel, Delivery, Notification
from notifications.schemas import (
    Actor,
    MarkedRead,
    NotificationOut,
    NotificationPage,
    PreferenceOut,
    PreferencesIn,
    SuppressionIn,
    SuppressionOut,
    UnreadCount,
    Unsubscribed,
)

router = APIRouter(tags=["notifications"])
_AUTH = (Unauthenticated, InvalidToken)
NotificationId = Annotated[uuid.UUID, Path(description="a notification of yours")]
AdminUser = Annotated[User, require_roles(Role.admin)]
# One server-sent event: its name and its JSON data (as text).
_SSE_EVENT = {"type": "object", "required": ["event", "data"],
              "properties": {"event": {"type": "string", "enum": ["unread", "notification", "read"]},
                             "data": {"type": "string", "description": "JSON"}}}
_SSE_EXAMPLE = {"event": "notification",
                "data": '{"type": "notification", "id": "3f2b8c1e-7a4d-4e9b-9c61-2d5e8f0a7b13", "kind": "like"}'}


def _out(session, notifications: list[Notification]) -> list[NotificationOut]:
    names = service.actor_names(session, sorted({a for n in notifications for a in n.latest_actor_ids}))
    return [NotificationOut(id=n.id, kind=n.kind, subject_type=n.subject_type, subject_id=n.subject_id,
                            actor_count=n.actor_count, event_count=n.event_count,
                            actors=[Actor(id=a, name=names.get(a, "someone")) for a in n.latest_actor_ids],
                            summary=service.summary(n, names), data=n.data, read=n.read_at is not None,
                            created_at=n.created_at, updated_at=n.updated_at) for n in notifications]


@router.get("/v1/me/notifications", summary="Your notifications, newest first, grouped (any signed-in user)",
            responses=problem_responses(*_AUTH, InvalidCursor, ValidationFailed))
def list_notifications(session: SessionDep, user: CurrentUser,
                       cursor: Annotated[str | None, Query(max_length=200)] = None,
                       limit: Annotated[int, Query(ge=1, le=100)] = 30,
                       unread_only: bool = False) -> NotificationPage:
    page = service.list_page(session, user.id, cursor, limit, unread_only)
    return NotificationPage(items=_out(session, page.items), next_cursor=page.next_cursor, unread_count=page.unread)


@router.get("/v1/me/notifications/unread-count", summary="How many of your notifications are unread",
            responses=problem_responses(*_AUTH))
def unread_count(session: SessionDep, user: CurrentUser) -> UnreadCount:
    return UnreadCount(unread_count=service.unread_count(session, user.id))


@router.post("/v1/me/notifications/read-all", summary="Mark every notification of yours read",
             responses=problem_responses(*_AUTH))
def mark_all_read(session: SessionDep, user: CurrentUser) -> MarkedRead:
    marked = service.mark_all_read(session, user.id)
    return MarkedRead(marked=marked, unread_count=0)


@router.post("/v1/me/notifications/{notification_id}/read", summary="Mark one notification of yours read",
             responses=problem_responses(*_AUTH, NotificationNotFound, ValidationFailed))
def mark_read(notification_id: NotificationId, session: SessionDep, user: CurrentUser) -> NotificationOut:
    return _out(session, [service.mark_read(session, user.id, notification_id)])[0]


@router.get("/v1/me/notifications/stream",
            summary="Live notification events for an open page (Server-Sent Events; any signed-in user)",
            description="`text/event-stream`: first an `unread` event with the unread count, then one `notification` "
                        "or `read` event per change, and a comment line as heartbeat. The response ends after "
                        "`HARMONI_NOTIFICATION_STREAM_MAX_S`; EventSource reconnects by itself.",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": _SSE_EVENT, "example": _SSE_EXAMPLE}},
                             "description": "the event stream"}, **problem_responses(*_AUTH)})
def stream(session: SessionDep, context: ContextDep, user: CurrentUser) -> StreamingResponse:
    settings = context.settings
    unread = service.unread_count(session, user.id)
    bind = context.sessions.kw["bind"]
    database_url = bind.engine.url.render_as_string(hide_password=False)
    user_id = user.id

    def events() -> Iterator[str]:
        yield f"event: unread\ndata: {json.dumps({'unread_count': unread})}\n\n"
        deadline = time.monotonic() + settings.notification_stream_max_s
        for subscription in live.subscribe(settings, database_url, user_id):
            next_beat = time.monotonic() + settings.notification_stream_heartbeat_s
            while (left := deadline - time.monotonic()) > 0:
                payload = subscription.get(min(left, 0.5))
                if payload is not None:
                    yield f"event: {payload.get('type', 'notification')}\ndata: {json.dumps(payload)}\n\n"
                elif time.monotonic() >= next_beat:
                    yield ": heartbeat\n\n"
                    next_beat = time.monotonic() + settings.notification_stream_heartbeat_s

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/v1/me/notification-preferences", summary="Your choice per notification kind and channel",
            responses=problem_responses(*_AUTH))
def get_preferences(session: SessionDep, user: CurrentUser) -> list[PreferenceOut]:
    return [PreferenceOut.model_validate(p) for p in service.preferences(session, user.id)]


@router.put("/v1/me/notification-preferences",
            summary="Set how each kind reaches you: in_app / email x immediate / daily / off (the ones named)",
            responses=problem_responses(*_AUTH, ValidationFailed))
def put_preferences(body: PreferencesIn, session: SessionDep, user: CurrentUser) -> list[PreferenceOut]:
    saved = service.save_preferences(session, user.id, [(p.kind, p.channel, p.delivery) for p in body.preferences])
    return [PreferenceOut.model_validate(p) for p in saved]


@router.get("/v1/notifications/unsubscribe",
            summary="What the one-click unsubscribe link in a notification e-mail turns off (the token is the "
                    "credential; nothing changes until POST)",
            responses=problem_responses(InvalidUnsubscribeToken, ValidationFailed))
def unsubscribe_preview(context: ContextDep, token: Annotated[str, Query(min_length=1, max_length=2000)]
                        ) -> Unsubscribed:
    _user_id, kinds = mailer.read_unsubscribe_token(context.settings, token)
    return Unsubscribed(kinds=kinds, channel=Channel.email, delivery=Delivery.off)


@router.post("/v1/notifications/unsubscribe",
             summary="One-click unsubscribe (RFC 8058): turn off e-mails of the link's kind (the token is the "
                     "credential)",
             responses=problem_responses(InvalidUnsubscribeToken, ValidationFailed))
def unsubscribe(session: SessionDep, context: ContextDep,
                token: Annotated[str, Query(min_length=1, max_length=2000)]) -> Unsubscribed:
    kinds = mailer.unsubscribe(session, context.settings, token)
    return Unsubscribed(kinds=kinds, channel=Channel.email, delivery=Delivery.off)


@router.post("/v1/admin/email-suppressions", status_code=201,
             summary="Never e-mail an address again: a hard bounce or a complaint (admins)",
             responses=problem_responses(*_AUTH, Forbidden, ValidationFailed))
def suppress(body: SuppressionIn, session: SessionDep, _admin: AdminUser) -> SuppressionOut:
    new = mailer.suppress(session, body.address, body.reason)
    return SuppressionOut(address=body.address, reason=body.reason, newly_suppressed=new)
