"""E-mail: notification mails queued into the outbox when still unread after their delay, and the SMTP sender
that drains the outbox (`email_outbox`: invitations and verifications write it too).

Sending is at least once, never inside a transaction: a sender leases due rows (`lease_until`, claimed with
`FOR UPDATE SKIP LOCKED`, so any number of senders share the outbox), commits, talks to the SMTP server, and
only then records `sent_at` — after the server accepted the message. A temporary refusal (4xx, a connection
that fails) is retried with exponential backoff; a permanent one (5xx) gives the row up, and a recipient refused
with 5xx is put on the suppression list (a hard bounce). A suppressed address is never mailed. A sender that
dies mid-send leaves its lease to run out; the row is then sent again (a duplicate is better than a lost
invitation).

Notification mails carry `List-Unsubscribe` with a signed one-click link and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` (RFC 8058): a mail client POSTs to the link, which turns off e-mail for the kinds
the mail was about. They go only to verified addresses: an unverified one may be someone else's mailbox.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from harmoni.errors import ConfigurationError
from harmoni.settings import Settings
from identity.models import OutboxEmail, User
from notifications import repository, service
from notifications.errors import InvalidEmailAddress, InvalidUnsubscribeToken
from notifications.models import Channel, Delivery, Notification, NotificationKind, SuppressionReason

log = logging.getLogger(__name__)
AUDIENCE = "harmoni:unsubscribe"
ALGORITHM = "HS256"
UNSUBSCRIBE_PATH = "/v1/notifications/unsubscribe"
BATCH = 50


def _now() -> datetime:
    return datetime.now(UTC)


# Unsubscribing and suppression


def unsubscribe_token(settings: Settings, user_id: uuid.UUID, kinds: list[str], now: datetime | None = None) -> str:
    now = now or _now()
    claims = {"sub": str(user_id), "kinds": sorted(set(kinds)), "aud": AUDIENCE, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(days=settings.unsubscribe_token_ttl_days)).timestamp())}
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[uuid.UUID, list[NotificationKind]]:
    try:
        claims = jwt.decode(token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM], audience=AUDIENCE,
                            options={"require": ["sub", "kinds", "aud", "exp"]})
        return uuid.UUID(claims["sub"]), [NotificationKind(k) for k in claims["kinds"]]
    except jwt.ExpiredSignatureError as err:
        raise InvalidUnsubscribeToken("this unsubscribe link has expired: change your preferences in the app "
                                      "(PUT /v1/me/notification-preferences)", field="token") from err
    except (jwt.InvalidTokenError, ValueError, TypeError) as err:
        raise InvalidUnsubscribeToken("this unsubscribe link is not valid", field="token") from err


def unsubscribe(session: Session, settings: Settings, token: str) -> list[NotificationKind]:
    """Turn e-mail off for the link's kinds; using the link again changes nothing and is not an error."""
    user_id, kinds = read_unsubscribe_token(settings, token)
    if session.get(User, user_id) is None:
        raise InvalidUnsubscribeToken("this unsubscribe link is for an account that no longer exists", field="token")
    for kind in kinds:
        repository.save_preference(session, user_id, kind.value, Channel.email.value, Delivery.off.value)
    session.flush()
    log.info("unsubscribed", extra={"user_id": str(user_id), "kinds": [k.value for k in kinds]})
    return kinds


def suppress(session: Session, address: str, reason: SuppressionReason | str) -> bool:
    """Put an address on the suppression list (a bounce, a complaint); True when it was not on it."""
    address = address.strip().lower()
    if "@" not in address or len(address) > 320:
        raise InvalidEmailAddress(f"{address!r} is not an e-mail address", field="address")
    new = repository.suppress(session, address, SuppressionReason(reason).value)
    log.info("e-mail address suppressed", extra={"reason": str(reason), "new": new})
    return new


# Notification mails


def queue_notification_emails(sessions: sessionmaker[Session], settings: Settings, now: datetime | None = None) -> int:
    """Turn notifications whose e-mail is due into outbox rows, one mail per recipient; the number of mails.

    A notification read in the meantime is not mailed (that was the point of the delay)."""
    now = now or _now()
    with sessions.begin() as session:
        due = list(session.scalars(
            select(Notification).where(Notification.email_due_at <= now, Notification.emailed_at.is_(None))
            .order_by(Notification.recipient_id, Notification.updated_at.desc()).limit(500)
            .with_for_update(skip_locked=True)))
        by_recipient: dict[uuid.UUID, list[Notification]] = {}
        for notification in due:
            notification.emailed_at = now  # decided now: mailed, or not to be mailed
            if notification.read_at is None or not notification.in_app:
                by_recipient.setdefault(notification.recipient_id, []).append(notification)
        mails = 0
        for recipient_id, notifications in by_recipient.items():
            user = session.get(User, recipient_id)
            if user is None or user.email is None or user.email_verified_at is None:
                continue
            if repository.is_suppressed(session, user.email):
                continue
            session.add(_notification_mail(session, settings, user, notifications))
            mails += 1
        session.flush()
    return mails


