"""`harmoni up`: the whole platform on one machine, and `harmoni status`.

With the embedded default this starts PostgreSQL from the data directory and an anvil node whose
state persists there, deploys the contracts once, migrates, then supervises the API, the indexer
and (with Redis) the Celery worker. Children die with the supervisor, even on SIGKILL.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from chain import artifacts, deployments
from chain.client import ChainClient
from chain.deploy import deploy_all, verify_on_chain
from chain.errors import RpcError
from chain.node import AnvilNode, ChainClock, port_in_use
from chain.toolchain import native_tool
from chain.wallets import deployer_account, relayer_account
from harmoni import embedded_db, heartbeats, jobs, migrate, runtime
from harmoni.db import check_connection, session_scope
from harmoni.errors import ConfigurationError
from harmoni.processes import die_with_parent
from harmoni.settings import Settings, get_settings
from indexer.status import readiness
from partners.webhooks import warn_when_unrestricted
from payments import config as payment_config

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = 10.0
WEBHOOKS_EVERY_S = 5.0
# A child that crashes more often than this within the window is not restarted again: the supervisor stops.
MAX_CRASHES = 5
CRASH_WINDOW_S = 120.0


def _wait_port_free(port: int, seconds: float = 5.0) -> bool:
    """A node killed with its old supervisor may take a moment to dump state and release its port."""
    deadline = time.monotonic() + seconds
    while port_in_use("127.0.0.1", port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@dataclass
class Restarts:
    """When a crashed child may start again: backoff doubling from 1 s; too many crashes in a window is fatal."""

    crashes: list[float] = field(default_factory=list)
    due_at: float | None = None

    def crashed(self, now: float, name: str, code: int | None, log_path: Path) -> None:
        self.crashes = [t for t in self.crashes if now - t < CRASH_WINDOW_S] + [now]
        if len(self.crashes) > MAX_CRASHES:
            raise ConfigurationError(f"{name} exited {len(self.crashes)} times within {CRASH_WINDOW_S:.0f}s "
                                     f"(last code {code}); giving up: see {log_path}")
        self.due_at = now + min(2.0 ** (len(self.crashes) - 1), 30.0)


@dataclass
class Stack:
    settings: Settings
    database_url: str = ""
    anvil: AnvilNode | None = None
    clock: ChainClock | None = None
    children: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    restarts: dict[str, Restarts] = field(default_factory=dict)
    stopping: bool = False

    @property
    def logs_dir(self) -> Path:
        return self.settings.data_dir / "logs"

    def start_database(self) -> None:
        if self.settings.embedded_database:
            self.database_url, _ = embedded_db.start(self.settings.data_dir)
        else:
            self.database_url = self.settings.database_url
            check_connection(self.database_url)
        migrate.upgrade(self.database_url)

    def start_chain(self) -> ChainClient:
        if self.settings.managed_chain:
            if not _wait_port_free(self.settings.anvil_port):
                raise ConfigurationError(
                    f"port {self.settings.anvil_port} is in use: cannot start anvil (set HARMONI_ANVIL_PORT)")
            block_time = self.settings.anvil_block_time_s
            self.anvil = AnvilNode(self.settings.anvil_port, self.settings.chain_id,
                                   self.settings.data_dir / "anvil" / "state.json", self.logs_dir / "anvil.log",
                                   block_time=block_time or None, extra_args=("--slots-in-an-epoch", "1"),
                                   mined_by_caller=bool(block_time))
            self.anvil.start()
            if block_time:
                # We mine, and write the state before the next block: nothing final is ever lost to a crash.
                self.clock = ChainClock(self.anvil, block_time)
                self.clock.start()
        client = ChainClient(self.settings.effective_rpc_url, self.settings.rpc_timeout_s)
        try:
            chain_id = client.chain_id()
        except RpcError as err:
            raise ConfigurationError(f"chain unreachable: {err.detail}") from err
        if chain_id != self.settings.chain_id:
            raise ConfigurationError(
                f"the RPC serves chain {chain_id} but HARMONI_CHAIN_ID is {self.settings.chain_id}")
        return client

    def ensure_deployment(self, client: ChainClient) -> deployments.Deployment:
        existing = deployments.load(self.settings.chain_id, self.settings.data_dir)
        if existing is not None:
            verify_on_chain(client, existing)
            return existing
        artifacts.ensure_built()
        s = self.settings
        return deploy_all(client, deployer_account(s, s.chain_id), relayer_account(s, s.chain_id).address,
                          s.data_dir, payout_token=s.payout_token_address, treasury=s.treasury_address,
                          platform_fee_bps=s.platform_fee_bps, metadata_base_uri=s.api_url,
                          min_priority_fee_wei=s.min_priority_fee_wei)

    def spawn(self, name: str, args: list[str]) -> None:
        env = {**os.environ, "HARMONI_DATABASE_URL": self.database_url,
               "HARMONI_RPC_URL": self.settings.effective_rpc_url}
        if self.settings.managed_chain:  # the children see an RPC URL; browsers may still read our own anvil
            env.setdefault("HARMONI_PUBLIC_RPC_URL", self.settings.browser_rpc_url or "")
        self.commands[name] = args
        with open(self.logs_dir / f"{name}.log", "ab") as log_file:  # the child keeps its own copy of the fd
            self.children[name] = subprocess.Popen(
                [sys.executable, "-m", "harmoni.cli", *args], env=env, stdout=log_file, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent)

    def wait_api(self, timeout: float = 60.0) -> None:
        url = f"http://{self.settings.api_host}:{self.settings.api_port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_children()
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise ConfigurationError(f"the API did not answer on {url} within {timeout:.0f}s: see {self.logs_dir}")

    def check_children(self) -> None:
        """Restart a crashed child after its backoff (the chain node too); give up loudly when one keeps crashing."""
        if self.stopping:
            return
        now = time.monotonic()
        if self.anvil is not None and self.anvil.process is not None and self.anvil.process.poll() is not None:
            self._restart("anvil", self.anvil.process.returncode, now, self._restart_anvil)
        for name, proc in list(self.children.items()):
            if proc.poll() is not None:
                self._restart(name, proc.returncode, now, lambda n=name: self.spawn(n, self.commands[n]))

    def _restart(self, name: str, code: int | None, now: float, start) -> None:
        restarts = self.restarts.setdefault(name, Restarts())
        if restarts.due_at is None:
            log_path = self.logs_dir / f"{name}.log"
            restarts.crashed(now, name, code, log_path)
            print(f"harmoni: {name} exited with code {code}; restarting in {restarts.due_at - now:.0f}s "
                  f"(see {log_path})", file=sys.stderr, flush=True)
        if now >= restarts.due_at:
            restarts.due_at = None
            start()

    def _restart_anvil(self) -> None:
        assert self.anvil is not None
        if _wait_port_free(self.anvil.port):
            self.anvil.start()

    def stop(self) -> None:
        self.stopping = True
        if self.clock is not None:
            self.clock.stop()
        for proc in self.children.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.children.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.anvil is not None:
            self.anvil.stop()
        if self.settings.embedded_database:
            embedded_db.stop(self.settings.data_dir)


def up(settings: Settings) -> int:
    """Run the platform until SIGINT/SIGTERM; returns the exit code."""
    if settings.managed_chain:
        native_tool("anvil")  # fail before starting anything when the Node toolchain is missing
    if port_in_use(settings.api_host, settings.api_port):
        raise ConfigurationError(f"port {settings.api_port} is in use: cannot start the API (set HARMONI_API_PORT)")
    if not settings.smtp_url.get_secret_value() and port_in_use("127.0.0.1", settings.smtp_catcher_port):
        raise ConfigurationError(f"port {settings.smtp_catcher_port} is in use: cannot start the local SMTP catcher "
                                 "(set HARMONI_SMTP_CATCHER_PORT, or HARMONI_SMTP_URL to a real server)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(settings)
    stack.logs_dir.mkdir(parents=True, exist_ok=True)

    def _on_signal(signum, _frame):
        raise KeyboardInterrupt

    # Also SIGINT: a shell that starts us in the background would otherwise leave Ctrl-C ignored.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        stack.start_database()
        client = stack.start_chain()
        deployment = stack.ensure_deployment(client)
        os.environ["HARMONI_DATABASE_URL"] = stack.database_url
        os.environ["HARMONI_RPC_URL"] = settings.effective_rpc_url
        get_settings.cache_clear()
        jobs.configure(get_settings())
        if not settings.smtp_url.get_secret_value():  # mails go to a local catcher, written under the data dir
            stack.spawn("smtp", ["email", "catcher"])
            os.environ["HARMONI_SMTP_URL"] = f"smtp://127.0.0.1:{settings.smtp_catcher_port}"
            get_settings.cache_clear()
        stack.spawn("indexer", ["indexer", "run"])
        if payment_config.is_local(settings) and not settings.stripe_api_base:
            stack.spawn("stripe", ["payments", "stripe-server"])  # no Stripe key: our own Stripe-compatible server
        stack.spawn("api", ["api"])
        stack.spawn("content", ["content", "worker"])  # transcodes uploads (Celery's content queue with Redis)
        if settings.redis_url:
            stack.spawn("worker", ["worker"])
            # Webhook deliveries on a queue and worker of their own: partners wait on nobody but each other.
            stack.spawn("webhooks", ["worker", "--queues", "webhooks", "--threads", "8"])
        stack.wait_api()
        runtime.record(settings, stack.database_url)
        _print_banner(settings, deployment)
        warn_when_unrestricted(settings.env.value, log)
        last_beat = 0.0
        last_dispatch, threads = 0.0, {}
        while True:
            stack.check_children()
            if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
                from harmoni.tasks import record_worker_heartbeat

                record_worker_heartbeat.delay("eager" if jobs.is_eager() else "celery")
                last_beat = time.monotonic()
            # Periodic jobs (operations resumed, mirrored claims journaled) and the webhook dispatcher each in a
            # thread of their own: in eager mode a run of deliveries waits on partners (up to a deadline each, side
            # by side), which must hold up neither the supervision nor the other jobs.
            if time.monotonic() - last_dispatch >= WEBHOOKS_EVERY_S:
                for name, target in (("periodic", _periodic_jobs), ("webhooks", _webhook_jobs),
                                     ("payments", _payment_jobs)):
                    if name not in threads or not threads[name].is_alive():
                        threads[name] = threading.Thread(target=target, name=name, daemon=True)
                        threads[name].start()
                last_dispatch = time.monotonic()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("harmoni: stopping…", flush=True)
        return 0
    finally:
        runtime.forget(settings.data_dir)
        stack.stop()


def _periodic_jobs() -> None:
    from content.tasks import sweep_uploads
    from discovery.search.tasks import drain_search_outbox
    from harmoni import jobs
    from ledger.editions.tasks import record_sales_job
    from ledger.royalties.tasks import journal_claims_job
    from ledger.tasks import resume_operations

    if not jobs.is_eager():  # without Redis the content worker polls for its uploads itself
        sweep_uploads.delay()
    resume_operations.delay()  # first of all at start: operations a crash interrupted, inclusions a chain lost
    journal_claims_job.delay()
    record_sales_job.delay()  # edition sales settled on chain, into the open period
    from notifications.tasks import send_emails

    send_emails.delay()  # notification mails still unread after their delay, then the outbox over SMTP
    from social.tasks import sync_releases

    sync_releases.delay()  # registered recordings become releases: followers' feeds, their notifications
    drain_search_outbox.delay()  # the search index takes in what changed (a Celery worker with Redis)
    # Discovery: each job runs when its own interval (settings) has passed since its last run.
    from discovery.analytics.tasks import rollup_analytics
    from discovery.recommendations.tasks import refresh_related, train_recommendations
    from discovery.trending.tasks import refresh_trending

    refresh_trending.delay()
    rollup_analytics.delay()
    refresh_related.delay()
    train_recommendations.delay()


def _webhook_jobs() -> None:
    from partners.tasks import dispatch_chain_events

    dispatch_chain_events.delay()


_last_reconcile = 0.0
RECONCILE_EVERY_S = 86400.0


def _payment_jobs() -> None:
    """Apply the Stripe inbox (new events, retries due); once a day, reconcile with Stripe's event list."""
    global _last_reconcile
    from payments.tasks import apply_events, reconcile

    if time.monotonic() - _last_reconcile >= RECONCILE_EVERY_S or not _last_reconcile:
        _last_reconcile = time.monotonic()
        reconcile.delay()
    else:
        apply_events.delay()


