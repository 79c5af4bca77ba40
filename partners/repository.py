"""Queries of the partner tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from identity.models import User
from indexer.models import ChainEvent, IndexedBlock, IndexerCheckpoint
from partners.models import (
    DeliveryStatus,
    PartnerApiKey,
    WebhookCursor,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)


def key_with_owner_roles(session: Session, secret_hash: bytes) -> tuple[PartnerApiKey, list[str]] | None:
    row = session.execute(select(PartnerApiKey, User.roles).join(User, User.id == PartnerApiKey.user_id)
                          .where(PartnerApiKey.secret_hash == secret_hash)).one_or_none()
    return (row[0], row[1]) if row else None


def keys_of(session: Session, user_id: uuid.UUID) -> list[PartnerApiKey]:
    return list(session.scalars(select(PartnerApiKey).where(PartnerApiKey.user_id == user_id)
                                .order_by(PartnerApiKey.created_at, PartnerApiKey.id)))


def count_live_keys_of(session: Session, user_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(PartnerApiKey).where(
        PartnerApiKey.user_id == user_id, PartnerApiKey.revoked_at.is_(None))) or 0


def key_of(session: Session, user_id: uuid.UUID, key_id: uuid.UUID) -> PartnerApiKey | None:
    return session.scalars(select(PartnerApiKey).where(PartnerApiKey.id == key_id,
                                                       PartnerApiKey.user_id == user_id)).one_or_none()


def endpoints_of(session: Session, user_id: uuid.UUID) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id)
                                .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)))


def endpoint_of(session: Session, user_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id,
                                                         WebhookEndpoint.user_id == user_id)).one_or_none()


def count_endpoints_of(session: Session, user_id: uuid.UUID) -> int:
    return session.scalar(select(func.count()).select_from(WebhookEndpoint)
                          .where(WebhookEndpoint.user_id == user_id)) or 0


def subscriptions(session: Session) -> list[tuple[uuid.UUID, list[str]]]:
    return [(row.id, row.events) for row in session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events))]


def deliveries_of(session: Session, endpoint_id: uuid.UUID,
                  limit: int) -> list[tuple[WebhookDelivery, list[WebhookDeliveryAttempt]]]:
    """The endpoint's newest deliveries, each with its attempts in order."""
    deliveries = list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                                      .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                                      .limit(limit)))
    attempts: dict[uuid.UUID, list[WebhookDeliveryAttempt]] = {d.id: [] for d in deliveries}
    for attempt in session.scalars(select(WebhookDeliveryAttempt)
                                   .where(WebhookDeliveryAttempt.delivery_id.in_(attempts))
                                   .order_by(WebhookDeliveryAttempt.attempt)):
        attempts[attempt.delivery_id].append(attempt)
    return [(d, attempts[d.id]) for d in deliveries]


# Dispatcher


def locked_cursor(session: Session, chain_id: int) -> WebhookCursor:
    """The chain's cursor, locked for this transaction (so dispatchers take turns); created at the start."""
    session.execute(insert(WebhookCursor).values(chain_id=chain_id, block_number=-1, log_index=-1)
                    .on_conflict_do_nothing())
    return session.scalars(select(WebhookCursor).where(WebhookCursor.chain_id == chain_id)
                           .with_for_update()).one()


def checkpoint_number(session: Session, chain_id: int) -> int | None:
    return session.scalar(select(IndexerCheckpoint.block_number).where(IndexerCheckpoint.chain_id == chain_id))


def indexed_hash(session: Session, chain_id: int, number: int) -> bytes | None:
    return session.scalar(select(IndexedBlock.hash).where(IndexedBlock.chain_id == chain_id,
                                                          IndexedBlock.number == number))


def lowest_indexed_block(session: Session, chain_id: int) -> int | None:
    return session.scalar(select(func.min(IndexedBlock.number)).where(IndexedBlock.chain_id == chain_id))


def events_after(session: Session, chain_id: int, block_number: int, log_index: int, limit: int) -> list[ChainEvent]:
    return list(session.scalars(
        select(ChainEvent).where(ChainEvent.chain_id == chain_id,
                                 tuple_(ChainEvent.block_number, ChainEvent.log_index) > (block_number, log_index))
        .order_by(ChainEvent.block_number, ChainEvent.log_index).limit(limit)))


def last_event(session: Session, chain_id: int) -> ChainEvent | None:
    return session.scalars(select(ChainEvent).where(ChainEvent.chain_id == chain_id)
                           .order_by(ChainEvent.block_number.desc(), ChainEvent.log_index.desc()).limit(1)).first()


def add_delivery(session: Session, values: dict) -> uuid.UUID | None:
    """Insert unless the endpoint already has this event; the new row's id, else None."""
    return session.scalar(insert(WebhookDelivery).values(**values)
                          .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
                          .returning(WebhookDelivery.id))


def claim_due_deliveries(session: Session, due_before: datetime, now: datetime, limit: int) -> list[uuid.UUID]:
    """Pending deliveries due before `due_before`, restamped due `now` so a later sweep does not hand them out
    again at once; rows being claimed right now (locked) or leased for an attempt in flight are left alone."""
    due = (select(WebhookDelivery.id)
           .where(WebhookDelivery.status == DeliveryStatus.pending.value, WebhookDelivery.next_attempt_at <= due_before,
                  or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until <= now))
           .order_by(WebhookDelivery.next_attempt_at).limit(limit).with_for_update(skip_locked=True))
    return list(session.scalars(update(WebhookDelivery).where(WebhookDelivery.id.in_(due.scalar_subquery()))
                                .values(next_attempt_at=now).returning(WebhookDelivery.id)))


def locked_delivery(session: Session, delivery_id: uuid.UUID) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """The delivery and its endpoint, locked; None when gone or another worker holds it right now."""
    row = session.execute(select(WebhookDelivery, WebhookEndpoint)
                          .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                          .where(WebhookDelivery.id == delivery_id)
                          .with_for_update(of=WebhookDelivery, skip_locked=True)).one_or_none()
    return (row[0], row[1]) if row else None


def chain_event_exists(session: Session, chain_id: int, block_hash: bytes, log_index: int) -> bool:
    return session.get(ChainEvent, (chain_id, block_hash, log_index)) is not None


def locked_delivery_row(session: Session, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    """The delivery locked for a moment to record an attempt's outcome; None when it is gone."""
    return session.scalars(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                           .with_for_update()).one_or_none()
