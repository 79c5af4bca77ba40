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


def test_an_expired_entry_is_loaded_again():
    cache = PlayableCache(ttl_s=0)
    loads = []

    async def load():
        loads.append(1)
        return len(loads)

    async def twice():
        return [await cache.fetch((1, 9), load), await cache.fetch((1, 9), load)]

    assert asyncio.run(twice()) == [1, 2]
