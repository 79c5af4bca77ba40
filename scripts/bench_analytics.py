"""Artist analytics: a year's daily series from the rollup against the same series aggregated from raw plays, and
the rollup job's time for one day of plays against one plain GROUP BY of that day, in the same run.

    python scripts/bench_analytics.py [--plays 2000000] [--recordings 20000] [--artists 2000] [--queries 200]

Generates a year of plays (Zipf-popular recordings, listeners, countries and sources) straight into `plays` in a
database of its own (HARMONI_DATABASE_URL's server if set, else an embedded one; dropped afterwards), rolls it up
once, then times `daily_plays` for an artist address over 365 days (the API's query) and the same series as one
aggregate over raw plays (the baseline), and a re-roll of the newest day against one `GROUP BY` of that day.
Prints one JSON line. Target (issue #16): `series_p95_ms` < 100 at 50M plays (`--plays 50000000`; the default is
sized for a 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from discovery.analytics import service
from harmoni import embedded_db
from harmoni.db import get_engine
from scripts.bench_indexer import fresh_database

CHAIN_ID = 31337
CHUNK = 500_000
_COUNTRIES = "{US,DE,FR,GB,BR,JP,MX,NL,SE,IN,unknown}"
_SOURCES = "{search,trending,recommendations,related,profile,feed,library}"

_ASSETS = """
insert into assets (chain_id, asset_id, kind, controller, industry_code, content_hash, work_ids, metadata_uri,
                    split_version, split_hash, split_recipients, split_allocations, split_locked, frozen,
                    registered_block, registered_tx, updated_block)
select %(c)s, n, 'recording', '0x' || lpad(to_hex(40960 + n %% %(artists)s), 40, '0'), 'QZ' || lpad(n::text, 10, '0'),
       '0x' || repeat('ab', 32), '{}', 'ipfs://bench-' || n, 1, '0x' || repeat('11', 32),
       array['0x' || lpad(to_hex(40960 + n %% %(artists)s), 40, '0')], '{1000000}', false, false, 1,
       '0x' || repeat('22', 32), 1
from generate_series(1, %(recordings)s) n
"""
_USERS = """
insert into users (id, email, roles) select lpad(to_hex(n), 32, '0')::uuid, 'bench-' || n || '@example.com', '{fan}'
from generate_series(1, %(listeners)s) n
"""
# One playback session and one counted play each; recordings Zipf-like (random()^3), times over the last year.
_PLAYS = """
with g as (
    select gen_random_uuid() as sid, lpad(to_hex(1 + floor(random() * %(listeners)s)::int), 32, '0')::uuid as l,
           1 + floor(%(recordings)s * power(random(), 3))::bigint as a,
           now() - random() * interval '365 days' as t,
           (%(countries)s::text[])[1 + floor(random() * 11)::int] as country,
           (%(sources)s::text[])[1 + floor(random() * 7)::int] as source
    from generate_series(1, %(n)s)),
s as (insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at)
      select sid, l, %(c)s, a, t - interval '31 seconds', t + interval '1 hour' from g)
insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags, country, source)
select sid, l, %(c)s, a, t, 31000, true, '{}', nullif(country, 'unknown'), source from g
"""
_RAW_SERIES = text("""
    select (p.played_at at time zone 'UTC')::date as day, count(*), count(distinct p.listener_id)
    from plays p join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
    where p.counted and p.chain_id = :c and lower(a.controller) = :artist
      and p.played_at >= :start and p.played_at < :end + interval '1 day'
    group by 1 order by 1
""")
_GROUP_BY_DAY = text("""
    select asset_id, count(*), count(distinct listener_id) from plays
    where counted and chain_id = :c and played_at >= :since group by asset_id