def _notification_mail(session: Session, settings: Settings, user: User,
                       notifications: list[Notification]) -> OutboxEmail:
    names = service.actor_names(session, sorted({a for n in notifications for a in n.latest_actor_ids}))
    lines = [service.summary(n, names) for n in notifications]
    kinds = sorted({n.kind for n in notifications})
    link = f"{settings.api_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={unsubscribe_token(settings, user.id, kinds)}"
    subject = lines[0] if len(lines) == 1 else f"{len(lines)} new notifications on HARMONI"
    body = ("\n".join(f"- {line}" for line in lines)
            + f"\n\nSee them at {settings.api_url.rstrip('/')}/notifications\n\n"
            + f"To stop these e-mails ({', '.join(k.replace('_', ' ') for k in kinds)}), open:\n  {link}\n")
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return OutboxEmail(id=uuid.uuid4(), to_address=user.email, subject=subject[:200], body=body, headers=headers,
                       attempts=0, next_attempt_at=_now())


# The SMTP sender


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError("HARMONI_SMTP_URL must look like smtp://[user:pass@]host:port[?starttls=true] "
                                     "or smtps://...")
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        implicit = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if implicit else 25), implicit_tls=implicit,
                   starttls=query.get("starttls", "false") in ("1", "true", "yes"),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


class PermanentFailure(Exception):
    """The server refused for good (5xx): do not retry."""

    def __init__(self, message: str, bounced: bool) -> None:
        super().__init__(message)
        self.bounced = bounced


def message_of(settings: Settings, email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(idstring=email.id.hex, domain="harmoni")
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body)
    return message


def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; returns once the server accepted it."""
    target = SmtpTarget.parse(settings.smtp_url.get_secret_value())
    context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)  # verified: host name and chain
    try:
        if target.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=settings.smtp_timeout_s,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=settings.smtp_timeout_s)
        with smtp:
            if target.starttls:
                smtp.starttls(context=context)
            if target.username:
                smtp.login(target.username, target.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as err:
        codes = [code for code, _ in err.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {codes}", bounced=True) from err
        raise
    except smtplib.SMTPResponseException as err:
        if err.smtp_code >= 500:
            raise PermanentFailure(f"{err.smtp_code} {err.smtp_error!r}"[:300], bounced=False) from err
        raise


def claim_due(sessions: sessionmaker[Session], settings: Settings, limit: int = BATCH) -> list[uuid.UUID]:
    """Lease up to `limit` due outbox rows for this sender (committed at once: the send happens outside)."""
    with sessions.begin() as session:
        now = func.clock_timestamp()
        due = (select(OutboxEmail.id)
               .where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
                      func.coalesce(OutboxEmail.next_attempt_at, OutboxEmail.created_at) <= now,
                      or_(OutboxEmail.lease_until.is_(None), OutboxEmail.lease_until <= now))
               .order_by(OutboxEmail.next_attempt_at).limit(limit).with_for_update(skip_locked=True))
        return list(session.scalars(
            update(OutboxEmail).where(OutboxEmail.id.in_(due.scalar_subquery()))
            .values(lease_until=now + timedelta(seconds=settings.email_lease_s), attempts=OutboxEmail.attempts + 1)
            .returning(OutboxEmail.id)))


def backoff_s(settings: Settings, attempts: int) -> float:
    return min(settings.email_retry_base_s * 2 ** max(attempts - 1, 0), settings.email_retry_max_s)


def send_one(sessions: sessionmaker[Session], settings: Settings, email_id: uuid.UUID) -> str:
    """Send one leased row; its outcome: sent, suppressed, retry or failed."""
    with sessions() as session:
        email = session.get(OutboxEmail, email_id)
        if email is None or email.sent_at is not None:
            return "sent"
        suppressed = repository.is_suppressed(session, email.to_address)
        message = message_of(settings, email)
        attempts = email.attempts
    outcome, error, bounced = "sent", None, False
    if suppressed:
        outcome, error = "suppressed", "the address is on the suppression list"
    else:
        try:
            deliver(settings, message)
        except PermanentFailure as err:
            outcome, error, bounced = "failed", str(err), err.bounced
        except (smtplib.SMTPException, OSError) as err:
            outcome, error = "retry", f"{type(err).__name__}: {err}"[:500]
    if outcome == "retry" and attempts >= settings.email_max_attempts:
        outcome = "failed"
    with sessions.begin() as session:
        email = session.get(OutboxEmail, email_id, with_for_update=True)
        now = _now()
        email.lease_until, email.last_error = None, error
        if outcome == "sent":
            email.sent_at = now
        elif outcome == "retry":
            email.next_attempt_at = now + timedelta(seconds=backoff_s(settings, attempts))
        else:
            email.failed_at = now
            if bounced:
                repository.suppress(session, email.to_address.lower(), SuppressionReason.bounce.value)
    log.info("e-mail %s", outcome, extra={"email_id": str(email_id), "attempts": attempts})
    return outcome


def send_due(sessions: sessionmaker[Session], settings: Settings) -> dict[str, int]:
    """One pass of the sender: every due row, each outcome counted. Without HARMONI_SMTP_URL nothing is sent."""
    counts: dict[str, int] = {}
    if not settings.smtp_url.get_secret_value():
        return counts
    while ids := claim_due(sessions, settings):
        for email_id in ids:
            outcome = send_one(sessions, settings, email_id)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
