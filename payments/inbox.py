"""The Stripe webhook inbox: verify, store once by event id, apply in a worker with retries, dead-letter, reconcile.

A webhook is verified on its raw bytes (the library's check, plus: no timestamp more than 5 minutes ahead, the
event's `livemode` must match the key's) and stored; the answer is 2xx as soon as the row is committed. Applying
an event takes its row with FOR UPDATE SKIP LOCKED, so two workers never apply the same one, and marks it
`handled_at` in the same transaction as its effects: a worker that dies leaves nothing half-applied, and the row
is taken again. Handlers re-fetch the object from Stripe, so any arrival order gives Stripe's latest state.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import stripe
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from payments.errors import PrerequisiteMissing, WebhookRefused
from payments.models import StripeEvent

log = logging.getLogger(__name__)
TOLERANCE_S = 300
FUTURE_TOLERANCE_S = 300
MAX_BACKOFF_S = 3600


def verify(payload: bytes, header: str | None, secret: str, *, livemode: bool, now: float | None = None) -> dict:
    """The event in a webhook, once its signature, timestamp and mode check out; WebhookRefused otherwise."""
    if not secret:
        raise WebhookRefused("no webhook secret is configured (HARMONI_STRIPE_WEBHOOK_SECRET)")
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=TOLERANCE_S)
        timestamp, _ = stripe.WebhookSignature._get_timestamp_and_signatures(header or "", "v1")
    except (stripe.SignatureVerificationError, IndexError, ValueError) as err:
        raise WebhookRefused(f"Stripe-Signature does not verify: {err}", field="Stripe-Signature") from err
    if timestamp > (now or time.time()) + FUTURE_TOLERANCE_S:
        raise WebhookRefused("Stripe-Signature's timestamp is more than 5 minutes in the future",
                             field="Stripe-Signature")
    try:
        event = json.loads(payload)
        event_id, kind, created = event["id"], event["type"], int(event["created"])
        if not isinstance(event["data"]["object"], dict):
            raise TypeError("data.object")
    except (ValueError, KeyError, TypeError) as err:
        raise WebhookRefused("the body is not a Stripe event (id, type, created, data.object)") from err
    if bool(event.get("livemode")) != livemode:
        mode = "live" if event.get("livemode") else "test"
        raise WebhookRefused(f"a {mode}-mode event, but the configured key is for "
                             f"{'live' if livemode else 'test'} mode", field="livemode")
    if not (isinstance(event_id, str) and event_id.startswith("evt_") and isinstance(kind, str) and created > 0):
        raise WebhookRefused("the body is not a Stripe event (id evt_…, type, created)")
    return event


def store(session: Session, event: dict, source: str = "webhook") -> bool:
    """Put the event in the inbox; False when it was there already (a duplicate delivery)."""
    inserted = session.execute(insert(StripeEvent).values(
        id=event["id"], type=event["type"], created=int(event["created"]), livemode=bool(event.get("livemode")),
        payload=event, source=source, attempts=0).on_conflict_do_nothing(index_elements=[StripeEvent.id])
        .returning(StripeEvent.id)).scalar()
    return inserted is not None


def backoff_s(attempts: int) -> int:
    """After the n-th failed attempt: 2, 4, 8 … seconds, at most an hour."""
    return min(2 ** attempts, MAX_BACKOFF_S)


Handler = Callable[[Session, dict], None]


def apply_next(sessions: sessionmaker[Session], handle: Handler, *, max_attempts: int,
               event_id: str | None = None) -> str | None:
    """Apply one due event (or `event_id`), in one transaction with its effects; its id, or None when none is due.

    A missing prerequisite or any other failure is recorded on the row (attempts, next attempt with backoff, the
    error) and after `max_attempts` the event is dead-lettered."""
    with sessions() as session, session.begin():
        query = select(StripeEvent).where(StripeEvent.handled_at.is_(None), StripeEvent.dead_at.is_(None))
        if event_id:
            query = query.where(StripeEvent.id == event_id)
        else:
            query = query.where(StripeEvent.next_attempt_at <= func.clock_timestamp()).order_by(StripeEvent.created,
                                                                                                StripeEvent.id)
        row = session.scalars(query.limit(1).with_for_update(skip_locked=True)).one_or_none()
        if row is None:
            return None
        found_id, payload = row.id, row.payload
        try:
            with session.begin_nested():
                handle(session, payload)
        except Exception as err:  # recorded on the row; the worker goes on with the next event
            retry = isinstance(err, PrerequisiteMissing)
            if not retry:
                log.exception("stripe event failed", extra={"event_id": found_id})
            row.attempts += 1
            row.last_error = f"{type(err).__name__}: {err}"[:2000]
            if row.attempts >= max_attempts:
                row.dead_at = datetime.now(UTC)
                log.error("stripe event dead-lettered", extra={"event_id": found_id, "error": row.last_error})
            else:
                row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=backoff_s(row.attempts))
            return found_id
        row.handled_at = datetime.now(UTC)
        row.attempts += 1
        row.last_error = None
    return found_id


def apply_due(sessions: sessionmaker[Session], handle: Handler, *, max_attempts: int, limit: int = 1000) -> int:
    """Apply due events one by one until none is due (or `limit`); how many were attempted."""
    done = 0
    while done < limit and apply_next(sessions, handle, max_attempts=max_attempts) is not None:
        done += 1
    return done


def dead_letters(session: Session, limit: int = 100) -> list[StripeEvent]:
    return list(session.scalars(select(StripeEvent).where(StripeEvent.dead_at.is_not(None))
                                .order_by(StripeEvent.dead_at.desc()).limit(limit)))


def revive(session: Session, event_id: str) -> StripeEvent | None:
    """Give a dead-lettered event a fresh round of attempts (after an admin fixed the cause)."""
    row = session.scalars(select(StripeEvent).where(StripeEvent.id == event_id, StripeEvent.dead_at.is_not(None))
                          .with_for_update()).one_or_none()
    if row is not None:
        row.dead_at, row.attempts, row.next_attempt_at = None, 0, datetime.now(UTC)
    return row


def reconcile(session: Session, client: stripe.StripeClient, *, days: int, livemode: bool) -> int:
    """Store every recent event of Stripe's the inbox lacks (a webhook that never arrived); how many were added."""
    since = int(time.time()) - days * 86400
    added = 0
    for event in client.v1.events.list(params={"created": {"gte": since}, "limit": 100}).auto_paging_iter():
        data = event.to_dict()
        if bool(data.get("livemode")) == livemode and store(session, data, source="reconcile"):
            added += 1
    return added