""")


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def _load(url: str, args) -> float:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    params = {"c": CHAIN_ID, "artists": args.artists, "recordings": args.recordings, "listeners": args.listeners,
              "countries": _COUNTRIES, "sources": _SOURCES}
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(_ASSETS, params)
        conn.execute(_USERS, params)
        for done in range(0, args.plays, CHUNK):
            conn.execute(_PLAYS, {**params, "n": min(CHUNK, args.plays - done)})
        conn.execute("vacuum analyze plays")
        conn.execute("vacuum analyze assets")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=2_000_000)
    parser.add_argument("--recordings", type=int, default=20_000)
    parser.add_argument("--artists", type=int, default=2_000)
    parser.add_argument("--listeners", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="rollup series timed (the raw baseline: a tenth)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="harmoni-bench-analytics-"))
    server, started_pg, url = os.environ.get("HARMONI_DATABASE_URL"), False, None
    rng = random.Random(16)
    try:
        if not server:
            server, started_pg = embedded_db.start(work, database="postgres")
        url = fresh_database(server)
        load_s = _load(url, args)
        engine = get_engine(url)
        with Session(engine) as session, session.begin():
            started = time.perf_counter()
            service.rollup(session, CHAIN_ID)
            rollup_all_s = time.perf_counter() - started
        with Session(engine) as session, session.begin():
            owner = uuid.uuid4()
            session.execute(text("insert into users (id, email, roles) values (:u, 'bench-owner@example.com', "
                                 "'{artist}')"), {"u": owner})
            # Artists of popular recordings (low ids) and of the long tail alike.
            artists = sorted({f"0x{40960 + int(args.recordings * rng.random() ** 2) % args.artists:040x}"
                              for _ in range(40)})
            session.execute(text("insert into wallets (id, user_id, address, kind) "
                                 "values (gen_random_uuid(), :u, :a, 'linked')"),
                            [{"u": owner, "a": a} for a in artists])
        with Session(engine) as session:
            end = session.scalar(text("select current_date"))
            start = end - timedelta(days=364)
            for artist in artists[:5]:  # warm-up: the connection, compiled statements, the caches
                service.daily_plays(session, CHAIN_ID, owner, start, end, artist=artist)
            series, raw = [], []
            for i in range(args.queries):
                artist = artists[i % len(artists)]
                t0 = time.perf_counter()
                points = service.daily_plays(session, CHAIN_ID, owner, start, end, artist=artist)
                series.append((time.perf_counter() - t0) * 1000)
                if i % 10 == 0:
                    t0 = time.perf_counter()
                    rows = session.execute(_RAW_SERIES, {"c": CHAIN_ID, "artist": artist, "start": start,
                                                         "end": end}).all()
                    raw.append((time.perf_counter() - t0) * 1000)
                    assert sum(r[1] for r in rows) == sum(p.plays for p in points), artist  # the same series
            session.rollback()
        day_runs, group_runs = [], []
        for _ in range(3):  # the newest day, re-rolled as the periodic job does; then one GROUP BY of it
            with Session(engine) as session, session.begin():
                t0 = time.perf_counter()
                service.rollup(session, CHAIN_ID)
                day_runs.append(time.perf_counter() - t0)
            with Session(engine) as session:
                t0 = time.perf_counter()
                session.execute(_GROUP_BY_DAY, {"c": CHAIN_ID, "since": end}).all()
                group_runs.append(time.perf_counter() - t0)
        series_p95, raw_p95 = _p95(series), _p95(raw)
        rollup_day, group_day = statistics.median(day_runs), statistics.median(group_runs)
        print(json.dumps({
            "plays": args.plays, "recordings": args.recordings, "artists": args.artists,
            "series_days": 365, "series_p95_ms": round(series_p95, 2), "raw_series_p95_ms": round(raw_p95, 2),
            "series_speedup_vs_raw": round(raw_p95 / series_p95, 1), "rollup_day_s": round(rollup_day, 4),
            "group_by_day_s": round(group_day, 4), "rollup_day_to_group_by": round(rollup_day / group_day, 2),
            "rollup_all_s": round(rollup_all_s, 2), "load_s": round(load_s, 1), "target_series_p95_ms": 100}))
    finally:
        if url:
            get_engine(url).dispose()
            admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{make_url(url).database}" with (force)')
        if started_pg:
            embedded_db.stop(work)


if __name__ == "__main__":
    main()
