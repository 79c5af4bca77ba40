"""Social data for tests, written through the services or straight to the tables."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from identity.models import User
from social.models import Post, SocialProfile


def account(session: Session, *roles: str, handle: str | None = None) -> User:
    user = User(id=uuid.uuid4(), email=f"social-{uuid.uuid4().hex[:10]}@example.com", roles=list(roles or ("fan",)))
    session.add(user)
    session.flush()
    if handle:
        session.add(SocialProfile(user_id=user.id, handle=handle))
        session.flush()
    session.refresh(user)
    return user


def post(session: Session, author: User, text: str = "hello", **fields) -> Post:
    row = Post(id=uuid.uuid4(), author_id=author.id, text=text, entities=[], attachments=[], **fields)
    session.add(row)
    session.flush()
    session.refresh(row)
    return row