def _print_banner(settings: Settings, deployment: deployments.Deployment) -> None:
    lines = [
        "HARMONI is up",
        f"  API        {settings.api_url}   (docs {settings.api_url}/docs, ready {settings.api_url}/readyz)",
        f"  chain      {settings.effective_rpc_url}   chain id {settings.chain_id}",
        f"  data       {settings.data_dir.resolve()}",
        f"  jobs       {'celery via ' + settings.redis_url.split('@')[-1] if settings.redis_url else 'in-process'}",
    ]
    if payment_config.is_local(settings) and not settings.stripe_api_base:
        lines.append(f"  stripe     {payment_config.api_base(settings)}   (local, test cards: 4242 4242 4242 4242)")
    if not settings.smtp_url.get_secret_value():
        lines.append(f"  mail       smtp://127.0.0.1:{settings.smtp_catcher_port} catches every e-mail: "
                     f"{(settings.data_dir / 'mailbox').resolve()}/*.eml")
    lines += [f"  {name:<18} {c.address}" for name, c in deployment.contracts.items()]
    print("\n".join(lines) + "\nPress Ctrl-C to stop.", flush=True)


def status(settings: Settings) -> int:
    """Print each component's state; exit 1 when any is down."""
    embedded_db.require_data(settings)  # the wrong directory is one line, not a table of DOWNs
    rows: list[tuple[str, bool, str]] = []
    client = ChainClient(settings.effective_rpc_url, 3.0)
    deployment = deployments.load(settings.chain_id, settings.data_dir)
    try:
        with embedded_db.database_url(settings) as url:
            check_connection(url)
            rows.append(("database", True, f"{'embedded' if settings.embedded_database else 'external'}, "
                                           f"schema {migrate.current_revision(url) or 'none'}"))
            with session_scope(url) as session:
                state = readiness(session, client, settings.chain_id, settings.indexer_max_lag_blocks)
                beats = heartbeats.recent(session, timedelta(seconds=3 * HEARTBEAT_EVERY_S))
    except ConfigurationError as err:
        rows.append(("database", False, err.detail))
        state, beats = None, {}
    if state is not None:
        chain_text = f"{settings.effective_rpc_url} chain id {settings.chain_id} head {state.head_block}"
        rows.append(("chain", state.chain is None, state.chain or chain_text))
        rows.append(("indexer", state.indexer is None,
                     f"indexed {state.indexed_block} ({state.indexed_hash}) lag {state.lag}"
                     + (f": {state.indexer}" if state.indexer else "")))
    worker = beats.get("worker")
    rows.append(("worker", worker is not None,
                 f"heartbeat {worker.beat_at:%H:%M:%S} ({worker.details.get('mode')})" if worker else "no heartbeat"))
    content = beats.get("content")
    rows.append(("content", content is not None,
                 f"heartbeat {content.beat_at:%H:%M:%S} ({content.details.get('mode')}, "
                 f"{content.details.get('concurrency')} at a time)" if content else "no heartbeat"))
    try:
        with urllib.request.urlopen(f"http://{settings.api_host}:{settings.api_port}/healthz", timeout=2):
            rows.append(("api", True, settings.api_url))
    except OSError:
        rows.append(("api", False, f"{settings.api_url} not answering"))
    for name, ok, text in rows:
        print(f"{name:<10} {'ok  ' if ok else 'DOWN'} {text}")
    if deployment is not None:
        for name, c in deployment.contracts.items():
            print(f"{'contract':<10}      {name:<18} {c.address} (block {c.block_number})")
    else:
        print(f"{'contract':<10} none  no deployment recorded for chain {settings.chain_id}")
    return 0 if all(ok for _, ok, _ in rows) else 1
