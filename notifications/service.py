"""Notifications: written by `notify()` in the transaction of the event that causes them, grouped, read by
their recipient, and e-mailed by `notifications.mailer` when still unread after a delay.

A group is (recipient, kind, subject, group key, window): every like of "Blue Hour" within one window of
`HARMONI_NOTIFICATION_GROUP_WINDOW_S` (12 h, aligned to the epoch) is one notification with the count of
distinct actors and the newest few of them. Concurrent events of one group meet on its unique key and take its
row lock in turn, so the counts are exact and a group is never written twice. An actor who comes back (unlike,
like again) is not counted again and does not make the notification unread again.

Services flush but never commit: the request (or the indexer's batch) owns the transaction.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from harmoni.settings import Settings, get_settings
from identity.models import ArtistProfile, User
from notifications import live, repository
from notifications.errors import InvalidCursor, NotificationNotFound
from notifications.models import Channel, Delivery, Notification, NotificationKind

# E-mail defaults per kind when the user chose nothing: what concerns their money and rights, and what people
# say to them, comes at once; applause in a daily digest. In-app is immediate for every kind.
EMAIL_DEFAULTS: dict[NotificationKind, Delivery] = {
    NotificationKind.follow: Delivery.daily,
    NotificationKind.like: Delivery.daily,
    NotificationKind.repost: Delivery.daily,
    NotificationKind.release: Delivery.daily,
    NotificationKind.comment: Delivery.immediate,
    NotificationKind.mention: Delivery.immediate,
    NotificationKind.reply: Delivery.immediate,
    NotificationKind.sale: Delivery.immediate,
    NotificationKind.payout_published: Delivery.immediate,
    NotificationKind.claim_confirmed: Delivery.immediate,
    NotificationKind.invitation: Delivery.immediate,
    NotificationKind.dispute_opened: Delivery.immediate,
    NotificationKind.message: Delivery.immediate,
}
DIGEST_HOUR_UTC = 8


def _now() -> datetime:
    return datetime.now(UTC)


def default_delivery(kind: NotificationKind, channel: Channel) -> Delivery:
    return Delivery.immediate if channel is Channel.in_app else EMAIL_DEFAULTS[kind]


def next_digest(now: datetime) -> datetime:
    """When the next daily digest goes out (08:00 UTC)."""
    at = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def notify(session: Session, *, recipient_id: uuid.UUID, kind: NotificationKind | str,
           actor_id: uuid.UUID | None = None, subject_type: str, subject_id: str | int | uuid.UUID,
           group_key: str | None = None, data: dict | None = None, repeats: bool = False,
           settings: Settings | None = None) -> Notification | None:
    """Record that `actor_id` did `kind` to `subject` for `recipient_id`, in the caller's transaction.

    Returns the (possibly grouped) notification, or None when nothing was recorded: the recipient turned the
    kind off on every channel, the actor is the recipient, this actor is already in the group (unless the event
    `repeats`: a second message counts, unread again, the actor still counted once), or (without an actor) this
    subject was notified before.
    """
    kind = NotificationKind(kind)
    if actor_id is not None and actor_id == recipient_id:
        return None  # nobody is told about their own like
    settings = settings or get_settings()
    chosen = repository.preferences_of(session, recipient_id)
    in_app = Delivery(chosen.get((kind.value, Channel.in_app.value), default_delivery(kind, Channel.in_app)))
    email = Delivery(chosen.get((kind.value, Channel.email.value), default_delivery(kind, Channel.email)))
    if in_app is Delivery.off and email is Delivery.off:
        return None
    now = _now()
    window = settings.notification_group_window_s
    notification_id, created = repository.upsert_group(session, {
        "id": uuid.uuid4(), "recipient_id": recipient_id, "kind": kind.value, "subject_type": subject_type,
        "subject_id": str(subject_id), "group_key": group_key or "", "data": data or {},
        # An event nobody caused (a payout, a claim) is named by its subject alone: one notification, ever, so
        # the indexer replaying a block never tells anyone twice.
        "window_start": int(now.timestamp()) // window * window if actor_id is not None else 0,
        "in_app": in_app is not Delivery.off}, now)
    if actor_id is None and not created:
        return None
    new_actor = actor_id is not None and repository.add_actor(session, notification_id, actor_id)
    if actor_id is not None and not new_actor and not repeats:
        return None
    notification = repository.record_event(session, notification_id, actor_id if new_actor else None, data or {},
                                           now, _email_due(settings, email, now))
    live.announce(session, settings, recipient_id,
                  {"type": "notification", "id": str(notification.id), "kind": kind.value})
    return notification


def _email_due(settings: Settings, email: Delivery, now: datetime) -> datetime | None:
    return {Delivery.immediate: now + timedelta(seconds=settings.notification_email_delay_s),
            Delivery.daily: next_digest(now), Delivery.off: None}[email]


def notify_many(session: Session, recipients, *, kind: NotificationKind, actor_id: uuid.UUID, subject_type: str,
                subject_id: str, group_key: str = "", data: dict | None = None,
                settings: Settings | None = None) -> None:
    """`notify` for every account of `recipients` (a select of user ids) in one statement, each per their
    preferences: a release told to an artist's followers writes their rows set-wise, never one query a follower.
    No live event: a page learns of these at its next read."""
    settings = settings or get_settings()
    now = _now()
    window = settings.notification_group_window_s
    repository.fan_out(session, recipients, {
        "kind": kind.value, "subject_type": subject_type, "subject_id": str(subject_id), "group_key": group_key,
        "window_start": int(now.timestamp()) // window * window, "data": data or {}}, actor_id, now,
        {delivery: _email_due(settings, delivery, now) for delivery in Delivery},
        EMAIL_DEFAULTS[kind].value)


# Reading


@dataclass
class Page:
    items: list[Notification]
    next_cursor: str | None
    unread: int


def encode_cursor(notification: Notification) -> str:
    text = f"{notification.updated_at.isoformat()}|{notification.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, last_id = text.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive time")
        return parsed, uuid.UUID(last_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as err:
        raise InvalidCursor("cursor is not one this endpoint returned: pass `next_cursor` of the previous page",
                            field="cursor") from err


def list_page(session: Session, user_id: uuid.UUID, cursor: str | None, limit: int, unread_only: bool) -> Page:
    items = repository.page(session, user_id, decode_cursor(cursor) if cursor else None, limit + 1, unread_only)
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, next_cursor=encode_cursor(items[-1]) if more else None,
                unread=repository.unread_count(session, user_id))


def unread_count(session: Session, user_id: uuid.UUID) -> int:
    return repository.unread_count(session, user_id)


def mark_read(session: Session, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    notification = repository.owned(session, user_id, notification_id)
    if notification is None:
        raise NotificationNotFound(f"you have no notification {notification_id}")
    repository.mark_read(session, user_id, notification_id, _now())
    session.refresh(notification)
    live.announce(session, get_settings(), user_id, {"type": "read", "id": str(notification_id)})
    return notification


def mark_all_read(session: Session, user_id: uuid.UUID) -> int:
    count = repository.mark_read(session, user_id, None, _now())
    if count:
        live.announce(session, get_settings(), user_id, {"type": "read", "id": None})
    return count


# Preferences


@dataclass(frozen=True)
class Preference:
    kind: NotificationKind
    channel: Channel
    delivery: Delivery
    default: bool


def preferences(session: Session, user_id: uuid.UUID) -> list[Preference]:
    """Every kind x channel with the user's choice, or the default (said so)."""
    chosen = repository.preferences_of(session, user_id)
    return [Preference(kind, channel, Delivery(chosen.get((kind.value, channel.value),
                                                          default_delivery(kind, channel))),
                       (kind.value, channel.value) not in chosen)
            for kind in NotificationKind for channel in Channel]


