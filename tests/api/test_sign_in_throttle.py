"""Sign-in and sign-up throttling (issue #12, item 5): the probe's 100 wrong passwords, parallel logins and
sign-up bursts, against the in-process counters and against Redis."""

import itertools
import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from harmoni.ratelimit import BackoffPolicy, InProcessBackoff, RedisBackoff
from identity import passwords
from tests.identity.factories import PASSWORD, make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture(params=["in-process", "redis"])
def client_at(request, api_settings, sessions, anvil_client, redis_url):
    """Clients of one app seen from the IP address they are given; its counters in-process or in Redis."""
    # Small limits, so the test hashes few passwords (each is ~50 ms of argon2).
    settings = api_settings.model_copy(update={"redis_url": redis_url if request.param == "redis" else "",
                                               "login_free_failures": 3, "login_attempts_per_ip_per_minute": 8,
                                               "signups_per_ip_per_hour": 4})
    app = create_app(settings)
    app.state.settings_under_test = settings
    app.state.context.sessions, app.state.context.chain = sessions, anvil_client
    clients = []

    def at(ip: str) -> TestClient:
        client = TestClient(app, client=(ip, 40000))
        client.__enter__()
        clients.append(client)
        return client

    yield at
    for client in clients:
        client.__exit__(None, None, None)


# Each call a new address (a random start, so counters Redis keeps from an earlier run do not meet these).
_ADDRESSES = itertools.count(uuid.uuid4().int % 60_000)


def _ip() -> str:
    n = next(_ADDRESSES)
    return f"10.{n // 62_500 % 256}.{n // 250 % 250}.{n % 250 + 1}"


def _login(client, email, password):
    return client.post("/v1/auth/login", json={"email": email, "password": password})


def _settings(client_at):
    return client_at(_ip()).app.state.settings_under_test


def test_wrong_passwords_back_off_per_account_from_every_ip(client_at):
    settings = _settings(client_at)
    user = make_user(client_at(_ip()).app.state.context.sessions, settings, "fan")
    free = settings.login_free_failures
    for i in range(free):
        assert _login(client_at(_ip()), user.email, f"wrong password {i}").status_code == 401
    started = time.monotonic()
    locking = _login(client_at(_ip()), user.email, "wrong again!")  # the first failure over: locks 1 s
    assert locking.status_code == 401
    refused = _login(client_at(_ip()), user.email, PASSWORD)  # even the right password, from another IP
    assert refused.status_code == 429, refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited") and refused.headers["retry-after"] == "1"
    assert time.monotonic() - started < 1  # refused without hashing

    time.sleep(1.05)
    assert _login(client_at(_ip()), user.email, "still wrong!").status_code == 401  # now locked 2 s
    refused = _login(client_at(_ip()), user.email, PASSWORD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
    time.sleep(2.05)
    assert _login(client_at(_ip()), user.email, PASSWORD).status_code == 200  # and success forgets the failures
    assert _login(client_at(_ip()), user.email, "wrong once more").status_code == 401

    unknown = f"nobody-{uuid.uuid4().hex[:6]}@example.org"
    answers = [_login(client_at(_ip()), unknown, "whatever pass").status_code for _ in range(free + 2)]
    assert answers == [401] * (free + 1) + [429]


def test_one_ip_gets_a_fixed_number_of_attempts_per_minute(client_at):
    client = client_at(_ip())
    limit = _settings(client_at).login_attempts_per_ip_per_minute
    # Many accounts from one address (password spraying): each account stays under its own backoff.
    answers = [_login(client, f"spray-{i}-{uuid.uuid4().hex[:4]}@example.org", "Winter2026!").status_code
               for i in range(limit + 1)]
    assert answers == [401] * limit + [429]
    assert _login(client_at(_ip()), "spray-0@example.org", "Winter2026!").status_code == 401  # other IPs are not


def test_sign_ups_per_ip_are_limited(client_at):
    client = client_at(_ip())
    limit = _settings(client_at).signups_per_ip_per_hour
    answers = [client.post("/v1/auth/signup", json={"email": f"sybil-{i}-{uuid.uuid4().hex[:4]}@example.org",
                                                     "password": PASSWORD}).status_code for i in range(limit + 1)]
    assert answers == [201] * limit + [429]
    refused = client.post("/v1/auth/signup", json={"email": "one-more@example.org", "password": PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 3000


def test_password_hashing_is_bounded(api):
    """With every slot taken, a sign-in waits at most the configured time, then is refused with 503."""
    passwords.slots.configure(1, 0.2)
    try:
        with passwords.slots.slot():
            started = time.monotonic()
            busy = api.post("/v1/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
            waited = time.monotonic() - started
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1", busy.json()
        assert busy.json()["type"].endswith("/sign-in-busy") and 0.2 <= waited < 2
        # Two hashes at once with one slot run one after the other.
        spans: list[tuple[float, float]] = []

        def timed() -> None:
            start = time.monotonic()
            passwords.hash_password("correct horse battery")
            spans.append((start, time.monotonic()))

        passwords.slots.configure(1, 10)
        with passwords.slots.slot():
            threads = [threading.Thread(target=timed) for _ in range(2)]
            for thread in threads:
                thread.start()
            time.sleep(0.1)
            assert not spans  # both wait for the slot the test holds
        for thread in threads:
            thread.join()
        assert len(spans) == 2
    finally:
        passwords.slots.configure(0, 10)


@pytest.mark.parametrize("kind", ["redis", "in-process"])
def test_backoff_doubles_to_a_ceiling_and_success_clears(kind, redis_url):
    backoff = RedisBackoff(redis_url) if kind == "redis" else InProcessBackoff()
    key, policy = f"test:{uuid.uuid4()}", BackoffPolicy(free=2, base_s=10, max_s=45)
    assert [backoff.failed(key, policy) for _ in range(6)] == [0, 0, 10, 20, 40, 45]
    assert 44 <= backoff.locked_for(key) <= 45
    backoff.succeeded(key)
    assert backoff.locked_for(key) == 0 and backoff.failed(key, policy) == 0
