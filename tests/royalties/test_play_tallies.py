"""Per-period play tallies (migration 0013): kept by triggers on `plays` and by `open_period`, they must always
equal the counted plays of each period's window, counted one by one."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from harmoni.db import session_factory
from ledger.royalties.inputs import counted_plays
from ledger.royalties.models import PeriodPlayTally, RoyaltyPeriod
from ledger.royalties.periods import get_period, open_period
from ledger.usage import plays
from ledger.usage.models import Play
from tests.usage.factories import CHAIN_ID, SECRET, add_listener, add_recording, age_plays, age_session

OTHER_CHAIN = 137
IP = "203.0.113.9"


def _listen(db, listener: uuid.UUID, asset_id: int, played_ms: int) -> Play:
    """Through the usage service: start a session, let the played time pass, report the play."""
    started = plays.start_session(db, listener_id=listener, chain_id=CHAIN_ID, asset_id=asset_id, ip=IP,
                                  secret=SECRET, ttl=timedelta(hours=4), store=None)
    age_session(db, started.session.id, played_ms / 1000 + 1)
    db.refresh(started.session)  # record_play reads the session from the identity map
    return plays.record_play(db, token=started.token, listener_id=listener, played_ms=played_ms, ip=IP,
                             secret=SECRET, max_counted_per_hour=120)


_SESSION = text("insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at) "
                "values (:id, :listener, :chain, :asset, :at, :at)")
_PLAY = text("insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags) "
             "values (:id, :listener, :chain, :asset, :at, 40000, :counted, :flags) returning id")


def _insert_play(db, listener: uuid.UUID, asset_id: int, played_at: datetime, *, counted: bool = True,
                 chain_id: int = CHAIN_ID) -> int:
    """A play written with plain SQL (its playback session first: the foreign key wants one)."""
    session_id = uuid.uuid4()
    values = {"id": session_id, "listener": listener, "chain": chain_id, "asset": asset_id, "at": played_at}
    db.execute(_SESSION, values)
    return db.scalar(_PLAY, {**values, "counted": counted, "flags": [] if counted else ["duplicate_window"]})


def _tallies(db) -> dict[tuple[int, int, int], int]:
    """Every non-zero tally: (period, chain, asset) -> plays."""
    rows = db.execute(select(PeriodPlayTally.period_id, PeriodPlayTally.chain_id, PeriodPlayTally.asset_id,
                             PeriodPlayTally.plays).where(PeriodPlayTally.plays != 0))
    return {(period_id, chain_id, asset_id): n for period_id, chain_id, asset_id, n in rows}


def _raw(db) -> dict[tuple[int, int, int], int]:
    """The same, counted here from the plays themselves (independently of the tally SQL)."""
    windows = db.execute(select(RoyaltyPeriod.period_id, RoyaltyPeriod.starts_at, RoyaltyPeriod.ends_at)).all()
    counts: Counter = Counter()
    for chain_id, asset_id, played_at in db.execute(select(Play.chain_id, Play.asset_id, Play.played_at)
                                                    .where(Play.counted)):
        for period_id, starts_at, ends_at in windows:
            if starts_at <= played_at < ends_at:
                counts[(period_id, chain_id, asset_id)] += 1
    return dict(counts)


def _both(db, period: RoyaltyPeriod, chain_id: int = CHAIN_ID) -> tuple[dict[int, int], dict[int, int]]:
    return (counted_plays(db, chain_id, period),
            counted_plays(db, chain_id, period, tallied=False))


def _now(db) -> datetime:
    return db.scalar(select(func.clock_timestamp()))


# -- plays through the usage service --------------------------------------------------------------------------------


def test_service_plays_in_an_open_period_are_tallied_only_when_counted(db_session):
    for asset_id in (1, 2, 3):
        add_recording(db_session, asset_id, f"USHRM260000{asset_id}")
    now = _now(db_session)
    period = open_period(db_session, now + timedelta(hours=1), now - timedelta(hours=1))
    assert period.period_id == 1
    assert _tallies(db_session) == {}
    first, second = add_listener(db_session), add_listener(db_session)

    assert _listen(db_session, first, 1, 35_000).counted
    duplicate = _listen(db_session, first, 1, 35_000)
    assert (duplicate.counted, duplicate.flags) == (False, ["duplicate_window"])
    assert _listen(db_session, first, 2, 40_000).counted
    too_short = _listen(db_session, first, 3, 1_000)
    assert (too_short.counted, too_short.flags) == (False, ["too_short"])
    assert _listen(db_session, second, 1, 35_000).counted

    tallied, raw = _both(db_session, period)
    assert tallied == raw == {1: 2, 2: 1}
    assert _tallies(db_session) == {(1, CHAIN_ID, 1): 2, (1, CHAIN_ID, 2): 1}
    # the recording with only a too-short play has nothing tallied
    assert db_session.scalar(select(func.coalesce(func.sum(PeriodPlayTally.plays), 0))
                             .where(PeriodPlayTally.asset_id == 3)) == 0
    assert counted_plays(db_session, OTHER_CHAIN, period) == {}


def test_plays_made_before_their_period_are_tallied_when_it_opens(db_session):
    for asset_id in (1, 2):
        add_recording(db_session, asset_id, f"USHRM260000{asset_id}")
    early, late, long_ago = add_listener(db_session), add_listener(db_session), add_listener(db_session)
    assert _listen(db_session, early, 1, 35_000).counted
    assert _listen(db_session, early, 2, 35_000).counted
    assert not _listen(db_session, early, 2, 1_000).counted  # too short
    assert _listen(db_session, late, 1, 35_000).counted
    assert _listen(db_session, long_ago, 1, 35_000).counted
    age_plays(db_session, early, 2 * 86400)
    age_plays(db_session, late, 86400)
    age_plays(db_session, long_ago, 10 * 86400)  # before the period's window
    assert _tallies(db_session) == {}  # no period covers them yet

    now = _now(db_session)
    period = open_period(db_session, now + timedelta(hours=1), now - timedelta(days=3))
    assert period.period_id == 1
    tallied, raw = _both(db_session, period)
    assert tallied == raw == {1: 2, 2: 1}
    assert _tallies(db_session) == _raw(db_session) == {(1, CHAIN_ID, 1): 2, (1, CHAIN_ID, 2): 1}

    assert _listen(db_session, add_listener(db_session), 1, 35_000).counted  # recorded after the period opened
    tallied, raw = _both(db_session, period)
    assert tallied == raw == {1: 3, 2: 1}
    rows = db_session.execute(select(PeriodPlayTally.period_id, PeriodPlayTally.plays)
                              .where(PeriodPlayTally.chain_id == CHAIN_ID, PeriodPlayTally.asset_id == 1)).all()
    assert rows == [(1, 3)]  # the same row, grown by one
    # the play from ten days ago is counted, but by no period
    everything = plays.counted_plays_per_asset(db_session, CHAIN_ID, now - timedelta(days=30), now + timedelta(hours=1))
    assert everything == {1: 4, 2: 1}


def test_a_play_is_tallied_in_the_one_period_whose_half_open_window_holds_it(db_session):
    listener = add_listener(db_session)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    t1, t2 = t0 + timedelta(days=10), t0 + timedelta(days=20)
    micro = timedelta(microseconds=1)
    first = open_period(db_session, t1, t0)
    _insert_play(db_session, listener, 1, t0)  # the first instant: in
    _insert_play(db_session, listener, 1, t1 - micro)  # the last instant: in
    _insert_play(db_session, listener, 1, t0 - micro)  # before every period
    _insert_play(db_session, listener, 1, t1)  # the end belongs to the next period, not yet open
    _insert_play(db_session, listener, 2, t1 + timedelta(days=5))
    _insert_play(db_session, listener, 2, t0 + timedelta(days=5), chain_id=OTHER_CHAIN)
    _insert_play(db_session, listener, 2, t0 + timedelta(days=5), counted=False)
    assert _tallies(db_session) == {(1, CHAIN_ID, 1): 2, (1, OTHER_CHAIN, 2): 1}

    second = open_period(db_session, t2)
    assert (second.period_id, second.starts_at) == (2, t1)
    assert _tallies(db_session) == _raw(db_session) == {
        (1, CHAIN_ID, 1): 2, (1, OTHER_CHAIN, 2): 1, (2, CHAIN_ID, 1): 1, (2, CHAIN_ID, 2): 1}
    assert _both(db_session, first) == ({1: 2}, {1: 2})
    assert _both(db_session, first, OTHER_CHAIN) == ({2: 1}, {2: 1})
    assert _both(db_session, second) == ({1: 1, 2: 1}, {1: 1, 2: 1})


def test_moving_a_plays_time_moves_its_tally(db_session):
    listener = add_listener(db_session)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    t1, t2 = t0 + timedelta(days=10), t0 + timedelta(days=20)
    open_period(db_session, t1, t0)
    open_period(db_session, t2)
    play_id = _insert_play(db_session, listener, 1, t0 + timedelta(days=1))
    _insert_play(db_session, listener, 1, t0 + timedelta(days=2))
    assert _tallies(db_session) == {(1, CHAIN_ID, 1): 2}

    def move(at: datetime) -> dict:
        db_session.execute(text("update plays set played_at = :at where id = :id"), {"at": at, "id": play_id})
        found = _tallies(db_session)
        assert found == _raw(db_session)
        return found

    assert move(t1 + timedelta(days=1)) == {(1, CHAIN_ID, 1): 1, (2, CHAIN_ID, 1): 1}
    assert move(t2 + timedelta(days=1)) == {(1, CHAIN_ID, 1): 1}  # out of every period
    assert move(t0 - timedelta(days=1)) == {(1, CHAIN_ID, 1): 1}  # still out
    assert move(t1 + timedelta(hours=1)) == {(1, CHAIN_ID, 1): 1, (2, CHAIN_ID, 1): 1}
    # the usage test helper moves every play of the listener: both now fall in the first period
    age_plays(db_session, listener, 2 * 3600)
    assert _tallies(db_session) == _raw(db_session) == {(1, CHAIN_ID, 1): 2}


def test_the_close_count_reads_the_tallies_and_the_audit_count_the_plays(db_session):
    listener = add_listener(db_session)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    period = open_period(db_session, t0 + timedelta(days=10), t0)
    for asset_id in (1, 1, 2):
        _insert_play(db_session, listener, asset_id, t0 + timedelta(days=1))
    assert _both(db_session, period) == ({1: 2, 2: 1}, {1: 2, 2: 1})
    # tallies that disagree with the plays (as only a bug could make them): each count shows its own source
    db_session.execute(text("update period_play_tallies set plays = plays + 5 where asset_id = 1"))
    db_session.execute(text("update period_play_tallies set plays = 0 where asset_id = 2"))
    assert counted_plays(db_session, CHAIN_ID, period) == {1: 7}  # a zero tally is no asset of the period
    assert counted_plays(db_session, CHAIN_ID, period, tallied=False) == {1: 2, 2: 1}


# -- updates, deletes, bulk statements --------------------------------------------------------------------------------


def test_updates_and_deletes_of_plays_follow_into_the_tallies(db_session):
    listener = add_listener(db_session)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    period = open_period(db_session, t0 + timedelta(days=10), t0)
    at = t0 + timedelta(days=1)
    ids = [_insert_play(db_session, listener, 1, at) for _ in range(3)] + [_insert_play(db_session, listener, 2, at)]
    uncounted = _insert_play(db_session, listener, 3, at, counted=False)
    assert _both(db_session, period) == ({1: 3, 2: 1}, {1: 3, 2: 1})

    def run(sql: str, play_id: int) -> dict[int, int]:
        db_session.execute(text(sql), {"id": play_id})
        tallied, raw = _both(db_session, period)
        assert tallied == raw
        assert _tallies(db_session) == _raw(db_session)
        return tallied

    assert run("update plays set asset_id = 2 where id = :id", ids[0]) == {1: 2, 2: 2}
    assert run("delete from plays where id = :id", ids[1]) == {1: 1, 2: 2}
    assert run("update plays set counted = false, flags = '{duplicate_window}' where id = :id", ids[3]) == {1: 1, 2: 1}
    assert run("update plays set counted = true, flags = '{}' where id = :id", ids[3]) == {1: 1, 2: 2}
    assert run("update plays set ip = '198.51.100.1' where id = :id", ids[2]) == {1: 1, 2: 2}  # unrelated column
    assert run("update plays set chain_id = 137 where id = :id", ids[2]) == {2: 2}
    assert _both(db_session, period, OTHER_CHAIN) == ({1: 1}, {1: 1})
    # a play that does not count is in no tally, whatever happens to it
    assert run("update plays set asset_id = 2 where id = :id", uncounted) == {2: 2}
    assert run("delete from plays where id = :id", uncounted) == {2: 2}
    # deleting the last counted plays of an asset leaves it out of the close's inputs
    db_session.execute(text("delete from plays where asset_id = 2"))
    assert _both(db_session, period) == ({}, {})


def test_statements_writing_many_plays_are_tallied_whole(db_session):
    listener = add_listener(db_session)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    t1, t2 = t0 + timedelta(days=14), t0 + timedelta(days=31)
    open_period(db_session, t1, t0)
    # 3000 plays every 15 minutes from 5 days before the first period into the second, not yet open; a fifth of
    # them flagged, a seventh on another chain, 13 recordings: one INSERT ... SELECT each for sessions and plays
    params = {"listener": listener, "from": t0 - timedelta(days=5)}
    db_session.execute(text(
        "insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at) "
        "select md5('tally-' || g)::uuid, :listener, 31337, 1, :from, :from from generate_series(1, 3000) g"), params)
    inserted = db_session.execute(text(
        "insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags) "
        "select md5('tally-' || g)::uuid, :listener, case when g % 7 = 0 then 137 else 31337 end, 1 + g % 13, "
        "  :from + g * interval '15 minutes', 40000, g % 5 <> 0, "
        "  case when g % 5 = 0 then '{duplicate_window}'::varchar[] else '{}' end "
        "from generate_series(1, 3000) g"), params)
    assert inserted.rowcount == 3000
    raw = _raw(db_session)
    assert _tallies(db_session) == raw
    assert {period for period, _, _ in raw} == {1}
    assert len(raw) == 26 and 1000 < sum(raw.values()) < 2400

    second = open_period(db_session, t2)  # tallies the plays already in its window
    raw = _raw(db_session)
    assert _tallies(db_session) == raw
    assert len([key for key in raw if key[0] == 2]) == 26
    tallied, raw_second = _both(db_session, second)
    assert tallied == raw_second and len(tallied) == 13

    for statement in (
            "update plays set asset_id = asset_id % 5 + 1, played_at = played_at + interval '3 days' "
            "where id % 3 = 0",
            "update plays set counted = not counted, "
            "flags = case when counted then '{duplicate_window}'::varchar[] else '{}' end where id % 4 = 0",
            "delete from plays where id % 6 = 1"):
        assert db_session.execute(text(statement)).rowcount > 300
        assert _tallies(db_session) == _raw(db_session), statement
    tallied, raw_second = _both(db_session, second)
    assert tallied == raw_second and tallied


# -- concurrency, on committed data -----------------------------------------------------------------------------------


def test_truncating_the_plays_empties_the_tallies(db_session):
    listener = add_listener(db_session)
    now = _now(db_session)
    period = open_period(db_session, now + timedelta(hours=1), now - timedelta(hours=1))
    for asset_id in (1, 2, 2):
        _insert_play(db_session, listener, asset_id, now)
    assert _both(db_session, period) == ({1: 1, 2: 2}, {1: 1, 2: 2})
    db_session.execute(text("TRUNCATE plays CASCADE"))
    assert _tallies(db_session) == {}
    assert db_session.scalar(select(func.count()).select_from(PeriodPlayTally)) == 0


_WINDOW = (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


def _committed_world(fresh_db):
    sessions = session_factory(fresh_db())
    with sessions.begin() as db:
        listener = add_listener(db)
    return sessions, listener


def _in_window(rng: random.Random) -> datetime:
    starts, ends = _WINDOW
    return starts + timedelta(microseconds=rng.randrange(int((ends - starts) / timedelta(microseconds=1))))


def _waits_for(holder, work) -> tuple[bool, list]:
    """Run `work` in a thread while `holder`, a session in an uncommitted transaction, keeps its locks; then commit
    `holder`. Whether `work` was still waiting half a second in, and what it returned."""
    results: list = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except Exception as err:  # surfaced below
            failures.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(0.5)
    waiting = thread.is_alive()
    holder.commit()
    holder.close()
    thread.join(10)
    assert failures == []
    return waiting, results


def test_opening_a_period_waits_for_a_play_being_written_and_tallies_it(fresh_db):
    sessions, listener = _committed_world(fresh_db)
    starts, ends = _WINDOW
    writer = sessions()
    writer.begin()
    _insert_play(writer, listener, 1, starts + timedelta(days=1))  # not committed yet

    def open_and_count() -> dict[int, int]:
        with sessions.begin() as db:
            return counted_plays(db, CHAIN_ID, open_period(db, ends, starts))

    waiting, opened = _waits_for(writer, open_and_count)
    assert waiting  # it waited for the writer's transaction
    assert opened == [{1: 1}]
    with sessions() as db:
        assert _both(db, get_period(db, 1)) == ({1: 1}, {1: 1})


def test_a_play_written_while_a_period_opens_waits_and_is_tallied(fresh_db):
    sessions, listener = _committed_world(fresh_db)
    starts, ends = _WINDOW
    opening = sessions()
    opening.begin()
    open_period(opening, ends, starts)  # not committed yet

    def write() -> None:
        with sessions.begin() as db:
            _insert_play(db, listener, 1, starts + timedelta(days=1))

    waiting, _ = _waits_for(opening, write)
    assert waiting  # the play waited for the period to be opened
    with sessions() as db:
        assert _both(db, get_period(db, 1)) == ({1: 1}, {1: 1})


def test_plays_written_while_the_period_opens_are_tallied_once(fresh_db):
    sessions, listener = _committed_world(fresh_db)
    starts, ends = _WINDOW
    stop = threading.Event()
    failures: list[BaseException] = []
    at_open: dict[int, int] = {}
    committed = Counter()  # transactions committed by each writer

    def writer(n: int) -> None:
        rng = random.Random(n)
        try:
            while not stop.is_set():
                # one recording per transaction: two transactions never wait for each other's tally rows
                asset_id = rng.randint(1, 5)
                with sessions.begin() as db:
                    for _ in range(rng.randint(1, 3)):
                        if rng.random() < 0.1:
                            _insert_play(db, listener, asset_id, ends + timedelta(hours=rng.randint(0, 48)))
                        else:
                            _insert_play(db, listener, asset_id, _in_window(rng), counted=rng.random() < 0.8)
                    time.sleep(rng.random() * 0.004)  # uncommitted plays while the period opens
                committed[n] += 1
        except Exception as err:  # surfaced below
            failures.append(err)

    def deleter() -> None:
        rng = random.Random(99)
        try:
            while not stop.is_set():
                with sessions.begin() as db:
                    db.execute(text("delete from plays where id = (select id from plays where counted "
                                    "order by id desc offset :k limit 1)"), {"k": rng.randint(0, 20)})
                    time.sleep(rng.random() * 0.004)
                committed["deleter"] += 1
        except Exception as err:  # surfaced below
            failures.append(err)

    def opener() -> None:
        try:
            time.sleep(0.4)
            with sessions.begin() as db:
                period = open_period(db, ends, starts)
                at_open.update(counted_plays(db, CHAIN_ID, period))
                time.sleep(0.2)  # the writers queue up behind the period meanwhile
        except Exception as err:  # surfaced below
            failures.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)] + [threading.Thread(target=deleter)]
    opening = threading.Thread(target=opener)
    for thread in [*threads, opening]:
        thread.start()
    opening.join(10)
    time.sleep(0.4)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert failures == []
    assert all(committed[n] > 10 for n in range(4)) and committed["deleter"] > 10

    with sessions() as db:
        period = get_period(db, 1)
        tallied, raw = _both(db, period)
        assert _tallies(db) == _raw(db)
        outside = db.scalar(select(func.count()).select_from(Play).where(Play.played_at >= ends, Play.counted))
    assert sum(at_open.values()) > 0  # plays made before the period existed ...
    assert sum(raw.values()) > sum(at_open.values()) + 20  # ... and after
    assert outside > 0
    assert tallied == raw


def test_plays_are_refused_in_a_repeatable_read_transaction(fresh_db):
    """Its snapshot could predate a period opened while it waited for the lock on plays: the play would miss it."""
    sessions, listener = _committed_world(fresh_db)
    now = datetime.now(UTC)
    with sessions() as session:
        open_period(session, now + timedelta(hours=1), now - timedelta(hours=1))
        session.commit()
    with sessions() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        with pytest.raises(DBAPIError, match="READ COMMITTED"):
            _insert_play(session, listener, 1, now)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Play)) == 0
        _insert_play(session, listener, 1, now)  # READ COMMITTED, the default
        session.commit()
        assert counted_plays(session, CHAIN_ID, get_period(session, 1)) == {1: 1}
