"""The API as `harmoni api` serves it (uvicorn with `api.server.uvicorn_options`), over a real socket:
X-Forwarded-For is honoured only from trusted proxies (issue #12, item 6), request headers are capped (item 9)."""

import socket
import threading
import time
import uuid

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.server import uvicorn_options
from tests.conftest import free_port
from tests.identity.factories import PASSWORD

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _app(api_settings, sessions, anvil_client, **overrides):
    settings = api_settings.model_copy(update={"signups_per_ip_per_hour": 2, **overrides})
    app = create_app(settings)
    app.state.context.sessions, app.state.context.chain = sessions, anvil_client
    return app, settings


@pytest.fixture
def served(api_settings, sessions, anvil_client):
    """The app under uvicorn on a free port of 127.0.0.1, with the options `harmoni api` uses."""
    app, settings = _app(api_settings, sessions, anvil_client, api_port=free_port())
    options = {k: v for k, v in uvicorn_options(settings).items() if k != "workers"}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{settings.api_port}", settings
    server.should_exit = True
    thread.join(10)


def _sign_up(client, headers=None, url=""):
    body = {"email": f"n-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD}
    return client.post(f"{url}/v1/auth/signup", json=body, headers=headers or {}).status_code


def test_forwarded_for_from_localhost_is_not_believed(served):
    """uvicorn's default trusts X-Forwarded-For from 127.0.0.1: a local client could then be anyone."""
    url, _ = served
    with httpx.Client(base_url=url, timeout=10) as client:
        answers = [_sign_up(client, {"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(1, 4)]
    assert answers == [201, 201, 429]  # all three counted against 127.0.0.1


def test_request_headers_are_capped(served):
    url, settings = served
    host, port = url.removeprefix("http://").split(":")
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/healthz", headers={"X-Small": "a" * 1000}).status_code == 200
        capped = client.get("/healthz", headers={"X-Big": "a" * (settings.max_header_bytes + 1)})
        assert capped.status_code == 431 and capped.headers["content-type"] == "application/problem+json"
        assert capped.json()["type"].endswith("/request-headers-too-large")
        many = client.get("/healthz", headers={f"X-H{i}": "a" * 100 for i in range(200)})
        assert many.status_code == 431
    # The probe's 8 MiB header, written raw: refused, and the server still answers afterwards.
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: ")
        try:
            for _ in range(8 * 1024):
                sock.sendall(b"a" * 1024)
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass  # the server may close the connection before all of it arrived: refused either way
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0] in (b"HTTP/1.1 431 ", b"HTTP/1.1 431 Request Header Fields Too Large"), \
        answer[:200]
    with httpx.Client(base_url=url, timeout=10) as client:
        assert client.get("/healthz").status_code == 200


def test_forwarded_for_is_honoured_from_trusted_proxies_only(api_settings, sessions, anvil_client):
    app, _ = _app(api_settings, sessions, anvil_client, trusted_proxies="10.0.0.0/8, 192.0.2.7")
    with TestClient(app, client=("10.1.2.3", 5000)) as proxy, TestClient(app, client=("198.51.100.9", 5000)) as direct:
        # Through the proxy, each client has its own count; the proxy's own address is not the client.
        assert [_sign_up(proxy, {"X-Forwarded-For": "203.0.113.1"}) for _ in range(3)] == [201, 201, 429]
        assert _sign_up(proxy, {"X-Forwarded-For": "203.0.113.2"}) == 201
        # A client cannot pick its address by writing the header itself: the proxy appends what it saw.
        assert _sign_up(proxy, {"X-Forwarded-For": "203.0.113.77, 203.0.113.1"}) == 429
        # Chained trusted proxies are skipped.
        assert _sign_up(proxy, {"X-Forwarded-For": "203.0.113.2, 192.0.2.7"}) == 201
        assert _sign_up(proxy, {"X-Forwarded-For": "203.0.113.2, 192.0.2.7"}) == 429
        # From a peer that is not a proxy the header is ignored: its own address counts.
        assert [_sign_up(direct, {"X-Forwarded-For": f"203.0.113.{i}"}) for i in (10, 11, 12)] == [201, 201, 429]


def test_trusted_proxies_must_be_addresses(api_settings):
    from harmoni.settings import Settings

    with pytest.raises(ValueError, match="HARMONI_TRUSTED_PROXIES"):
        Settings(_env_file=None, env="test", trusted_proxies="10.0.0.0/8, proxy.internal")
