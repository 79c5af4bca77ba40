"""Royalty close at scale: one period of N plays over M assets and P payees, beside one SQL aggregate.

    python scripts/bench_royalties.py [--plays 10000000] [--assets 100000] [--payees 50000] [--database-url URL]

Starts its own anvil and deploys the contracts, takes a fresh database (on the given server, dropped afterwards;
else an embedded PostgreSQL in a temporary directory, removed afterwards) and generates the data in SQL: assets,
their split versions (1-4 recipients each, a few later versions and freezes), playback sessions and plays (counted
ones inside the period, asset popularity skewed like real listening), one subscription revenue entry, a few direct
sales and one partner report. The period is opened first, so the plays are tallied per period and asset as they
are written, by the same triggers as in production (their cost is in `generate_s`). Then it moves the chain past
the period's end and times, warm and in the same run:

- `baseline_s`: one SQL aggregate of the period's counted plays per asset (best of 2 after a warm-up run);
- `close_s`: `close_period` end to end (inputs, statement, Merkle tree, documents, entitlements and the tree,
  journal); `peak_mb`: the process's peak resident memory during the close (VmHWM, reset just before it), and
  `fork_peak_mb` the largest of the processes it forked to render documents (their pages are shared with it
  copy-on-write, so the two do not add up).

The close reads the period's play tallies; the run checks that every asset's count in the statement equals the
baseline's aggregate of the raw plays (what the audit counts). Prints one JSON line. Target: `close_s` within 3x
`baseline_s`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from eth_utils import keccak, to_checksum_address
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chain import artifacts
from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.node import AnvilNode
from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from content.storage import get_content_addressed
from harmoni import embedded_db
from harmoni.db import get_engine, normalize_url
from harmoni.settings import Settings
from ledger.royalties.close import STATEMENTS, close_period
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.periods import open_period, record_revenue
from scripts.bench_indexer import free_port, fresh_database

CHAIN_ID = 31337
WINDOW = timedelta(days=30)
FLAGGED_SHARE = 0.05  # plays kept with a flag (not counted)
NOTES = ("plays/playback_sessions indexes and foreign keys dropped for the bulk load and re-created (validated) "
         "before the measurements (the play tally triggers stay); tables vacuumed and analyzed; baseline = best of "
         "2 after one warm-up run; the close reads period play tallies, checked equal to the baseline per asset")

# -- data, generated in SQL ------------------------------------------------------------------------------------

# Split versions: every asset one at or below the cut, every 20th a second one below the cut, every 50th one more
# above it (not in force for the period). k recipients spread evenly over the payees from a random start, so
# they are distinct; random weights; the allocation remainder goes to the first (lowest) recipient.
SPLITS = """
CREATE TEMP TABLE bench_splits AS
WITH sources AS (
  SELECT g AS asset_id, %(first)s + g %% 8 AS block_number FROM generate_series(1, %(assets)s) g
  UNION ALL SELECT g, %(cut)s FROM generate_series(20, %(assets)s, 20) g
  UNION ALL SELECT g, %(cut)s + 5 FROM generate_series(50, %(assets)s, 50) g),
versions AS (
  SELECT asset_id, block_number, row_number() OVER (PARTITION BY asset_id ORDER BY block_number) AS version,
         1 + floor(random() * 4)::int AS k, floor(random() * %(payees)s)::int AS base
  FROM sources),
picks AS (
  SELECT v.asset_id, v.version, (v.base + j * (%(payees)s / v.k)) %% %(payees)s AS payee,
         1 + floor(random() * 100) AS weight
  FROM versions v CROSS JOIN LATERAL generate_series(0, v.k - 1) j),
parts AS (
  SELECT p.asset_id, p.version, array_agg(b.address ORDER BY p.payee) AS recipients,
         array_agg(floor(1000000 * p.weight / t.total)::int ORDER BY p.payee) AS shares
  FROM picks p JOIN bench_payees b ON b.n = p.payee
  JOIN (SELECT asset_id, version, sum(weight) AS total FROM picks GROUP BY 1, 2) t USING (asset_id, version)
  GROUP BY p.asset_id, p.version)
SELECT v.asset_id, v.version, v.block_number, p.recipients,
       (shares[1] + 1000000 - (SELECT sum(s) FROM unnest(shares) s))::int || shares[2:] AS allocations,
       '0x' || md5('split' || v.asset_id || ':' || v.version) || md5('hash' || v.asset_id) AS split_hash,
       '0x' || md5('tx' || v.asset_id || ':' || v.version) || md5('tx' || v.asset_id) AS tx_hash