def save_preferences(session: Session, user_id: uuid.UUID,
                     choices: list[tuple[NotificationKind, Channel, Delivery]]) -> list[Preference]:
    for kind, channel, delivery in choices:
        repository.save_preference(session, user_id, kind.value, channel.value, delivery.value)
    session.flush()
    return preferences(session, user_id)


def actor_names(session: Session, actor_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of actors: an artist's profile name, else the part of the e-mail before the @."""
    if not actor_ids:
        return {}
    rows = session.execute(select(User.id, User.email, ArtistProfile.display_name)
                           .outerjoin(ArtistProfile, ArtistProfile.user_id == User.id).where(User.id.in_(actor_ids)))
    return {row.id: row.display_name or (row.email or "someone").split("@")[0] for row in rows}


_VERBS: dict[NotificationKind, str] = {
    NotificationKind.follow: "followed you",
    NotificationKind.like: "liked {title}",
    NotificationKind.repost: "reposted {title}",
    NotificationKind.comment: "commented on {title}",
    NotificationKind.mention: "mentioned you in {title}",
    NotificationKind.reply: "replied to you on {title}",
    NotificationKind.release: "released {title}",
    NotificationKind.message: "sent you {messages}",
    NotificationKind.dispute_opened: "opened a dispute on {title}",
}
_SENTENCES: dict[NotificationKind, str] = {
    NotificationKind.release: "{title} is registered on chain",
    NotificationKind.sale: "{title} sold {count}",
    NotificationKind.payout_published: "Royalties of {amount} are ready to claim for {account} (period {period})",
    NotificationKind.claim_confirmed: "Your claim of {amount} for {account} is confirmed on chain",
    NotificationKind.invitation: "You are named as a payee: accept the invitation e-mailed to you",
    NotificationKind.dispute_opened: "A dispute was opened on {title}",
}


def summary(notification: Notification, names: dict[uuid.UUID, str]) -> str:
    """One line a person reads: "Ana and 11 others liked Blue Hour"."""
    kind = NotificationKind(notification.kind)
    data = notification.data or {}
    values = {"title": data.get("title") or f"{notification.subject_type} {notification.subject_id}",
              "count": notification.event_count, "amount": data.get("amount", "?"),
              "account": data.get("account", "your wallet"), "period": data.get("period_id", "?"),
              "messages": "a message" if notification.event_count <= 1 else f"{notification.event_count} messages"}
    if kind is NotificationKind.release and notification.event_count > 1:
        values["title"] = f"{notification.event_count} recordings"
    actors = [names.get(actor_id, "someone") for actor_id in notification.latest_actor_ids]
    if actors and kind in _VERBS:
        others = notification.actor_count - 1
        who = actors[0] if others <= 0 else (f"{actors[0]} and {others} other" + ("s" if others > 1 else ""))
        return f"{who} {_VERBS[kind].format(**values)}"
    return _SENTENCES.get(kind, kind.value.replace("_", " ")).format(**values)
