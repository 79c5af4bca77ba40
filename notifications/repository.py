"""Queries of the notification tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Uuid, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array, insert
from sqlalchemy.orm import Session, aliased

from notifications.models import EmailSuppression, Notification, NotificationActor, NotificationPreference

LATEST_ACTORS = 5  # actors a notification names; the rest is a count ("and 11 others")


def upsert_group(session: Session, values: dict, now: datetime) -> tuple[uuid.UUID, bool]:
    """The group's notification, created when new, locked (row lock until commit) either way; (id, created)."""
    statement = insert(Notification).values(**values, actor_count=0, event_count=0, latest_actor_ids=[],
                                            created_at=now, updated_at=now)
    # A no-op update takes the row lock: concurrent events of one group line up here, so their counts add up.
    statement = statement.on_conflict_do_update(constraint="uq_notifications_group",
                                                set_={"kind": statement.excluded.kind})
    row = session.execute(statement.returning(Notification.id, Notification.event_count)).one()
    return row.id, row.event_count == 0


def add_actor(session: Session, notification_id: uuid.UUID, actor_id: uuid.UUID) -> bool:
    """True when the actor is new to this notification."""
    return session.scalar(insert(NotificationActor).values(notification_id=notification_id, actor_id=actor_id)
                          .on_conflict_do_nothing().returning(NotificationActor.actor_id)) is not None


def record_event(session: Session, notification_id: uuid.UUID, actor_id: uuid.UUID | None, data: dict,
                 now: datetime, email_due_at: datetime | None) -> Notification:
    values: dict = {"event_count": Notification.event_count + 1, "updated_at": now, "read_at": None, "data": data,
                    # Due once per unsent group: later events do not push the e-mail further out.
                    "email_due_at": func.coalesce(Notification.email_due_at, email_due_at)
                    if email_due_at is not None else Notification.email_due_at}
    if actor_id is not None:
        values["actor_count"] = Notification.actor_count + 1
        newest_first = func.array_prepend(actor_id, func.array_remove(Notification.latest_actor_ids, actor_id),
                                          type_=ARRAY(Uuid))
        values["latest_actor_ids"] = newest_first[1:LATEST_ACTORS]
    session.execute(update(Notification).where(Notification.id == notification_id).values(**values))
    return session.get(Notification, notification_id, populate_existing=True)


def fan_out(session: Session, recipients, values: dict, actor_id: uuid.UUID, now: datetime,
            email_due: dict, email_default: str) -> None:
    """One notification (or one more event of its group) per recipient whose preferences keep the kind on some
    channel, with `actor_id` as its actor: an insert from a select, then the actors from what it returned."""
    who = recipients.subquery("recipient")
    recipient = next(iter(who.c))
    in_app_pref, email_pref = aliased(NotificationPreference), aliased(NotificationPreference)
    in_app = func.coalesce(in_app_pref.delivery, "immediate")
    email = func.coalesce(email_pref.delivery, email_default)

    def chosen(pref, channel: str):
        return and_(pref.user_id == recipient, pref.kind == values["kind"], pref.channel == channel)

    rows = select(func.gen_random_uuid(), recipient, *[literal(values[k]) for k in
                                                       ("kind", "subject_type", "subject_id", "group_key")],
                  literal(values["window_start"], BigInteger), literal(1), literal(1),
                  cast(array([literal(actor_id, Uuid)]), ARRAY(Uuid)), literal(values["data"], JSONB),
                  in_app != "off", literal(now), literal(now),
                  case(*[(email == d.value, literal(at, DateTime(timezone=True))) for d, at in email_due.items()
                         if at is not None])).select_from(who).outerjoin(
        in_app_pref, chosen(in_app_pref, "in_app")).outerjoin(email_pref, chosen(email_pref, "email")).where(
        recipient != actor_id, or_(in_app != "off", email != "off"))
    columns = ["id", "recipient_id", "kind", "subject_type", "subject_id", "group_key", "window_start", "actor_count",
               "event_count", "latest_actor_ids", "data", "in_app", "created_at", "updated_at", "email_due_at"]
    statement = insert(Notification).from_select(columns, rows)
    statement = statement.on_conflict_do_update(constraint="uq_notifications_group", set_={
        "event_count": Notification.event_count + 1, "updated_at": now, "read_at": None,
        "data": statement.excluded.data,
        "email_due_at": func.coalesce(Notification.email_due_at, statement.excluded.email_due_at)})
    written = statement.returning(Notification.id).cte("written")
    session.execute(insert(NotificationActor).from_select(
        ["notification_id", "actor_id"], select(written.c.id, literal(actor_id, Uuid))).on_conflict_do_nothing())


def page(session: Session, recipient_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int,
         unread_only: bool) -> list[Notification]:
    """Newest first (by the latest event), keyset-paginated after (updated_at, id)."""
    query = select(Notification).where(Notification.recipient_id == recipient_id, Notification.in_app)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if after is not None:
        at, last_id = after
        query = query.where(or_(Notification.updated_at < at,
                                and_(Notification.updated_at == at, Notification.id < last_id)))
    return list(session.scalars(query.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(session: Session, recipient_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == recipient_id, Notification.in_app, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, recipient_id: uuid.UUID, notification_id: uuid.UUID | None, now: datetime) -> int:
    query = update(Notification).where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return session.execute(query.values(read_at=now)).rowcount


def owned(session: Session, recipient_id: uuid.UUID, notification_id: uuid.UUID) -> Notification | None:
    return session.scalars(select(Notification).where(Notification.id == notification_id,
                                                      Notification.recipient_id == recipient_id)).one_or_none()


def preferences_of(session: Session, user_id: uuid.UUID) -> dict[tuple[str, str], str]:
    rows = session.execute(select(NotificationPreference.kind, NotificationPreference.channel,
                                  NotificationPreference.delivery).where(NotificationPreference.user_id == user_id))
    return {(row.kind, row.channel): row.delivery for row in rows}


def save_preference(session: Session, user_id: uuid.UUID, kind: str, channel: str, delivery: str) -> None:
    statement = insert(NotificationPreference).values(user_id=user_id, kind=kind, channel=channel, delivery=delivery)
    session.execute(statement.on_conflict_do_update(index_elements=["user_id", "kind", "channel"],
                                                    set_={"delivery": delivery, "updated_at": func.now()}))


def suppress(session: Session, address: str, reason: str) -> bool:
    """True when the address was not suppressed before."""
    return session.scalar(insert(EmailSuppression).values(address=address, reason=reason)
                          .on_conflict_do_nothing().returning(EmailSuppression.address)) is not None


def is_suppressed(session: Session, address: str) -> bool:
    return session.get(EmailSuppression, address.lower()) is not None
