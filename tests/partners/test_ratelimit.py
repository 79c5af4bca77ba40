"""Fixed-window limits per key: in Redis (the real server of the suite) and in-process, same behaviour."""

import time
import uuid

import pytest

from harmoni.ratelimit import InProcessRateLimiter, RedisRateLimiter, limiter_for
from tests.conftest import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiters(redis_url):
    return {"redis": RedisRateLimiter(redis_url), "in-process": InProcessRateLimiter()}


@pytest.mark.parametrize("kind", ["redis", "in-process"])
def test_the_request_over_the_limit_is_refused_until_the_window_closes(kind, redis_url):
    limiter = _limiters(redis_url)[kind]
    key, other = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    decisions = [limiter.hit(key, 3, window_s=60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert 59 <= decisions[-1].reset_after_s <= 60
    assert limiter.hit(other, 3, window_s=60).allowed  # each key has its own count

    short = f"test:{uuid.uuid4()}"
    assert limiter.hit(short, 1, window_s=0.3).allowed
    refused = limiter.hit(short, 1, window_s=0.3)
    assert not refused.allowed and refused.reset_after_s == 1  # rounded up: never "retry after 0"
    time.sleep(0.35)
    assert limiter.hit(short, 1, window_s=0.3).allowed


def test_in_process_windows_follow_the_clock():
    clock = Clock()
    limiter = InProcessRateLimiter(clock)
    assert [limiter.hit("k", 2).allowed for _ in range(3)] == [True, True, False]
    clock.now += 45
    refused = limiter.hit("k", 2)
    assert not refused.allowed and refused.reset_after_s == 15
    clock.now += 15
    assert limiter.hit("k", 2).allowed
    clock.now += 600
    limiter.hit("other", 2)
    assert set(limiter._windows) == {"other"}  # closed windows do not pile up


def test_redis_outage_lets_requests_through():
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0")
    assert all(limiter.hit("k", 1).allowed for _ in range(3))


def test_without_redis_the_limiter_is_in_process(redis_url):
    assert isinstance(limiter_for(""), InProcessRateLimiter)
    assert isinstance(limiter_for(redis_url), RedisRateLimiter)
    assert limiter_for(redis_url) is limiter_for(redis_url)