FROM versions v JOIN parts p USING (asset_id, version)
"""
SPLIT_VERSIONS = """
INSERT INTO split_versions (chain_id, block_number, log_index, tx_hash, asset_id, version, split_hash, recipients,
                            allocations, block_hash)
SELECT %(chain)s, block_number, asset_id * 4 + version, tx_hash, asset_id, version, split_hash, recipients,
       allocations, '0x' || md5('block' || block_number) || md5('block' || block_number)
FROM bench_splits
"""
FREEZES = """
INSERT INTO asset_freezes (chain_id, block_number, log_index, tx_hash, asset_id, frozen, arbiter, reason_hash)
SELECT %(chain)s, %(cut)s - 1, g, '0x' || md5('freeze' || g) || md5('freeze' || g), g, true, %(arbiter)s, NULL
FROM generate_series(200, %(assets)s, 200) g
UNION ALL
SELECT %(chain)s, %(cut)s, g, '0x' || md5('thaw' || g) || md5('thaw' || g), g, false, %(arbiter)s, NULL
FROM generate_series(400, %(assets)s, 400) g
"""
ASSETS = """
INSERT INTO assets (chain_id, asset_id, kind, controller, industry_code, work_ids, metadata_uri, split_version,
                    split_hash, split_recipients, split_allocations, split_locked, frozen, registered_block,
                    registered_tx, updated_block)
SELECT DISTINCT ON (asset_id) %(chain)s, asset_id, 'recording', recipients[1], 'USHRM' || lpad(asset_id::text, 7, '0'),
       '{}', 'ipfs://bench/' || asset_id, version, split_hash, recipients, allocations, false,
       asset_id %% 400 = 200, %(first)s, tx_hash, block_number
FROM bench_splits ORDER BY asset_id, version DESC
"""
LISTENERS = """
INSERT INTO users (id, roles) SELECT md5('listener' || g)::uuid, '{fan}' FROM generate_series(1, %(listeners)s) g
"""
# Sessions in time order across the window; asset ids skewed like listening (power of random(): asset 1 is the
# most played, the least played still gets about plays / (3 * assets)).
SESSIONS = """
INSERT INTO playback_sessions (id, listener_id, chain_id, asset_id, duration_ms, started_at, expires_at)
SELECT gen_random_uuid(), md5('listener' || (1 + floor(random() * %(listeners)s)::int))::uuid, %(chain)s,
       1 + floor(%(assets)s * power(random(), 3))::bigint, 180000, at, at + interval '1 hour'
FROM (SELECT %(starts)s + (g - 1 + random()) * %(step)s * interval '1 second' AS at
      FROM generate_series(1, %(plays)s) g OFFSET 0) s
"""
PLAYS = """
INSERT INTO plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags)
SELECT id, listener_id, chain_id, asset_id, started_at, 40000 + floor(r * 140000)::int, r >= %(flagged)s,
       CASE WHEN r >= %(flagged)s THEN '{}'::varchar[] ELSE '{duplicate_window}'::varchar[] END
FROM (SELECT *, random() AS r FROM playback_sessions OFFSET 0) s  -- OFFSET 0: r drawn once per row
"""
PARTNER_REPORT = """
WITH owner AS (INSERT INTO users (id, email, roles) VALUES (md5('partner')::uuid, 'bench-partner@example.com',
                                                            '{partner}') RETURNING id),
report AS (
  INSERT INTO usage_reports (id, period_id, owner_id, chain_id, filename, sha256, line_count, total_usage,
                             total_net_revenue, currency)
  SELECT md5('report')::uuid, %(period)s, id, %(chain)s, 'bench.csv', decode(md5('report') || md5('report'), 'hex'),
         %(lines)s, 0, 0, 'USD' FROM owner RETURNING id)
INSERT INTO usage_report_lines (report_id, line_no, isrc, asset_id, territory, usage_count, net_revenue, currency)
SELECT report.id, g + 1, 'USHRM' || lpad((g * 7)::text, 7, '0'), g * 7, 'US', 1 + g %% 50, 100 + g %% 900, 'USD'
FROM report, generate_series(1, %(lines)s) g
"""
BASELINE = """
SELECT asset_id, count(*) FROM plays
WHERE chain_id = %(chain)s AND counted AND played_at >= %(starts)s AND played_at < %(ends)s GROUP BY asset_id
"""
# Indexes and constraints that slow a bulk load down (everything but CHECK and NOT NULL), on or referencing the tables.
LOAD_CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint
WHERE contype IN ('p', 'u', 'f') AND (conrelid = ANY(%(tables)s::regclass[]) OR confrelid = ANY(%(tables)s::regclass[]))
ORDER BY contype = 'f' DESC
"""
LOAD_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%(tables)s) AND schemaname = 'public'
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""


