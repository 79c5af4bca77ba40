"""The per-block answer cache of the mirror's reads: one render per answer and block, rate-limit headers kept."""

import asyncio
import threading
import time

import pytest
from fastapi import Response
from fastapi.testclient import TestClient

from api.app import create_app
from api.mirror import BLOCK_HASH_HEADER, BLOCK_HEADER, MirrorCache, ReflectedBlock, reflected_block
from harmoni import jobs
from indexer.store import save_checkpoint
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _checkpoint(sessions, number: int, fill: int) -> str:
    with sessions.begin() as session:
        save_checkpoint(session, 31337, number, bytes([fill]) * 32)
    return "0x" + bytes([fill]).hex() * 32


class _Renders:
    """A render that names its block, takes a while, and counts how often it ran."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, session, response: Response) -> ReflectedBlock:
        with self._lock:
            self.count += 1
        block = reflected_block(session, response, 31337)
        time.sleep(0.2)  # long enough for every concurrent request to arrive while it runs
        return block


def test_concurrent_misses_share_one_render_and_a_new_block_renders_again(sessions):
    first_hash = _checkpoint(sessions, 5, 0xAA)
    cache, render = MirrorCache(checkpoint_ttl_s=3600), _Renders()

    async def answers(n: int) -> list[Response]:
        return list(await asyncio.gather(*(cache.answer("detail:1", sessions, 31337, render) for _ in range(n))))

    async def scenario() -> None:
        await cache.answer("warm", sessions, 31337, render)  # the checkpoint is known from here on
        render.count = 0
        crowd = await answers(20)
        assert render.count == 1
        assert {(r.body, r.headers[BLOCK_HEADER], r.headers[BLOCK_HASH_HEADER]) for r in crowd} == {
            (b'{"number":5,"hash":"' + first_hash.encode() + b'"}', "5", first_hash)}
        assert (await cache.answer("detail:1", sessions, 31337, render)).body == crowd[0].body
        assert render.count == 1  # a hit

        # A reorg: the same height with another hash is another block, so the answer is made again.
        reorged = _checkpoint(sessions, 5, 0xBB)
        cache.checkpoint_ttl_s = 0  # past the checkpoint's time to live: the next request reads it again
        fresh = await cache.answer("detail:1", sessions, 31337, render)
        assert render.count == 2 and fresh.headers[BLOCK_HASH_HEADER] == reorged
        cache.checkpoint_ttl_s = 3600
        assert {r.headers[BLOCK_HASH_HEADER] for r in await answers(5)} == {reorged}
        assert render.count == 2

    asyncio.run(scenario())


def test_a_hit_needs_no_database(api, sessions):
    _checkpoint(sessions, 3, 0x01)
    api.app.state.context.mirror_cache.checkpoint_ttl_s = 3600
    first = api.get("/v1/assets")
    assert first.status_code == 200 and first.headers["x-harmoni-block"] == "3"

    def no_database():
        raise AssertionError("a cached answer opened a session")

    api.app.state.context.sessions = no_database
    hit = api.get("/v1/assets")
    assert hit.status_code == 200 and hit.content == first.content and hit.headers["x-harmoni-block"] == "3"


@pytest.fixture
def limited_api(api_settings, sessions, anvil_client):
    app = create_app(api_settings.model_copy(update={"partner_rate_limit_per_minute": 3, "redis_url": ""}))
    app.state.context.sessions = sessions
    app.state.context.chain = anvil_client
    with TestClient(app) as client:
        yield client
    jobs.configure(api_settings)


def test_cached_answers_still_count_a_partner_key_and_say_so(limited_api, sessions):
    _checkpoint(sessions, 3, 0x01)
    partner = make_user(sessions, limited_api.app.state.context.settings, "partner")
    issued = limited_api.post("/v1/partner/keys", json={"name": "sync", "scopes": ["assets:read"]},
                              headers=partner.headers)
    key = {"X-API-Key": issued.json()["key"]}
    assert "x-ratelimit-limit" not in limited_api.get("/v1/assets").headers  # anonymous: not counted
    remaining = []
    for _ in range(3):  # the first renders, the others are cache hits: every one is counted all the same
        response = limited_api.get("/v1/assets", headers=key)
        assert response.status_code == 200 and response.headers["x-harmoni-block"] == "3"
        assert response.headers["x-ratelimit-limit"] == "3"
        remaining.append(response.headers["x-ratelimit-remaining"])
    assert remaining == ["2", "1", "0"]
    refused = limited_api.get("/v1/assets", headers=key)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
