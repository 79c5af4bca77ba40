"""Signals discovery reads from areas that are still being built, behind small functions of their own.

Today they return nothing: likes and reposts arrive with `social/`, genres and moods with the controlled
vocabulary. Scoring and filtering already take them, so wiring the real sources in changes nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Engagement:
    """One account's likes and reposts of one recording within a window, and when the newest was."""

    listener_id: uuid.UUID
    asset_id: int
    likes: int
    reposts: int
    last_at: datetime


def engagement_since(db: Session, chain_id: int, since: datetime) -> list[Engagement]:
    """Per-account like/repost counts of recordings since `since`. Empty until likes and reposts exist."""
    return []


def recording_genres(db: Session, chain_id: int) -> dict[int, list[str]]:
    """Genre slugs of each recording (asset id). Empty until the genre vocabulary exists."""
    return {}


def hidden_recordings(db: Session, chain_id: int) -> set[int]:
    """Recordings moderation hid or the listener blocked (beyond frozen ones). Empty until moderation exists."""
    return set()
