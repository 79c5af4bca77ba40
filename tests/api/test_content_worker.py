"""A transcode worker killed mid-job (SIGKILL): another takes the upload over once its lease runs out, and the
upload reaches `ready` once, with no duplicate or stray objects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from content.models import Upload, UploadObject
from content.storage import object_store
from tests.api.test_uploads import _song

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
LEASE_S = 3


def _upload_row(content_api, upload_id) -> Upload:
    with content_api.sessions() as db:
        return db.get(Upload, upload_id)


def _wait(predicate, seconds: float, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def test_a_worker_killed_mid_transcode_is_taken_over_and_the_upload_is_ready_once(content_api, tmp_path):
    settings = content_api.settings
    created = content_api.upload(_song(tmp_path, "wav", seconds=90.0)).json()
    env = {**os.environ, "HARMONI_ENV": "test", "HARMONI_DATABASE_URL": content_api.client.database_url,
           "HARMONI_DATA_DIR": str(settings.data_dir), "HARMONI_STORAGE_PATH": str(settings.objects_path),
           "HARMONI_CONTENT_LEASE_S": str(LEASE_S), "HARMONI_REDIS_URL": ""}
    worker = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "content", "worker"], env=env,
                              stdout=(tmp_path / "worker.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        _wait(lambda: (row := _upload_row(content_api, created["id"])).state == "processing" and row.progress >= 15,
              120, lambda: f"the first worker to be transcoding: {(tmp_path / 'worker.log').read_text()[-3000:]}"
              f" {_upload_row(content_api, created['id']).__dict__}")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed = _upload_row(content_api, created["id"])
    assert killed.state == "processing" and killed.attempts == 1 and killed.lease_owner is not None
    assert content_api.work() is None  # its lease still runs: nobody takes it yet
    assert _wait(lambda: content_api.work(), LEASE_S * 4, "the lease to run out") == "ready"
    done = _upload_row(content_api, created["id"])
    assert done.state == "ready" and done.attempts == 2 and done.progress == 100
    assert content_api.work() is None  # ready once: nothing left to claim

    with content_api.sessions() as db:
        held = set(db.scalars(select(UploadObject.key)))
    store = object_store(settings)
    stored = {key for prefix in ("masters/", "audio/") for key in store.keys(prefix)}
    assert stored == held  # every object is held by the upload: no half-made or duplicate renditions
    assert not list(settings.objects_path.rglob(".tmp-*"))
    assert not list((settings.data_dir / "work").iterdir())  # the killed worker's scratch folder is gone


def test_with_redis_uploads_are_celery_tasks_on_the_content_queue_and_lost_ones_are_swept(content_api, tmp_path,
                                                                                         redis_url):
    from content import tasks
    from harmoni import jobs

    settings = content_api.settings
    first = content_api.upload(_song(tmp_path, "wav", seconds=2.0)).json()  # eager: no task is sent for it
    with content_api.sessions.begin() as db:  # as if its task was lost a minute ago
        db.get(Upload, first["id"]).updated_at = db.get(Upload, first["id"]).created_at - timedelta(minutes=1)
    with_redis = settings.model_copy(update={"redis_url": redis_url})
    content_api.configure(redis_url=redis_url)
    jobs.configure(with_redis)
    env = {**os.environ, "HARMONI_ENV": "test", "HARMONI_DATABASE_URL": content_api.client.database_url,
           "HARMONI_DATA_DIR": str(settings.data_dir), "HARMONI_STORAGE_PATH": str(settings.objects_path),
           "HARMONI_REDIS_URL": redis_url, "HARMONI_TRANSCODE_CONCURRENCY": "2"}
    log = tmp_path / "celery.log"
    worker = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "content", "worker"], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        second = content_api.upload(_song(tmp_path, "flac", seconds=2.0, name="second")).json()  # a task now
        assert tasks.sweep_uploads() == 1  # the first one's task was lost: sent again
        for upload in (first, second):
            _wait(lambda u=upload: _upload_row(content_api, u["id"]).state == "ready", 120,
                  lambda u=upload: f"{u['id']} to be ready: {log.read_text()[-3000:]}")
        assert tasks.sweep_uploads() == 0
    finally:
        worker.terminate()
        worker.wait(30)
        jobs.configure(settings)
