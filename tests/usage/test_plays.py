"""Plays from the player: when a play counts, what gets flagged (and kept), and what a token may do."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from content.storage import FilesystemStore
from harmoni.db import session_factory
from ledger.usage import plays
from ledger.usage.errors import (
    InvalidPlaybackToken,
    PlayAlreadyReported,
    PlaybackSessionNotYours,
    RecordingFrozen,
    RecordingNotFound,
)
from ledger.usage.models import Play
from tests.usage.factories import (
    CHAIN_ID,
    SECRET,
    add_listener,
    add_recording,
    age_plays,
    age_session,
    metadata_with_duration,
)

IP = "203.0.113.7"


@pytest.fixture
def listener(db_session) -> uuid.UUID:
    return add_listener(db_session)


@pytest.fixture
def store(tmp_path) -> FilesystemStore:
    return FilesystemStore(tmp_path / "objects")


def _start(db, listener, asset_id=1, store=None, age_s=0.0, ttl=timedelta(hours=4)) -> plays.StartedSession:
    started = plays.start_session(db, listener_id=listener, chain_id=CHAIN_ID, asset_id=asset_id, ip=IP,
                                  secret=SECRET, ttl=ttl, store=store)
    if age_s:
        age_session(db, started.session.id, age_s)
        db.refresh(started.session)
    return started


def _play(db, listener, token, played_ms, max_counted_per_hour=120, extra_flags=()) -> Play:
    return plays.record_play(db, token=token, listener_id=listener, played_ms=played_ms, ip=IP, secret=SECRET,
                             max_counted_per_hour=max_counted_per_hour, extra_flags=extra_flags)


def _listen(db, listener, asset_id, played_ms, **kwargs) -> Play:
    """Start a session, let the played time pass, report it."""
    started = _start(db, listener, asset_id, age_s=played_ms / 1000 + 1)
    return _play(db, listener, started.token, played_ms, **kwargs)


def test_counting_point_is_30_seconds_or_half_a_shorter_track():
    assert plays.counts_after_ms(None) == 30_000
    assert plays.counts_after_ms(600_000) == 30_000
    assert plays.counts_after_ms(60_000) == 30_000
    assert plays.counts_after_ms(40_000) == 20_000
    assert plays.counts_after_ms(41) == 21  # half, rounded up


@pytest.mark.parametrize(("duration_ms", "played_ms", "counted"), [
    (None, 30_000, True), (None, 29_999, False), (600_000, 30_000, True), (600_000, 29_999, False),
    (40_000, 20_000, True), (40_000, 19_999, False)])
def test_a_play_counts_from_its_counting_point(db_session, listener, store, duration_ms, played_ms, counted):
    isrc = f"USHRM26{uuid.uuid4().int % 100_000:05d}"
    add_recording(db_session, 1, isrc, metadata_uri=metadata_with_duration(store, isrc, duration_ms))
    started = _start(db_session, listener, store=store, age_s=60)
    assert started.session.duration_ms == duration_ms
    assert started.counts_after_ms == plays.counts_after_ms(duration_ms)
    play = _play(db_session, listener, started.token, played_ms)
    assert (play.counted, play.flags) == (counted, [] if counted else ["too_short"])
    stored = db_session.scalars(select(Play)).one()  # kept either way
    assert (stored.counted, stored.played_ms, stored.asset_id, str(stored.ip)) == (counted, played_ms, 1, IP)


def test_a_second_counted_play_of_a_recording_within_30_minutes_is_flagged_and_kept(db_session, listener):
    add_recording(db_session, 1, "USHRM2600001")
    add_recording(db_session, 2, "USHRM2600002")
    assert _listen(db_session, listener, 1, 200_000).counted
    again = _listen(db_session, listener, 1, 200_000)
    assert (again.counted, again.flags) == (False, ["duplicate_window"])
    assert _listen(db_session, listener, 2, 200_000).counted  # another recording is another play
    someone_else = add_listener(db_session)
    assert _listen(db_session, someone_else, 1, 200_000).counted  # another listener too
    age_plays(db_session, listener, 31 * 60)
    assert _listen(db_session, listener, 1, 200_000).counted  # the window has passed
    rows = db_session.execute(select(Play.asset_id, Play.counted).where(Play.listener_id == listener)
                              .order_by(Play.id)).all()
    assert rows == [(1, True), (1, False), (2, True), (1, True)]


def test_a_too_short_play_does_not_open_a_duplicate_window(db_session, listener):
    add_recording(db_session, 1, "USHRM2600001")
    assert _listen(db_session, listener, 1, 5_000).flags == ["too_short"]
    assert _listen(db_session, listener, 1, 40_000).counted


def test_more_play_time_than_elapsed_is_flagged(db_session, listener):
    add_recording(db_session, 1, "USHRM2600001")
    started = _start(db_session, listener, age_s=10)
    play = _play(db_session, listener, started.token, 60_000)
    assert (play.counted, play.flags) == (False, ["played_longer_than_elapsed"])
    assert db_session.scalar(select(Play.flags).where(Play.id == play.id)) == ["played_longer_than_elapsed"]
    within_tolerance = _start(db_session, listener, age_s=40)
    assert _play(db_session, listener, within_tolerance.token, 41_000).counted  # 1 s ahead: within tolerance


def test_over_the_listeners_hourly_ceiling_plays_are_flagged(db_session, listener):
    for asset_id in (1, 2, 3):
        add_recording(db_session, asset_id, f"USHRM260000{asset_id}")
    assert _listen(db_session, listener, 1, 35_000, max_counted_per_hour=2).counted
    assert _listen(db_session, listener, 2, 35_000, max_counted_per_hour=2).counted
    third = _listen(db_session, listener, 3, 35_000, max_counted_per_hour=2)
    assert (third.counted, third.flags) == (False, ["listener_rate"])
    age_plays(db_session, listener, 3601)
    assert _listen(db_session, listener, 3, 35_000, max_counted_per_hour=2).counted


def test_the_callers_own_signals_flag_a_play(db_session, listener):
    add_recording(db_session, 1, "USHRM2600001")
    play = _listen(db_session, listener, 1, 35_000, extra_flags=[plays.Flag.ip_rate])
    assert (play.counted, play.flags) == (False, ["ip_rate"])
    assert _listen(db_session, listener, 1, 35_000).counted  # a flagged play opens no duplicate window


def test_a_token_is_signed_single_use_personal_and_expires(db_session, listener):
    add_recording(db_session, 1, "USHRM2600001")
    started = _start(db_session, listener, age_s=60)
    assert started.token.startswith("pbs_") and SECRET not in started.token
    forged = started.token[:-2] + ("AA" if not started.token.endswith("AA") else "BB")
    for bad in (forged, "pbs_", "not-a-token", plays.issue_token(started.session.id, "another secret " * 3),
                plays.issue_token(uuid.uuid4(), SECRET)):
        with pytest.raises(InvalidPlaybackToken) as refused:
            _play(db_session, listener, bad, 35_000)
        assert refused.value.extra["field"] == "token"
    with pytest.raises(PlaybackSessionNotYours):
        _play(db_session, add_listener(db_session), started.token, 35_000)
    assert _play(db_session, listener, started.token, 35_000).counted
    with pytest.raises(PlayAlreadyReported):
        _play(db_session, listener, started.token, 35_000)
    expired = _start(db_session, listener, ttl=timedelta(minutes=1))
    db_session.execute(text("update playback_sessions set expires_at = clock_timestamp() - interval '1 s' "
                            "where id = :id"), {"id": expired.session.id})
    db_session.expire_all()
    with pytest.raises(InvalidPlaybackToken, match="expired"):
        _play(db_session, listener, expired.token, 35_000)
    assert db_session.scalar(select(func.count()).select_from(Play)) == 1


def test_only_mirrored_unfrozen_recordings_can_be_played(db_session, listener):
    add_recording(db_session, 1, "T0345246801", kind="work")
    add_recording(db_session, 2, "USHRM2600002", frozen=True)
    with pytest.raises(RecordingNotFound):
        _start(db_session, listener, asset_id=1)
    with pytest.raises(RecordingFrozen):
        _start(db_session, listener, asset_id=2)
    with pytest.raises(RecordingNotFound):
        _start(db_session, listener, asset_id=99)


def test_counted_plays_per_asset_cover_a_half_open_span(db_session, listener):
    for asset_id in (1, 2):
        add_recording(db_session, asset_id, f"USHRM260000{asset_id}")
    _listen(db_session, listener, 1, 35_000)
    _listen(db_session, listener, 1, 35_000)  # duplicate: not counted
    _listen(db_session, listener, 2, 35_000)
    _listen(db_session, add_listener(db_session), 1, 35_000)
    _listen(db_session, listener, 2, 1_000)  # too short
    now = datetime.now(UTC)
    assert plays.counted_plays_per_asset(db_session, CHAIN_ID, now - timedelta(hours=1), now + timedelta(hours=1)) \
        == {1: 2, 2: 1}
    assert plays.counted_plays_per_asset(db_session, CHAIN_ID, now + timedelta(hours=1), now + timedelta(hours=2)) \
        == {}
    assert plays.counted_plays_per_asset(db_session, 137, now - timedelta(hours=1), now + timedelta(hours=1)) == {}


def test_parallel_plays_of_one_listener_and_recording_count_once(fresh_db):
    sessions = session_factory(fresh_db())
    with sessions.begin() as db:
        listener = add_listener(db)
        add_recording(db, 1, "USHRM2600001")
        tokens = [_start(db, listener, age_s=60).token for _ in range(6)]
    barrier = threading.Barrier(len(tokens))
    results, failures = [], []

    def report(token: str) -> None:
        try:
            with sessions.begin() as db:
                barrier.wait(timeout=10)
                results.append(_play(db, listener, token, 35_000).counted)
        except Exception as err:  # surfaced below: a thread's exception would otherwise vanish
            failures.append(err)

    threads = [threading.Thread(target=report, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert sorted(results) == [False] * 5 + [True]
    with sessions() as db:
        flags = db.scalars(select(Play.flags).where(Play.listener_id == listener)).all()
    assert sorted(flags) == [[]] + [["duplicate_window"]] * 5
