"""Both job paths run the same task function: in-process (eager) and through Celery over Redis."""

import os
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import delete, select

from harmoni import heartbeats, jobs
from harmoni.db import session_scope
from harmoni.models import ComponentHeartbeat
from harmoni.settings import get_settings
from harmoni.tasks import record_worker_heartbeat


def _worker_beat(database_url):
    with session_scope(database_url) as session:
        return session.execute(select(ComponentHeartbeat).where(ComponentHeartbeat.component == "worker")).scalar()


def _clear(database_url):
    with session_scope(database_url) as session:
        session.execute(delete(ComponentHeartbeat).where(ComponentHeartbeat.component == "worker"))


def test_without_redis_jobs_run_in_process_after_commit(harmoni_env, database_url):
    jobs.configure(get_settings())
    assert jobs.is_eager()
    _clear(database_url)
    try:
        with session_scope(database_url) as session:
            jobs.enqueue_after_commit(session, record_worker_heartbeat, "eager")
            assert _worker_beat(database_url) is None  # not before the commit
        beat = _worker_beat(database_url)
        assert beat is not None and beat.details["mode"] == "eager" and beat.pid == os.getpid()
    finally:
        _clear(database_url)


def test_rollback_drops_queued_jobs(harmoni_env, database_url):
    jobs.configure(get_settings())
    _clear(database_url)
    try:
        with session_scope(database_url) as session:
            jobs.enqueue_after_commit(session, record_worker_heartbeat, "eager")
            raise RuntimeError("request failed")
    except RuntimeError:
        pass
    assert _worker_beat(database_url) is None


def test_with_redis_a_celery_worker_runs_the_job(harmoni_env, database_url, redis_url, tmp_path):
    harmoni_env.setenv("HARMONI_REDIS_URL", redis_url)
    get_settings.cache_clear()
    jobs.configure(get_settings())
    assert not jobs.is_eager()
    _clear(database_url)
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "worker"], env=dict(os.environ),
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        with session_scope(database_url) as session:
            jobs.enqueue_after_commit(session, record_worker_heartbeat, "celery")
        deadline = time.monotonic() + 60
        beat = None
        while beat is None and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
            beat = _worker_beat(database_url)
            time.sleep(0.2)
        assert beat is not None, (tmp_path / "worker.log").read_text()[-2000:]
        assert beat.details["mode"] == "celery" and beat.pid != os.getpid()
        with session_scope(database_url) as session:
            assert "worker" in heartbeats.recent(session, timedelta(minutes=1))
    finally:
        worker.terminate()
        worker.wait(20)
        _clear(database_url)
        jobs.configure(get_settings().model_copy(update={"redis_url": ""}))


def test_worker_without_redis_is_refused(harmoni_env):
    result = subprocess.run([sys.executable, "-m", "harmoni.cli", "worker"], env=dict(os.environ),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "harmoni: error: the worker needs HARMONI_REDIS_URL (without it jobs run in-process)"]
