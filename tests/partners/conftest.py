from concurrent.futures import ThreadPoolExecutor

import pytest

from harmoni import jobs
from harmoni.settings import get_settings
from partners import tasks
from tests.identity.factories import make_user
from tests.partners.factories import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as server:
        yield server


@pytest.fixture
def eager_jobs(harmoni_env, sessions):
    """Jobs run in-process (no Redis) on the test's rolled-back transaction: one connection, so one delivery at
    a time (tests of deliveries side by side use a database of their own)."""
    harmoni_env.setattr(tasks, "job_sessions", lambda: sessions)
    harmoni_env.setattr(tasks, "_pool", ThreadPoolExecutor(max_workers=1))
    jobs.configure(get_settings())
    assert jobs.is_eager()
    return harmoni_env


@pytest.fixture
def partner(sessions, harmoni_env):
    return make_user(sessions, get_settings(), "partner")
