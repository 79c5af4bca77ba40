"""Home-feed throughput and latency for a warm (cached) and a cold (SQL) reader, and post fan-out time, beside
/healthz of the same server.

    python scripts/bench_social.py [--accounts 20000] [--posts 200000] [--max-follows 10000] [--seconds 10]

Generates accounts, a power-law follow graph (one artist followed by every account, fans following up to
`--max-follows` artists), posts and reposts straight into a fresh database (HARMONI_DATABASE_URL's server if set,
else an embedded one), runs `harmoni api` twice (with Redis at HARMONI_REDIS_URL or redis://127.0.0.1:6379/3: the
warm path; without: the SQL path) and drives each with `wrk` (Debian's package, installed when missing).
Prints one JSON line: `feed_p99_ms`/`feed_rps` warm and cold, `post_fanout_s` (an artist's new post to its first
appearance in a follower's feed), `baseline_rps` (GET /healthz) and ratios, with the sizes used (the issue asks
for 100,000 accounts, a 1,000,000-follower artist and 1,000,000 posts; pass those sizes on a machine that holds
them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy.engine import make_url

from harmoni import embedded_db
from harmoni.db import normalize_url
from identity import tokens
from scripts.bench_api import drive, load_generator
from scripts.bench_indexer import free_port, fresh_database

SECRET = "bench-social-secret-key-0123456789abcdef"  # noqa: S105 -- a throwaway key of a throwaway database


def generate(url: str, accounts: int, posts: int, max_follows: int) -> dict:
    """Accounts 1..N as UUIDs; account 1 is the big artist; artists are the first 5%."""
    dsn = make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    artists = max(accounts // 20, 2)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create or replace function bench_uid(n bigint) returns uuid language sql immutable as "
                     "$$ select lpad(to_hex(n), 32, '0')::uuid $$")
        conn.execute("insert into users (id, email, roles) select bench_uid(n), 'b' || n || '@bench.test', "
                     "case when n <= %s then array['artist'] else array['fan'] end::varchar[] "
                     "from generate_series(1, %s) n", (artists, accounts))
        # Everyone follows the big artist; fan n also follows ~ max_follows / n^0.5 other artists (power law).
        conn.execute("insert into social_follows (follower_id, followee_id) select bench_uid(n), bench_uid(1) "
                     "from generate_series(2, %s) n", (accounts,))
        conn.execute("""insert into social_follows (follower_id, followee_id)
            select bench_uid(f), bench_uid(a) from generate_series(2, %s) f,
            lateral (select distinct 2 + (hashint8(f * 7919 + k) & 2147483647) %% (%s - 1) as a
                     from generate_series(1, greatest(1, least(%s, (%s / sqrt(f))::int))) k) picks
            where a <> f on conflict do nothing""", (accounts, artists, max_follows, max_follows))
        conn.execute("""insert into social_posts (id, author_id, text, created_at)
            select gen_random_uuid(), bench_uid(1 + (hashint8(n) & 2147483647) %% %s), 'post ' || n,
                   now() - ((n + 120) || ' seconds')::interval from generate_series(1, %s) n""", (artists, posts))
        conn.execute("""insert into social_reposts (id, user_id, subject_type, subject_id, created_at)
            select gen_random_uuid(), bench_uid(1 + (hashint8(n + 1) & 2147483647) %% %s), 'post', p.id::text,
                   p.created_at + interval '1 minute'
            from (select id, created_at, row_number() over () n from social_posts limit %s) p
            on conflict do nothing""", (artists, posts // 10))
        conn.execute("analyze")
        follows = conn.execute("select count(*) from social_follows").fetchone()[0]
        most = conn.execute("select max(c) from (select count(*) c from social_follows group by follower_id) x"
                            ).fetchone()[0]
    return {"accounts": accounts, "artists": artists, "follows": follows, "big_artist_followers": accounts - 1,
            "max_followees": most, "posts": posts, "reposts": posts // 10}


def serve(url: str, work_dir: Path, redis_url: str, workers: int, servers: list[subprocess.Popen]) -> str:
    """Start an API on the database; it is appended to `servers` at once, so the caller stops it even if it never
    answers."""
    port = free_port()
    env = {**os.environ, "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": f"http://127.0.0.1:{free_port()}",
           "HARMONI_DATA_DIR": str(work_dir), "HARMONI_API_PORT": str(port), "HARMONI_API_WORKERS": str(workers),
           "HARMONI_LOG_LEVEL": "WARNING", "HARMONI_SECRET_KEY": SECRET, "HARMONI_REDIS_URL": redis_url,
           "HARMONI_SOCIAL_WRITE_RATE_LIMIT_PER_MINUTE": "100000"}
    api = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "api"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    servers.append(api)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # a loaded 2-core machine imports the app slowly
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()  # noqa: S310 -- our local server
            return base
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _request(method: str, url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,  # noqa: S310
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- our local server
        return json.loads(response.read())


def fanout_s(base: str, artist_token: str, fan_token: str) -> float:
    started = time.monotonic()
    post = _request("POST", base + "/v1/posts", artist_token, {"text": "fan-out probe"})
    while time.monotonic() - started < 30:
        items = _request("GET", base + "/v1/me/feed?limit=5", fan_token)["items"]
        if any(i["subject_id"] == post["id"] for i in items):
            return time.monotonic() - started
        time.sleep(0.01)
    return float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--max-follows", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    load_generator()
    work_dir = Path(tempfile.mkdtemp(prefix="harmoni-bench-social-"))
    server, started_pg = os.environ.get("HARMONI_DATABASE_URL"), False
    if not server:
        server, started_pg = embedded_db.start(work_dir, database="postgres")
    redis_url = os.environ.get("HARMONI_REDIS_URL", "redis://127.0.0.1:6379/3")
    url = fresh_database(server)
    sizes = generate(url, args.accounts, args.posts, args.max_follows)
    heavy_fan = 2  # follows the most artists (the power law's head)
    fan_token = tokens.issue_access_token(uuid_of(heavy_fan), ["fan"], SECRET)
    artist_token = tokens.issue_access_token(uuid_of(1), ["artist"], SECRET)
    results, servers = {}, []
    try:
        for name, redis in (("warm", redis_url), ("cold", "")):
            base = serve(url, work_dir, redis, args.workers, servers)
            headers = {"Authorization": f"Bearer {fan_token}"}
            if name == "warm":
                drive(base + "/healthz", args.clients, args.warmup)
                results["baseline"] = drive(base + "/healthz", args.clients, args.seconds)
                results["fanout_s"] = fanout_s(base, artist_token, fan_token)
            drive(base + "/v1/me/feed", args.clients, args.warmup, headers)
            results[name] = drive(base + "/v1/me/feed", args.clients, args.seconds, headers)
            _stop(servers.pop())  # one server at a time on the machine
    finally:
        for api in servers:
            _stop(api)
        if started_pg:
            embedded_db.stop(work_dir)
    baseline = results["baseline"]
    print(json.dumps({
        "feed_warm_rps": round(results["warm"]["rps"]), "feed_warm_p99_ms": round(results["warm"]["p99_ms"], 2),
        "feed_cold_rps": round(results["cold"]["rps"]), "feed_cold_p99_ms": round(results["cold"]["p99_ms"], 2),
        "post_fanout_s": round(results["fanout_s"], 3), "baseline_rps": round(baseline["rps"]),
        "feed_warm_to_baseline": round(results["warm"]["rps"] / baseline["rps"], 3),
        "feed_cold_to_baseline": round(results["cold"]["rps"] / baseline["rps"], 3),
        "errors": results["warm"]["errors"] + results["cold"]["errors"] + baseline["errors"],
        "sizes": sizes, "note": "smaller than the issue's sizes unless passed on the command line",
        "clients": args.clients, "workers": args.workers, "generator": baseline["generator"],
    }))


def _stop(api: subprocess.Popen) -> None:
    """Stop a server; one still busy with slow requests after 20 s is killed (the run's numbers are taken)."""
    api.terminate()
    try:
        api.wait(20)
    except subprocess.TimeoutExpired:
        api.kill()
        api.wait(20)


def uuid_of(n: int):
    import uuid

    return uuid.UUID(int=n)


if __name__ == "__main__":
    main()
