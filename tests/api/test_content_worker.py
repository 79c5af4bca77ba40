"""A transcode worker killed mid-job (SIGKILL): another takes the upload over once its lease runs out, and the
upload reaches `ready` once, with no duplicate or stray objects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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
