"""Reports of posts, comments, messages and accounts; the admin queue and its actions (hide, delete, suspend)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from discovery.search import repository as search_outbox
from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from identity.models import User
from social import events, feed, posts, repository
from social.errors import ReportNotFound, SubjectNotFound
from social.models import (
    Comment,
    ConversationMember,
    Message,
    Post,
    Report,
    ReportStatus,
    SocialProfile,
)


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as err:
        raise SubjectNotFound(f"{value!r} is not an id of one", field=field) from err


def _author_of(session: Session, subject_type: str, subject_id: uuid.UUID, reporter: uuid.UUID | None
               ) -> uuid.UUID:
    """The account responsible for the subject; refuses what does not exist or the reporter never saw."""
    if subject_type == "account":
        if not repository.user_exists(session, subject_id):
            raise SubjectNotFound(f"no account {subject_id}", field="subject_id")
        return subject_id
    if subject_type == "post":
        row = session.get(Post, subject_id)
        if row is None or row.deleted_at is not None:
            raise SubjectNotFound(f"no post {subject_id}", field="subject_id")
        return row.author_id
    if subject_type == "comment":
        row = session.get(Comment, subject_id)
        if row is None or row.deleted_at is not None:
            raise SubjectNotFound(f"no comment {subject_id}", field="subject_id")
        return row.author_id
    row = session.get(Message, subject_id)
    if row is None or (reporter is not None and session.get(ConversationMember, (row.conversation_id, reporter))
                       is None):
        raise SubjectNotFound(f"no message {subject_id} in a conversation of yours", field="subject_id")
    return row.sender_id


def report(session: Session, reporter: uuid.UUID, subject_type: str, subject_id: str, reason: str) -> Report:
    """File a report (again: the same open report)."""
    target = _uuid(subject_id, "subject_id")
    author = _author_of(session, subject_type, target, reporter)
    if author == reporter:
        raise ValidationFailed("that is your own: delete it instead of reporting it", field="subject_id")
    existing = session.scalars(select(Report).where(
        Report.reporter_id == reporter, Report.subject_type == subject_type, Report.subject_id == str(target),
        Report.status == ReportStatus.open.value)).first()
    if existing is not None:
        return existing
    row = Report(id=uuid.uuid4(), reporter_id=reporter, subject_type=subject_type, subject_id=str(target),
                 reason=reason.strip())
    session.add(row)
    session.flush()
    session.refresh(row)
    events.emitted(session, "report", reporter, subject_type, str(target), report_id=str(row.id))
    return row


def queue(session: Session, status: str, limit: int) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.status == status)
                                .order_by(Report.created_at, Report.id).limit(limit)))


def suspend(session: Session, user_id: uuid.UUID) -> None:
    profile = repository.profile(session, user_id)
    if profile is None:  # an account without a handle yet gets a placeholder one
        profile = SocialProfile(user_id=user_id, handle=f"user_{user_id.hex[:12]}")
        session.add(profile)
    profile.suspended_at = profile.suspended_at or datetime.now(UTC)
    session.flush()
    # The account, its posts and (an artist's) profile and recordings leave the search index.
    search_outbox.announce(session, "user", [user_id])
    search_outbox.announce(session, "artist", [user_id])
    search_outbox.announce(session, "post", session.scalars(select(Post.id).where(Post.author_id == user_id)))


def act(session: Session, settings: Settings, admin: User, report_id: uuid.UUID, action: str) -> Report:
    """Resolve the report (and every other open report of the same subject) with `action`:
    hide, delete, suspend (the author) or dismiss."""
    row = session.get(Report, report_id, with_for_update=True)
    if row is None:
        raise ReportNotFound(f"no report {report_id}", field="report_id")
    if row.status != ReportStatus.open.value:
        return row
    target = uuid.UUID(row.subject_id)
    now = datetime.now(UTC)
    if action in ("hide", "delete"):
        if row.subject_type == "account":
            raise ValidationFailed("an account is suspended, not hidden or deleted: use \"suspend\"", field="action")
        _remove(session, row.subject_type, target, delete=action == "delete", now=now)
    elif action == "suspend":
        suspend(session, _author_of(session, row.subject_type, target, None))
    status = ReportStatus.dismissed.value if action == "dismiss" else ReportStatus.actioned.value
    session.execute(update(Report).where(Report.subject_type == row.subject_type, Report.subject_id == row.subject_id,
                                         Report.status == ReportStatus.open.value)
                    .values(status=status, action=None if action == "dismiss" else action, resolved_by=admin.id,
                            resolved_at=now))
    session.refresh(row)
    if action != "dismiss":
        feed.forget_everyone(session, settings)
    return row


def _remove(session: Session, subject_type: str, target: uuid.UUID, *, delete: bool, now: datetime) -> None:
    if subject_type == "post":
        post = session.get(Post, target)
        if delete:
            posts.remove_post(session, post)
        post.hidden_at = post.hidden_at or now
        search_outbox.announce(session, "post", [post.id])
    elif subject_type == "comment":
        comment = session.get(Comment, target)
        if delete:
            posts.remove_comment(session, comment)
        comment.hidden_at = comment.hidden_at or now
    else:
        message = session.get(Message, target)
        if delete:
            message.text = ""
        message.hidden_at = message.hidden_at or now
    session.flush()
