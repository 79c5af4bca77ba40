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
    response = api.get("/no/such/thing")
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
