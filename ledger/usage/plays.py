"""Plays from the platform's own player.

The player starts a playback session for a recording and gets a signed token; when playback stops (or
passes the counting point) it reports how long it played, once per session. A play counts when it lasted
30 s, or half the track when the track is shorter than a minute, and the listener has no counted play of
the same recording in the 30 minutes before. Every reported play is kept; one that does not count carries
the flags that say why. Times are the database's clock (`clock_timestamp()`), one clock for every replica.

Services flush but never commit: the request owns the transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from content.storage import ObjectStore
from harmoni.errors import NotFound
from ledger.models import Asset
from ledger.usage.errors import (
    InvalidPlaybackToken,
    PlayAlreadyReported,
    PlaybackSessionNotYours,
    RecordingFrozen,
    RecordingNotFound,
)
from ledger.usage.models import Play, PlaybackSession

COUNT_AFTER_MS = 30_000
DUPLICATE_WINDOW = timedelta(minutes=30)
LISTENER_RATE_WINDOW = timedelta(hours=1)
# Reported play time may run ahead of the server's clock by this much (request latency, clock reads).
CLOCK_TOLERANCE_MS = 2_000
TOKEN_PREFIX = "pbs_"  # noqa: S105 -- a prefix, not a secret
_TOKEN_CONTEXT = b"harmoni/playback-session/v1"  # the token key is derived: never the raw secret key
_MAX_DURATION_MS = 24 * 3600 * 1000
_durations: dict[str, int] = {}  # metadata URI -> duration; content-addressed, so never stale


class Flag(StrEnum):
    """Why a play was not counted."""

    too_short = "too_short"  # under 30 s (or half of a shorter track)
    duplicate_window = "duplicate_window"  # a counted play of the same recording in the last 30 minutes
    played_longer_than_elapsed = "played_longer_than_elapsed"  # more play time than since the session began
    listener_rate = "listener_rate"  # over the listener's counted plays per hour
    ip_rate = "ip_rate"  # over the plays reported from one IP per hour


class PlaySource(StrEnum):
    """Where in the app a play started (for the artist's analytics)."""

    search = "search"
    trending = "trending"
    recommendations = "recommendations"
    related = "related"
    profile = "profile"
    feed = "feed"
    library = "library"
    edition = "edition"
    external = "external"  # a shared link
    other = "other"


@dataclass(frozen=True)
class StartedSession:
    session: PlaybackSession
    token: str
    counts_after_ms: int


def counts_after_ms(duration_ms: int | None) -> int:
    """Play time after which a play counts: 30 s, or half the track (rounded up) when that is less."""
    if duration_ms is None:
        return COUNT_AFTER_MS
    return min(COUNT_AFTER_MS, (duration_ms + 1) // 2)


def _token_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _TOKEN_CONTEXT, hashlib.sha256).digest()


def issue_token(session_id: uuid.UUID, secret: str) -> str:
    """`pbs_` + base64url(session id ‖ HMAC-SHA256 of it under a key derived from `secret`)."""
    mac = hmac.new(_token_key(secret), session_id.bytes, hashlib.sha256).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(session_id.bytes + mac).decode().rstrip("=")


def session_id_of(token: str, secret: str) -> uuid.UUID:
    """The session a token stands for, or InvalidPlaybackToken (malformed or not signed by us)."""
    body = token.removeprefix(TOKEN_PREFIX)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if not token.startswith(TOKEN_PREFIX) or len(raw) != 48:
        raise InvalidPlaybackToken("token is not a playback token from POST /v1/playback-sessions")
    expected = hmac.new(_token_key(secret), raw[:16], hashlib.sha256).digest()
    if not hmac.compare_digest(expected, raw[16:]):
        raise InvalidPlaybackToken("token is not a playback token from POST /v1/playback-sessions")
    return uuid.UUID(bytes=raw[:16])


def track_duration_ms(store: ObjectStore | None, metadata_uri: str) -> int | None:
    """`duration_ms` of the recording's metadata document (as registration stored it), when it has one."""
    if metadata_uri in _durations:
        return _durations[metadata_uri]
    if store is None or not metadata_uri.startswith("ipfs://"):
        return None
    try:
        document = json.loads(store.get(f"metadata/{metadata_uri.removeprefix('ipfs://')}.json"))
    except (NotFound, ValueError):
        return None
    duration = document.get("duration_ms") if isinstance(document, dict) else None
    if not isinstance(duration, int) or isinstance(duration, bool) or not 0 < duration <= _MAX_DURATION_MS:
        return None
    if len(_durations) >= 10_000:
        _durations.clear()
    _durations[metadata_uri] = duration
    return duration


def _db_now(db: Session) -> datetime:
    return db.scalar(select(func.clock_timestamp()))


def start_session(db: Session, *, listener_id: uuid.UUID, chain_id: int, asset_id: int, ip: str | None,
                  secret: str, ttl: timedelta, store: ObjectStore | None, country: str | None = None,
                  source: PlaySource | None = None) -> StartedSession:
    """A playback session of a mirrored recording (404 otherwise, 409 while it is frozen) and its token; `country`
    (a code only) and `source` go on to its play."""
    asset = db.get(Asset, (chain_id, asset_id))
    if asset is None or asset.kind != "recording":
        raise RecordingNotFound(f"no recording {asset_id} on chain {chain_id}", field="asset_id")
    if asset.frozen:
        raise RecordingFrozen(f"recording {asset_id} is frozen by an arbiter; it cannot be played now",
                              asset_id=asset_id)
    now = _db_now(db)
    row = PlaybackSession(id=uuid.uuid4(), listener_id=listener_id, chain_id=chain_id, asset_id=asset_id,
                          duration_ms=track_duration_ms(store, asset.metadata_uri), started_at=now,
                          expires_at=now + ttl, ip=ip, country=country,
                          source=source.value if source else None)
    db.add(row)
    db.flush()
    return StartedSession(row, issue_token(row.id, secret), counts_after_ms(row.duration_ms))


def _lock_listener_asset(db: Session, listener_id: uuid.UUID, chain_id: int, asset_id: int) -> None:
    """Plays of one listener and recording are decided one at a time (until the transaction ends)."""
    db.execute(text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"),
               {"k": f"play:{listener_id}:{chain_id}:{asset_id}"})


def record_play(db: Session, *, token: str, listener_id: uuid.UUID, played_ms: int, ip: str | None, secret: str,
                max_counted_per_hour: int, extra_flags: Iterable[Flag] = ()) -> Play:
    """Record the play of the token's session, counted or flagged; `extra_flags` are the caller's own signals.

    InvalidPlaybackToken (422) for a bad, unknown or expired token, PlaybackSessionNotYours (403) for another
    listener's, PlayAlreadyReported (409) when the session already has its play.
    """
    playback = db.get(PlaybackSession, session_id_of(token, secret))
    if playback is None:
        raise InvalidPlaybackToken("token names no playback session")
    if playback.listener_id != listener_id:
        raise PlaybackSessionNotYours("this playback session belongs to another listener")
    if playback.expires_at <= _db_now(db):
        raise InvalidPlaybackToken("the playback session has expired; start a new one")
    _lock_listener_asset(db, listener_id, playback.chain_id, playback.asset_id)
    if db.scalar(select(Play.id).where(Play.session_id == playback.id)) is not None:
        raise PlayAlreadyReported("this playback session has already reported its play", session_id=str(playback.id))
    now = _db_now(db)  # after the lock: the plays it waited for are visible and earlier
    flags = list(dict.fromkeys(extra_flags))
    if played_ms < counts_after_ms(playback.duration_ms):
        flags.append(Flag.too_short)
    if played_ms > (now - playback.started_at) / timedelta(milliseconds=1) + CLOCK_TOLERANCE_MS:
        flags.append(Flag.played_longer_than_elapsed)
    same_recording, last_hour = db.execute(
        select(func.count().filter(Play.chain_id == playback.chain_id, Play.asset_id == playback.asset_id,
                                   Play.played_at > now - DUPLICATE_WINDOW),
               func.count())
        .where(Play.counted, Play.listener_id == listener_id, Play.played_at > now - LISTENER_RATE_WINDOW)).one()
    if same_recording:
        flags.append(Flag.duplicate_window)
    if last_hour >= max_counted_per_hour:
        flags.append(Flag.listener_rate)
    play = Play(session_id=playback.id, listener_id=listener_id, chain_id=playback.chain_id,
                asset_id=playback.asset_id, played_at=now, played_ms=played_ms, counted=not flags,
                flags=[f.value for f in flags], ip=ip, country=playback.country, source=playback.source)
    db.add(play)
    db.flush()
    return play


def counted_plays_per_asset(db: Session, chain_id: int, starts_at: datetime, ends_at: datetime) -> dict[int, int]:
    """Counted plays per asset with `starts_at <= played_at < ends_at` (what a royalty period pays for)."""
    rows = db.execute(select(Play.asset_id, func.count())
                      .where(Play.counted, Play.chain_id == chain_id, Play.played_at >= starts_at,
                             Play.played_at < ends_at)
                      .group_by(Play.asset_id))
    return {asset_id: count for asset_id, count in rows}
