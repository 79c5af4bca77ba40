"""Stripe webhooks end to end: 50 clients post signed events to the real API, the worker applies them.

    python scripts/bench_payments.py [--events 20000] [--duplicates 0.1] [--clients 50] [--appliers 2]

Generates real Stripe histories in the local Stripe-compatible server's memory (checkout, subscription, first
invoice paid, one renewal paid: customer, subscription, invoice and checkout events), then serves it in its own
process as the workers' Stripe. The events (10% of the deliveries repeat one, all shuffled) are signed with
Stripe's scheme at send time and POSTed by `--clients` concurrent aiohttp clients (in the venv: no other load
generator needed) to `POST /v1/webhooks/stripe` of `harmoni api` on 127.0.0.1; `--appliers` worker processes
apply the inbox meanwhile (re-fetching objects from the Stripe server, journaling, recognising revenue into an
open period). `events_per_s` counts deliveries from the first POST until every distinct event is applied.

`inbox_insert_per_s`, the baseline of the same run: the same rows, duplicates included, inserted into a copy of
the inbox table by as many concurrent connections, one INSERT … ON CONFLICT DO NOTHING and commit per row (what
the webhook route must at least do per delivery: store durably, then answer), with no HTTP, no signature check
and nothing applied. `lost` and `applied_twice` come from the final state: a distinct event not applied, a paid
invoice without its receipt, a subscription whose status differs from Stripe's; a receipt, revenue entry or card
payment journaled more than once. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
import stripe
from sqlalchemy.engine import make_url

from harmoni import embedded_db
from harmoni.db import normalize_url
from payments import config
from scripts.bench_indexer import free_port, fresh_database
from scripts.bench_social import serve

SECRET = "bench-payments-secret-key-0123456789abcdef"  # noqa: S105 -- a throwaway key of a throwaway database
CARD = {"number": "4242424242424242", "billing_country": "DE", "card_country": "DE", "email": "fan@bench.test"}


def _dsn(url: str) -> str:
    return make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def generate(state_path: Path, unique: int) -> tuple[list[dict], dict[str, str]]:
    """Histories in a local Stripe state saved to `state_path` until there are `unique` events or more; the
    events and every user id the histories name."""
    from fastapi.testclient import TestClient

    from payments.stripe_server.app import (
        StripeState,
        _complete_checkout,
        _customer,
        create_app,
        create_checkout_session,
    )

    state = StripeState(config.LOCAL_KEY, "http://127.0.0.1:0", deliver=False)
    local = TestClient(create_app(state))
    users: dict[str, str] = {}
    while len(state.data["events"]) < unique:
        user_id = str(uuid.uuid4())
        with state.lock:
            customer = _customer(state, {"email": f"{user_id[:8]}@bench.test", "metadata": {"user_id": user_id}})
            session = create_checkout_session(state, {
                "mode": "subscription", "customer": customer["id"], "client_reference_id": user_id,
                "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 999,
                                                              "recurring": {"interval": "month"}}}],
                "subscription_data": {"metadata": {"user_id": user_id, "plan": "month:USD"}}}, {})
            _complete_checkout(state, session, CARD)
        assert local.post(f"/_local/subscriptions/{session['subscription']}/renew").status_code == 200
        users[user_id] = customer["id"]
    state.path = state_path
    state.save()
    return state.events_in_order(), users


def prepare(url: str, users: dict[str, str]) -> None:
    """The accounts the histories name, and an open royalty period around now (recognition has somewhere to go)."""
    with psycopg.connect(_dsn(url), autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany("insert into users (id, email, roles) values (%s, %s, array['fan'])",
                        [(u, f"{u[:8]}@bench.test") for u in users])
        cur.execute("insert into royalty_periods (period_id, starts_at, ends_at, status) "
                    "values (1, now() - interval '1 day', now() + interval '90 days', 'open')")


def deliveries(events: list[dict], total: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    bodies = [json.dumps(e).encode() for e in events]
    return rng.sample(bodies + [rng.choice(bodies) for _ in range(total - len(bodies))], total)


async def _post_all(base: str, bodies: list[bytes], clients: int) -> int:
    import aiohttp

    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    failed = 0

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal failed
        while not queue.empty():
            body = queue.get_nowait()
            header = stripe.WebhookSignature.generate_signature_header(body.decode(), config.LOCAL_WEBHOOK_SECRET)
            async with session.post(base + "/v1/webhooks/stripe", data=body, headers={
                    "Stripe-Signature": header, "Content-Type": "application/json"}) as answer:
                await answer.read()
                failed += answer.status != 200

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return failed


def _count_applied(url: str) -> int:
    with psycopg.connect(_dsn(url)) as conn:
        return conn.execute("select count(*) from stripe_events where handled_at is not null").fetchone()[0]


def run_end_to_end(url: str, base: str, bodies: list[bytes], unique: int, clients: int,
                   timeout_s: float) -> tuple[float, float, int]:
    """Seconds until every delivery was answered, until every distinct event was applied; failed deliveries."""
    started = time.perf_counter()
    failed = asyncio.run(_post_all(base, bodies, clients))
    posted = time.perf_counter() - started
    while _count_applied(url) < unique and time.perf_counter() - started < timeout_s:
        time.sleep(0.05)
    return posted, time.perf_counter() - started, failed


def run_baseline(url: str, bodies: list[bytes], clients: int) -> float:
    """The same rows into a copy of the inbox, one INSERT and commit per row, from `clients` connections."""
    dsn = _dsn(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create table bench_inbox (like stripe_events including all)")
    rows = [json.loads(body) for body in bodies]
    chunks = [rows[i::clients] for i in range(clients)]
    connections = [psycopg.connect(dsn, autocommit=True) for _ in range(clients)]
    sql = ("insert into bench_inbox (id, type, created, livemode, payload, source, attempts) "
           "values (%s, %s, %s, %s, %s, 'webhook', 0) on conflict (id) do nothing returning id")

    def insert(conn, chunk) -> None:
        for e in chunk:
            conn.execute(sql, (e["id"], e["type"], e["created"], e["livemode"], json.dumps(e))).fetchall()

    threads = [threading.Thread(target=insert, args=pair) for pair in zip(connections, chunks, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return len(rows) / elapsed


def final_state(url: str, stripe_state: Path, unique_ids: set[str]) -> dict:
    data = json.loads(stripe_state.read_text())["data"]
    paid = {i["id"] for i in data["invoices"].values() if i["status"] == "paid"}
    with psycopg.connect(_dsn(url)) as conn:
        handled = {r[0] for r in conn.execute("select id from stripe_events where handled_at is not null")}
        receipts = [r[0] for r in conn.execute("select stripe_invoice_id from payment_invoices")]
        subs = dict(conn.execute("select stripe_subscription_id, status from subscriptions").fetchall())
        revenue_twice = conn.execute("select count(*) from (select reference from royalty_revenue "
                                     "group by period_id, reference having count(*) > 1) x").fetchone()[0]
        cleared = conn.execute("select coalesce(sum(l.debit), 0) from journal_lines l join journal_entries e "
                               "on e.id = l.entry_id where l.account = 'card_clearing' and e.idempotency_key "
                               "like 'stripe-invoice:%'").fetchone()[0]
        dead = conn.execute("select count(*) from stripe_events where dead_at is not null").fetchone()[0]
    gross = sum(data["invoices"][i]["amount_paid"] for i in paid) * 10**4
    lost = (len(unique_ids - handled) + len(paid - set(receipts))
            + sum(subs.get(s["id"]) != s["status"] for s in data["subscriptions"].values()))
    twice = len(receipts) - len(set(receipts)) + revenue_twice + (cleared > gross)
    return {"lost": lost, "applied_twice": twice, "dead_lettered": dead, "receipts": len(receipts),
            "subscriptions": len(subs)}


def drop_database(server_url: str, url: str) -> None:
    from harmoni.db import get_engine

    get_engine(url).dispose()
    with psycopg.connect(_dsn(server_url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{make_url(url).database}" with (force)')


def apply_forever(url: str, stripe_base: str, threads: int) -> None:
    """One applier process: `threads` loops of the inbox worker (`payments.tasks.apply_inbox`), each polling when
    nothing is due (they mostly wait on the database and Stripe, so threads overlap those waits)."""
    from harmoni.db import session_factory
    from harmoni.settings import Settings
    from payments import service
    from payments.tasks import apply_inbox

    settings = Settings(_env_file=None, env="test", database_url=url, stripe_api_base=stripe_base)
    p = service.Payments(settings, config.client(settings), 10**4)
    sessions = session_factory(url)

    def loop(first: bool) -> None:
        while True:
            if not apply_inbox(sessions, p) and first:
                with sessions.begin() as session:
                    service.recognise_pending(p, session)
            time.sleep(0.02)

    workers = [threading.Thread(target=loop, args=(i == 0,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    workers[0].join()


def _start(argv: list[str], env: dict, processes: list[subprocess.Popen]) -> None:
    processes.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def _wait_http(url: str, timeout_s: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 -- our local server
            return
        except OSError as err:
            if getattr(err, "code", None):  # answered (404 and such): it is up
                return
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--appliers", type=int, default=2, help="worker processes applying the inbox")
    parser.add_argument("--threads", type=int, default=4, help="applying loops per worker process")
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--apply-worker", nargs=3, metavar=("DATABASE_URL", "STRIPE_BASE", "THREADS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.apply_worker:
        apply_forever(args.apply_worker[0], args.apply_worker[1], int(args.apply_worker[2]))
        return
    work_dir = Path(tempfile.mkdtemp(prefix="harmoni-bench-payments-"))
    server, started_pg = os.environ.get("HARMONI_DATABASE_URL"), False
    if not server:
        server, started_pg = embedded_db.start(work_dir, database="postgres")
    url = fresh_database(server)
    (work_dir / "stripe").mkdir()
    events, users = generate(work_dir / "stripe" / "state.json", round(args.events * (1 - args.duplicates)))
    prepare(url, users)
    bodies = deliveries(events, args.events)
    processes: list[subprocess.Popen] = []
    stripe_port = free_port()
    env = {**os.environ, "HARMONI_DATABASE_URL": url, "HARMONI_DATA_DIR": str(work_dir), "HARMONI_REDIS_URL": "",
           "HARMONI_STRIPE_LOCAL_PORT": str(stripe_port), "HARMONI_LOG_LEVEL": "WARNING",
           "HARMONI_SECRET_KEY": SECRET, "HARMONI_ENV": "test"}
    try:
        _start([sys.executable, "-m", "harmoni.cli", "payments", "stripe-server"], env, processes)
        stripe_base = f"http://127.0.0.1:{stripe_port}"
        _wait_http(stripe_base + "/v1/customers/none")
        base = serve(url, work_dir, "", args.api_workers, processes)
        for _ in range(args.appliers):
            _start([sys.executable, __file__, "--apply-worker", url, stripe_base, str(args.threads)], env, processes)
        posted, elapsed, failed = run_end_to_end(url, base, bodies, len(events), args.clients, args.timeout)
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
    state = final_state(url, work_dir / "stripe" / "state.json", {e["id"] for e in events})
    try:
        baseline = run_baseline(url, bodies, args.clients)
    finally:
        drop_database(server, url)
        if started_pg:
            embedded_db.stop(work_dir)
    events_per_s = args.events / elapsed
    print(json.dumps({
        "events_per_s": round(events_per_s), "inbox_insert_per_s": round(baseline),
        "ratio": round(events_per_s / baseline, 3), "lost": state["lost"], "applied_twice": state["applied_twice"],
        "events": args.events, "distinct_events": len(events), "duplicates": args.events - len(events),
        "failed_posts": failed, "dead_lettered": state["dead_lettered"], "receipts": state["receipts"],
        "subscriptions": state["subscriptions"], "elapsed_s": round(elapsed, 2), "posted_s": round(posted, 2),
        "clients": args.clients,
        "appliers": args.appliers, "threads": args.threads, "api_workers": args.api_workers, "generator": "aiohttp",
    }))


if __name__ == "__main__":
    main()
