"""Fan-out of chain events to webhook endpoints, and one delivery attempt at a time.

The dispatcher follows `chain_events` in chain order from a stored cursor and adds one delivery per
subscribed endpoint and event (unique, so re-reading events is harmless). When a reorg replaced the block
under the cursor, it rewinds to the highest block that can no longer change and reads forward again:
replacement events get new ids and new deliveries; deliveries of removed events are cancelled when due.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from indexer.models import ChainEvent
from partners import repository, sender
from partners.errors import WebhookUrlRefused
from partners.models import DeliveryStatus, WebhookCursor, WebhookDelivery, WebhookDeliveryAttempt
from partners.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, Resolver, event_from_chain, resolve_target, sign

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; after the last one the delivery is given up.
RETRY_DELAYS_S = (30, 120, 600, 3600, 6 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
TIMEOUT_S = 10.0  # the whole attempt: connect, send and read
EXCERPT_CHARS = 1000
EXCERPT_BYTES = 4 * EXCERPT_CHARS  # all we read of an answer (UTF-8 takes at most 4 bytes a character)
# How long a claimed attempt keeps others off its delivery; well past the deadline, so only a dead worker's runs out.
LEASE = timedelta(seconds=6 * TIMEOUT_S)
EVENTS_PER_BATCH = 500
BATCHES_PER_RUN = 20
DELIVERIES_PER_RUN = 25  # in eager mode a run waits for its batch (sent side by side): keep it short
AFTER_EVENT = 2**31 - 1  # a log index past every real one: "after every event of this block"


@dataclass
class Dispatched:
    created: int = 0
    events: int = 0
    rewound: bool = False
    to_deliver: list[uuid.UUID] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _advance(cursor: WebhookCursor, row: ChainEvent) -> None:
    cursor.block_number, cursor.log_index, cursor.block_hash = row.block_number, row.log_index, row.block_hash


def _rewind_if_reorged(session: Session, chain_id: int, cursor: WebhookCursor) -> bool:
    """Move the cursor back to settled ground when the mirror no longer holds the block it points at."""
    if cursor.block_number < 0:
        return False
    checkpoint = repository.checkpoint_number(session, chain_id)
    stored = repository.indexed_hash(session, chain_id, cursor.block_number)
    replaced = cursor.block_hash is not None and stored is not None and stored != cursor.block_hash
    if not replaced and checkpoint is not None and checkpoint >= cursor.block_number:
        return False
    # Blocks below the lowest one the indexer still tracks are final; so is anything below the checkpoint.
    lowest = repository.lowest_indexed_block(session, chain_id)
    settled = [cursor.block_number - 1, checkpoint if checkpoint is not None else -1]
    if lowest is not None:
        settled.append(lowest - 1)
    floor = min(settled)
    log.warning("webhook dispatcher rewinds after a reorg",
                extra={"chain_id": chain_id, "from_block": cursor.block_number, "to_block": floor})
    cursor.block_number, cursor.log_index, cursor.block_hash = floor, AFTER_EVENT, None
    return True


def dispatch(session: Session, chain_id: int, now: datetime | None = None, *,
             retry_grace: timedelta = timedelta(0), max_deliveries: int = DELIVERIES_PER_RUN) -> Dispatched:
    """Turn new chain events into deliveries; return at most `max_deliveries` to attempt now (new, then due).

    `retry_grace`: with Celery, retries are already scheduled as delayed tasks, so only deliveries overdue
    by more than this (a lost task) are handed out again; in eager mode (0) every due delivery is.
    Deliveries left over stay pending and due, for the next run.
    """
    now = now or _now()
    result = Dispatched()
    cursor = repository.locked_cursor(session, chain_id)
    result.rewound = _rewind_if_reorged(session, chain_id, cursor)
    subscribers = repository.subscriptions(session)
    if not subscribers:
        # Nobody to tell: skip to the newest event (endpoints hear about events after they subscribe).
        last = repository.last_event(session, chain_id)
        if last is not None:
            _advance(cursor, last)
        session.flush()
        return result
    for _ in range(BATCHES_PER_RUN):
        rows = repository.events_after(session, chain_id, cursor.block_number, cursor.log_index, EVENTS_PER_BATCH)
        for row in rows:
            event = event_from_chain(row)
            if event is None:
                continue
            result.events += 1
            body = event.body(now)
            for endpoint_id, types in subscribers:
                if event.type.value not in types:
                    continue
                delivery_id = repository.add_delivery(session, {
                    "id": uuid.uuid4(), "endpoint_id": endpoint_id, "event_id": event.id,
                    "event_type": event.type.value, "chain_id": chain_id, "block_number": event.block_number,
                    "block_hash": event.block_hash,
                    "log_index": event.log_index, "body": body, "status": DeliveryStatus.pending.value,
                    "attempts": 0, "next_attempt_at": now})
                if delivery_id is not None:
                    result.created += 1
                    result.to_deliver.append(delivery_id)
        if rows:
            _advance(cursor, rows[-1])
        if len(rows) < EVENTS_PER_BATCH:
            break
    session.flush()
    result.to_deliver = result.to_deliver[:max_deliveries]
    if len(result.to_deliver) < max_deliveries:
        known = set(result.to_deliver)
        due = repository.claim_due_deliveries(session, now - retry_grace, now, max_deliveries)
        result.to_deliver += [d for d in due if d not in known][:max_deliveries - len(result.to_deliver)]
    return result


@dataclass(frozen=True)
class Outcome:
    status: str  # the delivery's status afterwards, or "skipped" (not due, gone, or held by another worker)
    retry_in_s: int | None = None  # set when a retry was scheduled


@dataclass(frozen=True)
class Claim:
    """What a worker took out of the database to send one delivery, the lease it holds on it included."""

    delivery_id: uuid.UUID
    attempt: int  # the number this attempt will have
    lease_until: datetime
    url: str
    signing_secret: str
    event_id: str
    body: str


def claim(session: Session, delivery_id: uuid.UUID, now: datetime | None = None) -> Claim | Outcome:
    """Lease a due delivery for one attempt (a short transaction of its own); an Outcome when there is nothing
    to send: not due, leased by another worker, gone, or cancelled because its event was reorged away."""
    now = now or _now()
    found = repository.locked_delivery(session, delivery_id)
    if found is None:
        return Outcome("skipped")
    delivery, endpoint = found
    if (delivery.status != DeliveryStatus.pending.value or (delivery.next_attempt_at or now) > now
            or (delivery.lease_until is not None and delivery.lease_until > now)):
        return Outcome("skipped")
    if not repository.chain_event_exists(session, delivery.chain_id, delivery.block_hash, delivery.log_index):
        checkpoint = repository.checkpoint_number(session, delivery.chain_id)
        if checkpoint is None or checkpoint < delivery.block_number:
            return Outcome("skipped")  # the mirror is re-indexing that block (a replay): wait for it
        delivery.status, delivery.next_attempt_at = DeliveryStatus.cancelled.value, None
        log.info("webhook delivery cancelled: its event was reorged away", extra={"delivery_id": str(delivery.id)})
        return Outcome(delivery.status)
    delivery.lease_until = now + LEASE
    return Claim(delivery.id, delivery.attempts + 1, delivery.lease_until, endpoint.url, endpoint.signing_secret,
                 delivery.event_id, delivery.body)


@dataclass(frozen=True)
class Sent:
    """What one HTTP attempt gave, measured outside any transaction."""

    started_at: datetime
    status_code: int | None
    excerpt: str
    error: str | None
    duration_ms: int


def send(claimed: Claim, *, public_only: bool, show_private_excerpts: bool, deadline_s: float | None = None,
         resolver: Resolver = socket.getaddrinfo) -> Sent:
    """The HTTP attempt itself: no database session is open while it runs.

    The URL is checked again here (DNS answers change) and the request goes to exactly the address checked.
    An answer from a private address is only kept for the partner to read in development.
    """
    started_at, started = _now(), time.monotonic()
    try:
        target = resolve_target(claimed.url, public_only=public_only, resolver=resolver)
    except WebhookUrlRefused as err:
        return Sent(started_at, None, "", err.detail, int((time.monotonic() - started) * 1000))
    parts = urlsplit(claimed.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json", "User-Agent": "HARMONI-Webhooks/1",
               EVENT_ID_HEADER: claimed.event_id,
               SIGNATURE_HEADER: sign(claimed.signing_secret, claimed.body, int(started_at.timestamp()))}
    answer = sender.post(target, path, claimed.body.encode(), headers, deadline_s=deadline_s or TIMEOUT_S,
                         max_bytes=EXCERPT_BYTES)
    excerpt = answer.excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS]
    if not target.public and not show_private_excerpts:
        excerpt = ""
    return Sent(started_at, answer.status_code, excerpt, answer.error, int((time.monotonic() - started) * 1000))


def record(session: Session, claimed: Claim, sent: Sent) -> Outcome:
    """Log the attempt and mark the delivery delivered, scheduled for retry, or failed (a short transaction).

    Nothing is recorded when the delivery is gone (its endpoint was deleted meanwhile) or another worker took
    it over after our lease ran out.
    """
    delivery = repository.locked_delivery_row(session, claimed.delivery_id)
    if (delivery is None or delivery.status != DeliveryStatus.pending.value
            or delivery.attempts + 1 != claimed.attempt or delivery.lease_until != claimed.lease_until):
        return Outcome("skipped")
    succeeded = sent.status_code is not None and 200 <= sent.status_code < 300
    delivery.attempts, delivery.lease_until = claimed.attempt, None
    session.add(WebhookDeliveryAttempt(
        id=uuid.uuid4(), delivery_id=delivery.id, attempt=delivery.attempts, attempted_at=sent.started_at,
        succeeded=succeeded, status_code=sent.status_code,
        error=sent.error or (None if succeeded else f"HTTP {sent.status_code}"),
        response_excerpt=sent.excerpt, duration_ms=sent.duration_ms))
    delivery.last_status_code = sent.status_code
    return _settle(delivery, succeeded, _now())


def attempt(sessions: sessionmaker[Session], delivery_id: uuid.UUID, *, public_only: bool,
            show_private_excerpts: bool, resolver: Resolver = socket.getaddrinfo) -> Outcome:
    """Send a due delivery once: claim it, POST it with no transaction open, record what happened.

    The lease, not a row lock, keeps two workers from sending the same delivery at once; a worker that dies
    mid-attempt leaves a lease that simply runs out.
    """
    with sessions.begin() as session:
        claimed = claim(session, delivery_id)
    if isinstance(claimed, Outcome):
        return claimed
    sent = send(claimed, public_only=public_only, show_private_excerpts=show_private_excerpts, resolver=resolver)
    with sessions.begin() as session:
        return record(session, claimed, sent)


def _settle(delivery: WebhookDelivery, succeeded: bool, now: datetime) -> Outcome:
    if succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.succeeded.value, now, None
        return Outcome(delivery.status)
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed.value, None
        log.warning("webhook delivery given up", extra={"delivery_id": str(delivery.id), "attempts": delivery.attempts})
        return Outcome(delivery.status)
    delay = RETRY_DELAYS_S[delivery.attempts - 1]
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    return Outcome(delivery.status, retry_in_s=delay)
