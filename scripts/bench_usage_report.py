"""Time one partner usage report upload, end to end through the API (validation, ISRC lookup, COPY, commit).

    HARMONI_DATABASE_URL=postgresql://… python scripts/bench_usage_report.py [--lines 100000] [--recordings 5000]

Creates a scratch database on that server, mirrors N recordings, opens a period, uploads one CSV of the given
number of lines with a partner key (the app runs in-process with a body limit large enough for it), drops the
database. Prints one JSON line: `lines`, `bytes`, `seconds`, `lines_per_s`, and the refusal time of the same
file with one bad line at the end (`refused_seconds`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.app import create_app
from harmoni.db import get_engine, normalize_url, session_scope
from harmoni.settings import Settings
from identity.models import User
from ledger.usage.territories import TERRITORIES
from partners import service as partners
from partners.models import ApiScope
from scripts.bench_indexer import fresh_database
from tests.usage.factories import add_period, add_recording


def _report(lines: int, recordings: int) -> bytes:
    territories = sorted(TERRITORIES)
    rows = ["isrc,territory,usage_count,net_revenue,currency"]
    for n in range(lines):
        rows.append(f"USHRM26{n % recordings:05d},{territories[n // recordings % len(territories)]},"
                    f"{n % 997 + 1},{n % 50_000},USD")
    return ("\r\n".join(rows) + "\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--recordings", type=int, default=5_000)
    args = parser.parse_args()
    server = os.environ.get("HARMONI_DATABASE_URL")
    if not server:
        sys.exit("set HARMONI_DATABASE_URL to a PostgreSQL server")
    url = fresh_database(server)
    try:
        with session_scope(url) as session:
            owner = User(id=uuid.uuid4(), email="bench@example.com", roles=["partner"])
            session.add(owner)
            for asset_id in range(args.recordings):
                add_recording(session, asset_id + 1, f"USHRM26{asset_id:05d}")
            add_period(session, 1)
            key = partners.issue_key(session, owner.id, "bench", [ApiScope.usage_write]).key
        data = _report(args.lines, args.recordings)
        settings = Settings(_env_file=None, env="test", database_url=url, max_request_bytes=len(data) + 1024)
        with TestClient(create_app(settings)) as client:
            headers = {"X-API-Key": key, "Content-Type": "text/csv"}
            bad = data + b"USHRM2699999,US,1,1,USD\r\n"
            started = time.perf_counter()
            refused = client.post("/v1/periods/1/usage-reports", content=bad, headers=headers)
            refused_s = time.perf_counter() - started
            assert refused.status_code == 422, refused.text
            started = time.perf_counter()
            response = client.post("/v1/periods/1/usage-reports", content=data, headers=headers)
            seconds = time.perf_counter() - started
            assert response.status_code == 201, response.text
            assert response.json()["line_count"] == args.lines
        print(json.dumps({"lines": args.lines, "bytes": len(data), "seconds": round(seconds, 3),
                          "lines_per_s": round(args.lines / seconds), "refused_seconds": round(refused_s, 3)}))
    finally:
        get_engine(url).dispose()
        admin = make_url(normalize_url(server)).set(drivername="postgresql", database="postgres")
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{make_url(url).database}" with (force)')


if __name__ == "__main__":
    main()
