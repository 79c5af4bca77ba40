import contextlib
import re
import socket
import threading
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from chain.client import ChainClient
from chain.node import rpc_call
from indexer.store import save_checkpoint

PROBLEM = "application/problem+json"


def test_healthz_answers_with_a_request_id(api):
    response = api.get("/healthz", headers={"x-request-id": "abc-123"})
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"] == "abc-123"
    generated = api.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32


def test_readyz_names_the_indexer_until_it_catches_up(api, sessions, anvil_client):
    response = api.get("/readyz")
    assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["failing"] == ["indexer"] and "indexed" in body["detail"]
    head = anvil_client.head()
    with sessions.begin() as session:
        save_checkpoint(session, 31337, head.number, head.hash)
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["indexer"]["indexed_block"] == anvil_client.head().number
    rpc_call(anvil_client.rpc_url, "anvil_mine", ["0x5"])  # lag 5 > bound 2
    lagging = api.get("/readyz").json()
    assert lagging["failing"] == ["indexer"] and "lags 5 blocks" in lagging["detail"]


def test_readyz_names_an_unreachable_chain(api, sessions):
    api.app.state.context.chain = ChainClient("http://127.0.0.1:1", timeout=1)
    response = api.get("/readyz")
    assert response.status_code == 503
    assert "chain" in response.json()["failing"]


def test_unknown_route_is_problem_json(api):
    response = api.get("/v1/no/such/thing")  # any other GET is the web app's (tests/web)
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/not-found")


def test_metrics_count_requests(api):
    api.get("/healthz")
    text = api.get("/metrics").text
    assert 'harmoni_http_requests_total{method="GET",route="/healthz",status="200"}' in text


def test_oversized_bodies_are_refused_before_parsing(api):
    limit = api.app.state.context.settings.max_request_bytes
    response = api.post("/v1/auth/login", content=b"{" + b" " * (limit + 10) + b"}",
                        headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/payload-too-large")

    def chunks():  # no content-length: the limit is counted as the body streams in
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    streamed = api.post("/v1/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


class _Silent:
    """A TCP server that accepts connections and never answers: a hung PostgreSQL or RPC node."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.held.append(self.server.accept()[0])

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.server.close()


@pytest.fixture
def silent():
    server = _Silent()
    yield server
    server.close()


def test_readyz_answers_in_bounded_time_while_the_chain_and_the_database_hang(api, silent):
    context = api.app.state.context
    context.chain = ChainClient(f"http://127.0.0.1:{silent.port}", timeout=30)
    hung = create_engine(f"postgresql+psycopg://harmoni@127.0.0.1:{silent.port}/harmoni?connect_timeout=30")
    context.sessions = sessionmaker(bind=hung)
    for _ in range(3):  # later probes wait on the hung questions instead of piling up more
        started = time.monotonic()
        response = api.get("/readyz")
        assert response.status_code == 503 and response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["failing"] == ["database", "chain"], body
        assert "no answer within 1 s" in body["checks"]["chain"]["error"]
        assert time.monotonic() - started < 10  # far below the parts' own 30 s timeouts
    assert threading.active_count() < 100
    hung.dispose()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_everything_from_the_api_itself(api, page):
    html = api.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', html.text) + re.findall(r"url: '([^']+)'", html.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # nothing from a CDN or any other host
    assets = [u for u in urls if u.endswith((".js", ".css"))]
    assert assets
    for url in assets:
        asset = api.get(url)
        assert asset.status_code == 200 and len(asset.content) > 10_000, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])
