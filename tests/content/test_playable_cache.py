"""The stream lookups' cache: concurrent misses share one load; a refusal is cached like a value."""

from __future__ import annotations

import asyncio

import pytest

from content.errors import NotStreamable
from content.streaming import PlayableCache


def test_concurrent_misses_share_one_load():
    cache = PlayableCache(ttl_s=60)
    loads = []

    async def load():
        loads.append(1)
        await asyncio.sleep(0.05)  # a query in flight while the other requests arrive
        return "playable"

    async def many():
        return await asyncio.gather(*(cache.fetch((1, 7), load) for _ in range(200)))

    assert asyncio.run(many()) == ["playable"] * 200
    assert len(loads) == 1
    assert cache.get((1, 7)) == "playable"


def test_a_refusal_reaches_every_waiter_and_is_cached():
    cache = PlayableCache(ttl_s=60)
    loads = []

    async def load():
        loads.append(1)
        await asyncio.sleep(0.01)
        raise NotStreamable("frozen")

    async def many():
        return await asyncio.gather(*(cache.fetch((1, 8), load) for _ in range(20)), return_exceptions=True)

    results = asyncio.run(many())
    assert all(isinstance(r, NotStreamable) for r in results) and len(loads) == 1
    with pytest.raises(NotStreamable):
        cache.get((1, 8))


def test_an_expired_entry_is_served_while_one_load_refreshes_it():
    cache = PlayableCache(ttl_s=0)
    loads = []

    async def load():
        loads.append(1)
        await asyncio.sleep(0.05)
        return len(loads)

    async def scenario():
        first = await cache.fetch((1, 9), load)  # nothing cached: waits for the load
        meanwhile = await asyncio.gather(*(cache.fetch((1, 9), load) for _ in range(50)))  # expired: stale, at once
        await asyncio.sleep(0.1)  # the one refresh lands
        return first, meanwhile, await cache.fetch((1, 9), load)

    first, meanwhile, after = asyncio.run(scenario())
    assert first == 1 and meanwhile == [1] * 50
    assert after == 2 and len(loads) >= 2
    assert len(loads) <= 3  # the 50 concurrent requests started one refresh, not 50


def test_a_failed_refresh_keeps_the_last_answer_and_tries_again():
    cache = PlayableCache(ttl_s=0)
    calls = []

    async def load():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database away")
        return "playable"

    async def scenario():
        await cache.fetch((1, 10), load)
        stale = await cache.fetch((1, 10), load)  # starts the refresh that fails
        await asyncio.sleep(0.01)
        return stale, await cache.fetch((1, 10), load)

    assert asyncio.run(scenario()) == ("playable", "playable")
    assert len(calls) >= 3
