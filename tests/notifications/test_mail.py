"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1): the outbox drained, notification mails only while
unread, RFC 8058 one-click unsubscribe followed, bounces suppressed, temporary refusals retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from identity import verification
from identity.models import OutboxEmail, User
from notifications import mailer, repository, service
from notifications.models import Channel, Delivery, EmailSuppression, NotificationKind
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _comment(sessions, settings, recipient, actor, subject="7"):
    with sessions.begin() as session:
        return service.notify(session, recipient_id=recipient.id, kind=NotificationKind.comment, actor_id=actor.id,
                              subject_type="recording", subject_id=subject, data={"title": "Blue Hour"},
                              settings=settings)


def _send_all(sessions, settings):
    mailer.queue_notification_emails(sessions, settings, now=datetime.now(UTC) + timedelta(seconds=1))
    return mailer.send_due(sessions, settings)


def test_outbox_mail_is_sent_and_marked_only_after_the_server_accepted(sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    user = make_user(sessions, mail_settings, "fan")
    with sessions.begin() as session:
        email_id = verification.send(session, mail_settings, session.get(User, user.id)).id
    assert mailer.send_due(sessions, mail_settings) == {"sent": 1}
    (message,) = handler.messages
    assert message["To"] == user.email and message["Subject"] == verification.SUBJECT
    assert "verify-email?token=" in message.get_content()
    with sessions() as session:
        row = session.get(OutboxEmail, email_id)
        assert row.sent_at is not None and row.attempts == 1 and row.lease_until is None
    assert mailer.send_due(sessions, mail_settings) == {}  # nothing is sent twice


def test_an_unread_notification_is_mailed_with_one_click_unsubscribe(api, sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    artist = make_user(sessions, mail_settings, "artist", email_verified=True)
    fan = make_user(sessions, mail_settings, "fan")
    _comment(sessions, mail_settings, artist, fan)
    assert _send_all(sessions, mail_settings) == {"sent": 1}
    (message,) = handler.messages
    assert message["To"] == artist.email
    assert message["Subject"] == f"{fan.email.split('@')[0]} commented on Blue Hour"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link in message.get_content() and link.startswith("http")
    target = urlsplit(link)
    preview = api.get(f"{target.path}?{target.query}")
    assert preview.status_code == 200 and preview.json()["kinds"] == ["comment"]
    with sessions() as session:  # a GET (a link scanner) changes nothing
        assert ("comment", "email") not in repository.preferences_of(session, artist.id)
    # What a mail client does for RFC 8058: POST the URI with this body.
    done = api.post(f"{target.path}?{target.query}", content="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and done.json() == {"kinds": ["comment"], "channel": "email", "delivery": "off"}
    with sessions() as session:
        assert repository.preferences_of(session, artist.id)[("comment", "email")] == "off"
    _comment(sessions, mail_settings, artist, make_user(sessions, mail_settings, "fan"), subject="8")
    assert _send_all(sessions, mail_settings) == {}  # e-mail off for comments now
    assert len(handler.messages) == 1
    tampered = api.post(f"{target.path}?{target.query[:-3]}abc")
    assert tampered.status_code == 400 and tampered.json()["type"].endswith("/invalid-unsubscribe-token")


def test_a_notification_read_before_its_delay_is_not_mailed(sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    artist = make_user(sessions, mail_settings, "artist", email_verified=True)
    _comment(sessions, mail_settings, artist, make_user(sessions, mail_settings, "fan"))
    with sessions.begin() as session:
        service.mark_all_read(session, artist.id)
    assert _send_all(sessions, mail_settings) == {}
    assert handler.messages == []


def test_no_mail_before_the_delay_nor_to_an_unverified_address(sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    delayed = mail_settings.model_copy(update={"notification_email_delay_s": 600})
    artist = make_user(sessions, delayed, "artist", email_verified=True)
    unverified = make_user(sessions, delayed, "artist")
    _comment(sessions, delayed, artist, unverified)
    _comment(sessions, mail_settings, unverified, artist)
    assert _send_all(sessions, delayed) == {}  # the first is not due yet, the second has no proven mailbox
    assert handler.messages == []


def test_a_hard_bounce_suppresses_the_address_and_nothing_is_sent_to_it_again(api, sessions, mail_settings,
                                                                              smtp_server):
    handler, _ = smtp_server
    user = make_user(sessions, mail_settings, "fan")
    handler.refuse[user.email] = "550 5.1.1 no such user"
    with sessions.begin() as session:
        first = verification.send(session, mail_settings, session.get(User, user.id)).id
    assert mailer.send_due(sessions, mail_settings) == {"failed": 1}
    with sessions() as session:
        row = session.get(OutboxEmail, first)
        assert row.sent_at is None and row.failed_at is not None and "550" in row.last_error
        assert session.get(EmailSuppression, user.email).reason == "bounce"
    del handler.refuse[user.email]
    with sessions.begin() as session:
        verification.send(session, mail_settings, session.get(User, user.id))
    assert mailer.send_due(sessions, mail_settings) == {"suppressed": 1}
    assert handler.messages == []


def test_a_complaint_reported_by_an_admin_suppresses_the_address(api, sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    context = api.app.state.context
    admin = make_user(context.sessions, context.settings, "admin")
    user = make_user(sessions, mail_settings, "fan")
    response = api.post("/v1/admin/email-suppressions", headers=admin.headers,
                        json={"address": user.email.upper(), "reason": "complaint"})
    assert response.status_code == 201 and response.json() == {"address": user.email, "reason": "complaint",
                                                               "newly_suppressed": True}
    again = api.post("/v1/admin/email-suppressions", headers=admin.headers, json={"address": user.email})
    assert again.json()["newly_suppressed"] is False
    bad = api.post("/v1/admin/email-suppressions", headers=admin.headers, json={"address": "not-an-address"})
    assert bad.status_code == 422 and bad.json()["field"] == "address"
    with sessions.begin() as session:
        verification.send(session, mail_settings, session.get(User, user.id))
    assert mailer.send_due(sessions, mail_settings) == {"suppressed": 1}
    assert handler.messages == []


def test_a_temporary_refusal_is_retried_with_backoff(sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    user = make_user(sessions, mail_settings, "fan")
    handler.refuse[user.email] = "451 4.3.0 try again later"
    with sessions.begin() as session:
        email_id = verification.send(session, mail_settings, session.get(User, user.id)).id
    assert mailer.send_due(sessions, mail_settings) == {"retry": 1}
    with sessions() as session:
        row = session.get(OutboxEmail, email_id)
        assert row.sent_at is None and row.failed_at is None and row.attempts == 1
        assert row.next_attempt_at > datetime.now(UTC) + timedelta(seconds=50)  # base backoff 60 s
    assert mailer.send_due(sessions, mail_settings) == {}  # not due yet
    del handler.refuse[user.email]
    with sessions.begin() as session:
        session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id)
                        .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert mailer.send_due(sessions, mail_settings) == {"sent": 1}
    assert [m["To"] for m in handler.messages] == [user.email]


def test_a_leased_row_is_not_handed_to_a_second_sender(sessions, mail_settings, smtp_server):
    user = make_user(sessions, mail_settings, "fan")
    with sessions.begin() as session:
        verification.send(session, mail_settings, session.get(User, user.id))
    first = mailer.claim_due(sessions, mail_settings)
    assert len(first) == 1 and mailer.claim_due(sessions, mail_settings) == []
    with sessions.begin() as session:  # the first sender died: its lease runs out
        session.execute(update(OutboxEmail).where(OutboxEmail.id == first[0])
                        .values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert mailer.claim_due(sessions, mail_settings) == first


def test_daily_kinds_wait_for_the_digest_and_come_in_one_mail(sessions, mail_settings, smtp_server):
    handler, _ = smtp_server
    artist = make_user(sessions, mail_settings, "artist", email_verified=True)
    with sessions.begin() as session:
        for subject in ("1", "2"):
            service.notify(session, recipient_id=artist.id, kind=NotificationKind.like,
                           actor_id=make_user(sessions, mail_settings, "fan").id, subject_type="recording",
                           subject_id=subject, data={"title": f"Track {subject}"}, settings=mail_settings)
        service.save_preferences(session, artist.id, [(NotificationKind.like, Channel.email, Delivery.daily)])
    assert _send_all(sessions, mail_settings) == {}  # likes are a daily digest by default
    digest = service.next_digest(datetime.now(UTC))
    mailer.queue_notification_emails(sessions, mail_settings, now=digest + timedelta(seconds=1))
    assert mailer.send_due(sessions, mail_settings) == {"sent": 1}
    (message,) = handler.messages
    assert message["Subject"] == "2 new notifications on HARMONI"
    assert "liked Track 1" in message.get_content() and "liked Track 2" in message.get_content()
    with sessions() as session:
        assert session.scalars(select(OutboxEmail.headers).where(OutboxEmail.to_address == artist.email)).one()[
            "List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
