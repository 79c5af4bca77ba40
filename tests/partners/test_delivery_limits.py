"""A partner's endpoint cannot hold the platform: a total deadline, a bounded read, no lock held while a request
is in flight, and deliveries side by side. Real HTTP servers on 127.0.0.1 and a database of the test's own
(deliveries run in threads of their own, on connections of their own)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from harmoni import jobs
from harmoni.db import session_factory
from harmoni.settings import get_settings
from partners import delivery, service, tasks
from partners.models import WebhookDelivery, WebhookDeliveryAttempt
from tests.identity.factories import make_user
from tests.partners.factories import add_block, add_event, endpoint, registered

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
DEADLINE_S = 1.5


@dataclass
class Misbehaving:
    """A partner endpoint that answers in one of a few bad ways; `release` lets a hanging one go."""

    url: str = ""
    got_request: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    in_handler: int = 0
    bytes_sent: int = 0


@contextmanager
def misbehaving(mode: str, *, body_bytes: int = 256 * 2**20) -> Iterator[Misbehaving]:
    state = Misbehaving()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.in_handler += 1
            state.got_request.set()
            try:
                if mode == "hang":  # says nothing until released (or 30 s)
                    state.release.wait(30)
                    self._answer(200, b"late")
                elif mode == "trickle":  # a status line and headers, then a byte every 0.3 s for up to 20 s
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(66):
                        if state.release.wait(0.3):
                            break
                        self.wfile.write(b"x")
                        self.wfile.flush()
                elif mode == "huge":  # a 256 MiB answer, as fast as the client takes it
                    self.send_response(200)
                    self.send_header("Content-Length", str(body_bytes))
                    self.end_headers()
                    chunk = b"y" * 65536
                    while state.bytes_sent < body_bytes:
                        self.wfile.write(chunk)
                        state.bytes_sent += len(chunk)
                else:
                    self._answer(200, b"ok")
            except OSError:
                pass  # the client hung up: what a deadline or a bounded read is for
            finally:
                state.in_handler -= 1

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def own_db(fresh_db, harmoni_env):
    """A database of the test's own with committed data, jobs in-process with their real pool."""
    url = fresh_db()
    harmoni_env.setenv("HARMONI_DATABASE_URL", url)
    get_settings.cache_clear()
    sessions = session_factory(url)
    harmoni_env.setattr(tasks, "job_sessions", lambda: sessions)
    harmoni_env.setattr(delivery, "TIMEOUT_S", DEADLINE_S)
    jobs.configure(get_settings())
    assert jobs.is_eager()
    return sessions


def _one_event(sessions) -> None:
    with sessions.begin() as session:
        add_block(session, 7)
        add_event(session, 7, 0, "RightsRegistry", "AssetRegistered", registered(1))


def _attempts(sessions) -> list[WebhookDeliveryAttempt]:
    with sessions() as session:
        return list(session.scalars(select(WebhookDeliveryAttempt)))


def _in_background(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_trickling_endpoint_is_cut_off_at_the_total_deadline(own_db):
    partner = make_user(own_db, get_settings(), "partner")
    with misbehaving("trickle") as slow:
        endpoint(own_db, partner.id, slow.url)
        _one_event(own_db)
        started = time.monotonic()
        tasks.dispatch_chain_events.delay()
        took = time.monotonic() - started
    assert took < 3 * DEADLINE_S
    [attempt] = _attempts(own_db)
    assert attempt.status_code is None and attempt.error.startswith("Timeout") and not attempt.succeeded


def test_a_huge_answer_is_read_only_as_far_as_the_excerpt(own_db):
    partner = make_user(own_db, get_settings(), "partner")
    with misbehaving("huge") as huge:
        endpoint(own_db, partner.id, huge.url)
        _one_event(own_db)
        tasks.dispatch_chain_events.delay()
        time.sleep(0.5)  # the server's last writes fail once we have hung up
        sent = huge.bytes_sent
    # What the sockets' buffers hold at most, far below the 256 MiB on offer.
    assert sent < 32 * 2**20
    [attempt] = _attempts(own_db)
    assert attempt.status_code == 200 and attempt.succeeded
    assert len(attempt.response_excerpt) <= delivery.EXCERPT_CHARS


def test_no_lock_is_held_while_a_request_is_in_flight(own_db):
    partner = make_user(own_db, get_settings(), "partner")
    with misbehaving("hang") as hanging:
        hook = endpoint(own_db, partner.id, hanging.url)
        _one_event(own_db)
        dispatcher = _in_background(tasks.dispatch_chain_events.delay)
        assert hanging.got_request.wait(10)
        # The partner deletes its endpoint meanwhile: nothing waits for the attempt in flight.
        with own_db.begin() as session:
            session.execute(text("set local lock_timeout = '500ms'"))
            service.delete_endpoint(session, partner.id, hook.row.id)
        assert hanging.in_handler == 1  # still hanging
        hanging.release.set()
        dispatcher.join(3 * DEADLINE_S)
        assert not dispatcher.is_alive()
    with own_db() as session:
        assert session.scalars(select(WebhookDelivery)).all() == []
    assert _attempts(own_db) == []


def test_slow_partners_do_not_delay_a_fast_one(own_db, harmoni_env):
    harmoni_env.setattr(delivery, "TIMEOUT_S", 10.0)  # the slow ones hang far longer than the fast one needs
    slow_partner, fast_partner = (make_user(own_db, get_settings(), "partner") for _ in range(2))
    with misbehaving("hang") as slow_a, misbehaving("hang") as slow_b, misbehaving("fast") as fast:
        for url in (slow_a.url, slow_b.url):
            endpoint(own_db, slow_partner.id, url)
        fast_hook = endpoint(own_db, fast_partner.id, fast.url)
        _one_event(own_db)
        dispatcher = _in_background(tasks.dispatch_chain_events.delay)
        deadline = time.monotonic() + 5
        done = None
        while time.monotonic() < deadline and done is None:
            with own_db() as session:
                done = session.scalars(select(WebhookDelivery).where(
                    WebhookDelivery.endpoint_id == fast_hook.row.id, WebhookDelivery.status == "succeeded")).first()
            time.sleep(0.1)
        assert done is not None, "the fast partner waited for the slow ones"
        assert slow_a.in_handler == 1 and slow_b.in_handler == 1  # they are still hanging
        with own_db() as session:
            in_flight = session.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "pending")).all()
        # Claimed under a lease, not yet recorded: no row lock is what keeps others off them.
        assert len(in_flight) == 2 and all(d.lease_until is not None and d.attempts == 0 for d in in_flight)
        slow_a.release.set()
        slow_b.release.set()
        dispatcher.join(15)
    assert {a.succeeded for a in _attempts(own_db)} == {True}


def test_the_supervisors_periodic_jobs_never_wait_on_a_partner(own_db):
    from harmoni import stack

    partner = make_user(own_db, get_settings(), "partner")
    with misbehaving("hang") as hanging:
        endpoint(own_db, partner.id, hanging.url)
        _one_event(own_db)
        stack._periodic_jobs()  # operations resumed, claims journaled: no webhook goes out from this thread
        assert not hanging.got_request.is_set()
        webhooks = _in_background(stack._webhook_jobs)  # the webhook dispatcher runs in a thread of its own
        assert hanging.got_request.wait(10)
        webhooks.join(3 * DEADLINE_S)
        assert not webhooks.is_alive()
