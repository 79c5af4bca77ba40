"""One-to-one direct messages: who may write to whom (the recipient's setting, blocks), the requests folder for
strangers, read receipts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from identity.models import User
from social import cursor, events, repository, text
from social.errors import Blocked, MessagesRefused, SubjectNotFound
from social.models import Conversation, ConversationMember, DmPolicy, Message

MAX_MESSAGE_CHARS = 2000


def _pair(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if str(a) < str(b) else (b, a)


def _policy(session: Session, user_id: uuid.UUID) -> str:
    row = repository.profile(session, user_id)
    return row.dm_policy if row is not None else DmPolicy.everyone.value


def send(session: Session, settings: Settings, sender: User, recipient_id: uuid.UUID, body: str) -> Message:
    if recipient_id == sender.id:
        raise ValidationFailed("that is your own account: write to another one", field="recipient_id")
    if not repository.user_exists(session, recipient_id):
        raise SubjectNotFound(f"no account {recipient_id}", field="recipient_id")
    if repository.blocked_between(session, sender.id, recipient_id):
        raise Blocked("you cannot message this account", field="recipient_id")
    recipient_follows = repository.follows(session, recipient_id, sender.id)
    policy = _policy(session, recipient_id)
    if policy == DmPolicy.nobody.value or (policy == DmPolicy.followers.value and not recipient_follows):
        raise MessagesRefused("this account takes direct messages " + (
            "from nobody" if policy == DmPolicy.nobody.value else "only from accounts it follows"),
            field="recipient_id")
    if repository.profile(session, sender.id) is not None and repository.profile(session, sender.id).suspended_at:
        raise MessagesRefused("a suspended account sends no messages")
    body = text.clean(body)
    if not body:
        raise ValidationFailed("text is empty: write something", field="text")
    if len(body) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(f"text has {len(body)} characters: at most {MAX_MESSAGE_CHARS}", field="text")
    text.check_words(body, settings.social_blocked_words, "text")
    low, high = _pair(sender.id, recipient_id)
    session.execute(insert(Conversation).values(id=uuid.uuid4(), user_low=low, user_high=high)
                    .on_conflict_do_nothing())
    conversation = session.scalars(select(Conversation).where(Conversation.user_low == low,
                                                              Conversation.user_high == high)
                                   .with_for_update()).one()
    recipient_member = session.get(ConversationMember, (conversation.id, recipient_id))
    # A stranger (the recipient does not follow the sender, and has never answered) lands among requests.
    folder = "inbox" if recipient_follows or (recipient_member and recipient_member.folder == "inbox") \
        else "requests"
    session.execute(insert(ConversationMember).values(conversation_id=conversation.id, user_id=sender.id,
                                                      folder="inbox")
                    .on_conflict_do_update(index_elements=[ConversationMember.conversation_id,
                                                           ConversationMember.user_id], set_={"folder": "inbox"}))
    session.execute(insert(ConversationMember).values(conversation_id=conversation.id, user_id=recipient_id,
                                                      folder=folder).on_conflict_do_nothing())
    message = Message(id=uuid.uuid4(), conversation_id=conversation.id, sender_id=sender.id, text=body)
    session.add(message)
    session.flush()
    session.refresh(message)
    conversation.last_message_at = message.created_at
    member = session.get(ConversationMember, (conversation.id, sender.id))
    member.last_read_at = message.created_at  # one has read what one wrote
    session.flush()
    # Grouped per conversation: one notification ("sent you 3 messages") per window, unread at each message.
    events.emitted(session, "message", sender.id, "conversation", str(conversation.id), recipient_id=recipient_id,
                   filtered=folder == "requests", message_id=str(message.id))
    return message


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    other_id: uuid.UUID
    folder: str
    unread: int
    last_message: Message | None


def _member(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> tuple[Conversation,
                                                                                         ConversationMember]:
    conversation = session.get(Conversation, conversation_id)
    member = session.get(ConversationMember, (conversation_id, user_id)) if conversation else None
    if conversation is None or member is None:
        raise SubjectNotFound(f"no conversation {conversation_id} of yours", field="conversation_id")
    return conversation, member


def _unread(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID, since: datetime | None) -> int:
    query = select(func.count()).select_from(Message).where(
        Message.conversation_id == conversation_id, Message.sender_id != user_id, Message.hidden_at.is_(None))
    if since is not None:
        query = query.where(Message.created_at > since)
    return session.scalar(query) or 0


def conversations(session: Session, user_id: uuid.UUID, folder: str, limit: int) -> list[ConversationView]:
    rows = session.execute(select(Conversation, ConversationMember).join(
        ConversationMember, ConversationMember.conversation_id == Conversation.id).where(
        ConversationMember.user_id == user_id, ConversationMember.folder == folder)
        .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id).limit(limit)).all()
    views = []
    for conversation, member in rows:
        other = conversation.user_high if conversation.user_low == user_id else conversation.user_low
        last = session.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                     Message.hidden_at.is_(None))
                               .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)).first()
        views.append(ConversationView(conversation, other, member.folder,
                                      _unread(session, user_id, conversation.id, member.last_read_at), last))
    return views


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    other_id: uuid.UUID
    other_read_at: datetime | None  # the read receipt: the other side has read everything up to here
    next_cursor: str | None


def read_messages(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID, after: str | None,
                  limit: int) -> MessagePage:
    conversation, _ = _member(session, user_id, conversation_id)
    other = conversation.user_high if conversation.user_low == user_id else conversation.user_low
    other_member = session.get(ConversationMember, (conversation_id, other))
    query = select(Message).where(Message.conversation_id == conversation_id, Message.hidden_at.is_(None))
    position = cursor.decode(after)
    if position is not None:
        query = query.where(tuple_(Message.created_at, Message.id) < tuple_(position[0],
                                                                            cursor.uuid_key(position[1])))
    rows = list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)))
    more, rows = len(rows) > limit, rows[:limit]
    return MessagePage(rows, other, other_member.last_read_at if other_member else None,
                       cursor.encode(rows[-1].created_at, str(rows[-1].id)) if more else None)


def mark_read(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> datetime | None:
    _, member = _member(session, user_id, conversation_id)
    newest = session.scalar(select(func.max(Message.created_at)).where(Message.conversation_id == conversation_id))
    if newest is not None and (member.last_read_at is None or newest > member.last_read_at):
        member.last_read_at = newest
        session.flush()
    return member.last_read_at


def accept(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """Move a request into the inbox: later messages of this conversation land there."""
    _, member = _member(session, user_id, conversation_id)
    member.folder = "inbox"
    session.flush()
