"""Usage test data: mirrored recordings (as the indexer writes them), royalty periods, playback sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from content.storage import ObjectStore
from identity.models import User
from ledger import registration
from ledger.models import Asset
from ledger.royalties.models import RoyaltyPeriod

CHAIN_ID = 31337
CONTROLLER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
SECRET = "test-secret-key-of-at-least-32-characters"


def add_listener(session: Session) -> uuid.UUID:
    """A fan account (what a listener needs to start playback sessions)."""
    user = User(id=uuid.uuid4(), email=f"listener-{uuid.uuid4().hex[:8]}@example.com", roles=["fan"])
    session.add(user)
    session.flush()
    return user.id


def add_recording(session: Session, asset_id: int, isrc: str, *, kind: str = "recording", frozen: bool = False,
                  metadata_uri: str | None = None, content_hash: str = "0x" + "ab" * 32) -> Asset:
    row = Asset(chain_id=CHAIN_ID, asset_id=asset_id, kind=kind, controller=CONTROLLER, pending_controller=None,
                industry_code=isrc, content_hash=content_hash, work_ids=[],
                metadata_uri=metadata_uri or f"ipfs://recording-{asset_id}", split_version=1,
                split_hash="0x" + "11" * 32, split_recipients=[CONTROLLER], split_allocations=[1_000_000],
                split_locked=False, frozen=frozen, registered_block=1, registered_tx="0x" + "22" * 32,
                updated_block=1)
    session.add(row)
    session.flush()
    return row


def metadata_with_duration(store: ObjectStore, isrc: str, duration_ms: int | None) -> str:
    """Store a recording's metadata document as registration does; its `ipfs://` URI."""
    fields = {"kind": "recording", "title": f"Track {isrc}", "isrc": isrc}
    if duration_ms is not None:
        fields["duration_ms"] = duration_ms
    return registration.store_metadata(store, registration.metadata_document(fields))


def add_period(session: Session, period_id: int, status: str = "open") -> RoyaltyPeriod:
    starts = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=30 * period_id)
    row = RoyaltyPeriod(period_id=period_id, starts_at=starts, ends_at=starts + timedelta(days=30), status=status)
    session.add(row)
    session.flush()
    return row


def age_session(session: Session, session_id, seconds: float) -> None:
    """Pretend the playback session started `seconds` earlier."""
    session.execute(text("update playback_sessions set started_at = started_at - make_interval(secs => :s) "
                         "where id = :id"), {"s": seconds, "id": session_id})
    session.flush()


def age_plays(session: Session, listener_id, seconds: float) -> None:
    """Pretend the listener's plays happened `seconds` earlier."""
    session.execute(text("update plays set played_at = played_at - make_interval(secs => :s) "
                         "where listener_id = :id"), {"s": seconds, "id": listener_id})
    session.flush()