def payee_addresses(count: int) -> list[str]:
    """`count` distinct checksummed addresses (as the indexer mirrors them), in ascending numeric order."""
    raw = sorted({keccak(b"payee:%d" % n)[12:] for n in range(count)})
    if len(raw) != count:
        raise RuntimeError("payee address collision")
    return [to_checksum_address(address) for address in raw]


def bulk_load(conn: psycopg.Connection, tables: list[str], statements: list[tuple[str, dict]]) -> None:
    """Run `statements` with the tables' indexes and keys dropped, then re-create them (FKs validated)."""
    constraints = conn.execute(LOAD_CONSTRAINTS, {"tables": tables}).fetchall()
    indexes = conn.execute(LOAD_INDEXES, {"tables": tables}).fetchall()
    for table, name, _, _ in constraints:  # foreign keys first: they depend on the keys they reference
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for sql, params in statements:
        conn.execute(sql, params)
    for _, definition in indexes:
        conn.execute(definition)
    for table, name, definition, _ in reversed(constraints):
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def generate(url: str, ctx: RoyaltyContext, args: argparse.Namespace, first: int, cut: int, starts: datetime,
             ends: datetime) -> int:
    """Fill the database; returns the open period's id."""
    params = {"chain": CHAIN_ID, "assets": args.assets, "payees": args.payees, "plays": args.plays,
              "listeners": max(1000, args.plays // 100), "first": first, "cut": cut, "starts": starts,
              "step": WINDOW.total_seconds() / args.plays, "flagged": FLAGGED_SHARE,
              "arbiter": anvil_dev_account(0).address}
    with ctx.sessions.begin() as session:
        period_id = open_period(session, ends, starts).period_id
    dsn = make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SELECT setseed(0.42)")
        conn.execute("CREATE TEMP TABLE bench_payees (n int PRIMARY KEY, address text)")
        with conn.cursor().copy("COPY bench_payees (n, address) FROM STDIN") as copy:
            for n, address in enumerate(payee_addresses(args.payees)):
                copy.write_row((n, address))
        for sql in (SPLITS, SPLIT_VERSIONS, FREEZES, ASSETS, LISTENERS):
            conn.execute(sql, params)
        if args.assets >= 7:
            conn.execute(PARTNER_REPORT, {**params, "period": period_id, "lines": min(1000, args.assets // 7)})
        conn.commit()
        bulk_load(conn, ["playback_sessions", "plays"], [(SESSIONS, params), (PLAYS, params)])
        conn.commit()
    with ctx.sessions.begin() as session:
        revenue = {"currency": "USD", "chain_id": CHAIN_ID, "payout_currency": "USD", "unit_factor": ctx.unit_factor}
        record_revenue(session, period_id, source="subscriptions", amount=100_000_000, reference="subs", **revenue)
        for asset_id in range(1, min(10, args.assets) + 1):
            record_revenue(session, period_id, source="direct_sales", amount=9_900, reference=f"sale-{asset_id}",
                           asset_id=asset_id, **revenue)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # hint bits and visibility map set: neither measurement pays for them
    return period_id


def mine_past(node_url: str, client: ChainClient, moment: datetime, blocks: int = 70) -> None:
    """Move the chain's clock past `moment` and make the block after it final (anvil: 64 deep)."""
    rpc = JsonRpc(node_url)
    rpc.call("evm_setNextBlockTimestamp", [max(int(moment.timestamp()) + 1, client.head().timestamp + 1)])
    rpc.call("anvil_mine", [hex(blocks)])


def mark_mirrored(url: str, client: ChainClient) -> None:
    """The indexer checkpoint at the head, so the close sees the chain as mirrored past the cut."""
    head = client.head()
    dsn = make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO indexer_checkpoints (chain_id, block_number, block_hash) VALUES (%s, %s, %s) "
                     "ON CONFLICT (chain_id) DO UPDATE SET block_number = excluded.block_number, "
                     "block_hash = excluded.block_hash", (CHAIN_ID, head.number, head.hash))


def time_baseline(url: str, starts: datetime, ends: datetime) -> tuple[float, dict[int, int]]:
    """Best of 2 runs of the per-asset aggregate, after one warm-up run; returns (seconds, plays per asset)."""
    dsn = make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    times, rows = [], []
    with psycopg.connect(dsn) as conn:
        for _ in range(3):
            t0 = time.perf_counter()
            rows = conn.execute(BASELINE, {"chain": CHAIN_ID, "starts": starts, "ends": ends}).fetchall()
            times.append(time.perf_counter() - t0)
    return min(times[1:]), dict(rows)


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux: write 5 to clear_refs), so VmHWM covers what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timeout(signum, frame):
    raise TimeoutError("benchmark exceeded --timeout")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plays", type=int, default=10_000_000)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--payees", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("HARMONI_DATABASE_URL", ""),
                        help="PostgreSQL server to create a scratch database on (default: an embedded server)")
    parser.add_argument("--timeout", type=int, default=3 * 3600, help="give up (and clean up) after this many s")
    args = parser.parse_args()
    if args.payees < 4 or args.assets < 1 or args.plays < 1:
        parser.error("need at least 4 payees, 1 asset and 1 play")
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(args.timeout)

    artifacts.ensure_built()
    work_dir = Path(tempfile.mkdtemp(prefix="harmoni-bench-royalties-"))
    node = AnvilNode(free_port(), CHAIN_ID, state_path=None)
    started_pg, server, url = False, args.database_url, None
    node.start()
    try:
        client = ChainClient(node.url)
        deploy_all(client, anvil_dev_account(0), anvil_dev_account(1).address, work_dir)
        first = client.head().number + 1
        JsonRpc(node.url).call("anvil_mine", [hex(10)])
        cut_block = client.head()  # the last block before the period's end: split versions are set up to it
        ends = datetime.fromtimestamp(cut_block.timestamp + 2, UTC)
        starts = ends - WINDOW
        if not server:
            server, started_pg = embedded_db.start(work_dir, database="postgres")
        url = fresh_database(server)
        settings = Settings(_env_file=None, env="test", database_url=url, rpc_url=node.url, data_dir=work_dir,
                            storage_path=work_dir / "objects", period_close_grace_s=0)
        ctx = RoyaltyContext.from_settings(settings, client=client,
                                           sessions=sessionmaker(bind=get_engine(url), expire_on_commit=False))
        t0 = time.perf_counter()
        period_id = generate(url, ctx, args, first, cut_block.number, starts, ends)
        generate_s = time.perf_counter() - t0
        mine_past(node.url, client, ends)
        mark_mirrored(url, client)

        baseline_s, baseline_plays = time_baseline(url, starts, ends)
        rss_before = peak_rss_mb()
        peak_method = "VmHWM reset before the close" if reset_peak_rss() else "ru_maxrss (whole process)"
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        stored = close_period(ctx, period_id, now=max(datetime.now(UTC), ends + timedelta(seconds=1)))
        close_s = time.perf_counter() - t0
        peak_mb = peak_rss_mb()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

        document = json.loads(get_content_addressed(ctx.store, STATEMENTS, stored.statement_uri, ".json"))
        tree = json.loads(get_content_addressed(ctx.store, STATEMENTS, stored.tree_uri, ".json"))
        if stored.cut_block != cut_block.number:
            raise RuntimeError(f"the close cut at block {stored.cut_block}, expected {cut_block.number}")
        played = {a["asset_id"]: a["plays"] for a in document["assets"] if a["plays"]}
        if played != baseline_plays:
            wrong = sorted(set(played.items()) ^ set(baseline_plays.items()))[:5]
            raise RuntimeError(f"the statement's play counts differ from the aggregate's, e.g. {wrong}")
    finally:
        signal.alarm(0)
        node.stop()
        if url:
            get_engine(url).dispose()
        if started_pg:
            embedded_db.stop(work_dir)
        elif url:
            admin = make_url(normalize_url(server)).set(drivername="postgresql")
            with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        shutil.rmtree(work_dir, ignore_errors=True)

    print(json.dumps({
        "benchmark": "royalties", "plays": args.plays, "assets": args.assets, "payees": args.payees,
        "close_s": round(close_s, 3), "baseline_s": round(baseline_s, 3), "ratio": round(close_s / baseline_s, 2),
        "peak_mb": round(peak_mb, 1), "rss_before_close_mb": round(rss_before, 1), "peak_method": peak_method,
        # ru_maxrss of the reaped children: the forks, unless an earlier child (anvil, initdb) was larger
        "fork_peak_mb": round(children_after / 1024, 1) if children_after > children_before else None,
        "statement_lines": len(document["assets"]), "tree_leaves": len(tree["values"]),
        "allocated": str(int(stored.allocated)), "root": stored.root,
        "generate_s": round(generate_s, 1), "postgres": "embedded" if started_pg else "server", "notes": NOTES,
    }))


if __name__ == "__main__":
    main()
