"""Processing an upload: validate, fingerprint, render, check, store — under a lease another worker can take over.

A worker claims an upload (`received`, or `processing` whose lease ran out because its worker died) with
`FOR UPDATE SKIP LOCKED`, so any number of workers on any number of machines share the queue in PostgreSQL. While
it works a heartbeat thread extends the lease and writes the progress; a worker that lost its lease finishes
nothing (its upload is someone else's). Stored files are content-addressed, so a worker killed after storing half
the renditions leaves objects the next one reuses, never duplicates. `ready` is written only with every
rendition stored and checked.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from content.media import MediaRejected, analyse_and_render, check_rendition, make_artwork, read_tags, validate
from content.media.documents import check_document
from content.media.fingerprint import (
    MIN_SHARED_TERMS,
    Fingerprint,
    fingerprint,
    index_terms,
    same_recording,
    similarity,
)
from content.models import AudioFingerprint, Upload, UploadKind, UploadMatch, UploadObject, UploadState
from content.objects import release, store_file
from content.storage import ObjectStore
from content.uploads import reject
from harmoni.settings import Settings

log = logging.getLogger(__name__)
CANDIDATES = 20


@dataclass
class Job:
    upload_id: uuid.UUID
    kind: UploadKind
    owner_id: uuid.UUID
    master_key: str
    preview_start_ms: int
    attempts: int


def _now_plus(seconds: float):
    return func.clock_timestamp() + timedelta(seconds=seconds)


def claim(sessions: sessionmaker[Session], settings: Settings, worker: str,
          upload_id: uuid.UUID | None = None) -> Job | None:
    """Take the oldest claimable upload (or `upload_id` when it is claimable) for `worker`; None when none is."""
    while True:
        with sessions.begin() as db:
            query = select(Upload).where(or_(
                Upload.state == UploadState.received,
                (Upload.state == UploadState.processing) & (Upload.lease_expires_at < func.clock_timestamp())))
            if upload_id is not None:
                query = query.where(Upload.id == upload_id)
            upload = db.scalar(query.order_by(Upload.created_at).limit(1).with_for_update(skip_locked=True))
            if upload is None:
                return None
            if upload.attempts >= settings.content_max_attempts:
                # Its workers died (or failed) every time: stop taking it, say so, let the artist retry.
                _fail(upload, f"processing stopped after {upload.attempts} attempts")
                continue
            upload.state = UploadState.processing.value
            upload.lease_owner = worker
            upload.lease_expires_at = _now_plus(settings.content_lease_s)
            upload.attempts += 1
            upload.updated_at = func.now()
            return Job(upload.id, UploadKind(upload.kind), upload.owner_id, upload.master_key,
                       upload.preview_start_ms, upload.attempts)


def _fail(upload: Upload, message: str) -> None:
    upload.state = UploadState.failed.value
    upload.error_code, upload.error_message = "transcode-failed", message[:1000]
    upload.lease_owner = upload.lease_expires_at = None
    upload.updated_at = func.now()


class Heartbeat:
    """Extends the lease and writes the progress every third of the lease, in a thread of its own."""

    def __init__(self, sessions: sessionmaker[Session], job: Job, worker: str, lease_s: float) -> None:
        self.sessions, self.job, self.worker, self.lease_s = sessions, job, worker, lease_s
        self.progress = 0.0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job.upload_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def set(self, fraction: float) -> None:
        self.progress = max(self.progress, min(1.0, fraction))

    def beat(self) -> None:
        with self.sessions.begin() as db:
            result = db.execute(
                update(Upload)
                .where(Upload.id == self.job.upload_id, Upload.lease_owner == self.worker,
                       Upload.state == UploadState.processing)
                .values(lease_expires_at=_now_plus(self.lease_s), updated_at=func.now(),
                        progress=max(1, min(99, int(self.progress * 100)))))
            self.lost = result.rowcount == 0

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.beat()
            except Exception:  # a database blip: the next beat tries again, well within the lease
                log.warning("lease heartbeat failed", exc_info=True)


def _scaled(report, start: float, end: float):
    return lambda fraction: report(start + (end - start) * fraction)


def _source(store: ObjectStore, key: str, work: Path) -> Path:
    local = store.local_path(key)
    if local is not None:
        return local
    target = work / "master"
    store.download(key, target)
    return target


def _matches(db: Session, job: Job, fp: Fingerprint, terms: list[int]) -> list[UploadMatch]:
    """Uploads of the same recording by their fingerprints: candidates by shared terms, confirmed by comparing."""
    rows = db.execute(text(
        "select f.upload_id, f.items, f.duration_s, u.owner_id from audio_fingerprints f "
        "join uploads u on u.id = f.upload_id "
        "where f.terms && cast(:terms as integer[]) and f.upload_id <> :me and u.state = 'ready' "
        "order by cardinality(array(select unnest(f.terms) intersect select unnest(cast(:terms as integer[])))) "
        "desc limit :limit"), {"terms": terms, "me": job.upload_id, "limit": CANDIDATES}).all()
    found = []
    wanted = set(terms)
    for upload_id, items, duration_s, owner_id in rows:
        other = Fingerprint(tuple(np.frombuffer(items, dtype="<u4").tolist()), duration_s)
        if len(wanted & set(index_terms(other))) < MIN_SHARED_TERMS or not same_recording(fp, other):
            continue
        found.append(UploadMatch(upload_id=job.upload_id, matched_upload_id=upload_id, method="acoustic",
                                 similarity=round(similarity(fp, other), 4), same_owner=owner_id == job.owner_id,
                                 status="flagged" if owner_id != job.owner_id else "cleared"))
    return found


@dataclass
class Outcome:
    """What a finished job writes on its upload, all in one transaction."""

    values: dict
    fingerprint: Fingerprint | None = None


def _render_audio(db: Session, store: ObjectStore, settings: Settings, job: Job, source: Path, work: Path,
                  beat: Heartbeat) -> Outcome:
    probe = validate(source, settings.upload_max_duration_s * 1000, settings.upload_max_bytes)
    beat.set(0.08)
    tags = read_tags(source)
    try:
        fp = fingerprint(source)
    except MediaRejected:  # too short or too quiet to fingerprint (a jingle): valid audio, nothing to match
        fp = None
    beat.set(0.12)
    loudness, renditions = analyse_and_render(source, work / "out", probe, job.preview_start_ms,
                                              progress=_scaled(beat.set, 0.12, 0.85))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="check") as pool:
        # Each check decodes a whole rendition (PyAV leaves the GIL in FFmpeg): side by side on every core.
        checks = [pool.submit(check_rendition, rendition, probe.duration_ms) for rendition in renditions]
        for index, check in enumerate(checks):
            check.result()
            beat.set(0.85 + 0.08 * (index + 1) / len(renditions))
    described = {}
    for rendition in renditions:
        main = Path(rendition.path)
        if main.is_dir():
            main = main / "master.m3u8"
        for file in rendition.files:
            store_file(db, store, job.upload_id, rendition.name, file.path.relative_to(work / "out").as_posix(),
                       file.path)
        described[rendition.name] = {
            "mime": rendition.mime, "codec": rendition.codec, "bitrate": rendition.bitrate,
            "duration_ms": rendition.duration_ms, "size": rendition.size,
            "main": main.relative_to(work / "out").as_posix(), "sample_rate": rendition.sample_rate,
            "channels": rendition.channels, "gapless": rendition.gapless}
    if tags.cover:
        described.update(_artwork(db, store, job, _cover_file(work, tags.cover), work / "cover"))
    return Outcome({"probe": _probe_json(probe), "loudness": dataclasses.asdict(loudness),
                    "tags": {"title": tags.title, "artists": tags.artists, "album": tags.album, "isrc": tags.isrc,
                             "track_number": tags.track_number, "year": tags.year},
                    "renditions": described}, fp)


def _probe_json(probe) -> dict:
    return {k: v for k, v in dataclasses.asdict(probe).items() if k not in ("decoded",)}


def _cover_file(work: Path, data: bytes) -> Path:
    path = work / "embedded-cover"
    path.write_bytes(data)
    return path


def _artwork(db: Session, store: ObjectStore, job: Job, source: Path, out_dir: Path) -> dict:
    described = {}
    for art in make_artwork(source, out_dir):
        name = f"cover_{art.size}"
        store_file(db, store, job.upload_id, name, f"{name}.jpg", art.path)
        described[name] = {"mime": art.mime, "size": art.bytes, "main": f"{name}.jpg", "px": art.size}
    return described


def process(sessions: sessionmaker[Session], settings: Settings, store: ObjectStore, job: Job, worker: str) -> str:
    """Run a claimed job to its end; the upload's state afterwards (or `lost` when another worker took it)."""
    root = _work_root(settings)
    clean_work_dirs(root)
    work = Path(tempfile.mkdtemp(prefix=f"upload-{os.getpid()}-{job.upload_id}-", dir=root))
    try:
        with Heartbeat(sessions, job, worker, settings.content_lease_s) as beat:
            try:
                with sessions() as db:
                    source = _source(store, job.master_key, work)
                    if job.kind is UploadKind.artwork:
                        outcome = Outcome({"renditions": _artwork(db, store, job, source, work / "art")})
                    elif job.kind is UploadKind.bonus:
                        check_document(source)
                        outcome = Outcome({"renditions": {}})
                    else:
                        outcome = _render_audio(db, store, settings, job, source, work, beat)
                    return _finish(db, job, worker, outcome)
            except MediaRejected as err:
                return _refuse(sessions, store, job, worker, err)
            except Exception as err:
                log.exception("processing an upload failed", extra={"upload_id": str(job.upload_id)})
                return _record_failure(sessions, job, worker, f"{type(err).__name__}: {err}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def clean_work_dirs(root: Path) -> None:
    """Remove the scratch folders of workers on this machine that died mid-job (SIGKILL leaves them)."""
    for path in root.glob("upload-*"):
        try:
            pid = int(path.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:  # alive, someone else's
            pass


def _work_root(settings: Settings) -> Path:
    root = settings.data_dir / "work"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _held(db: Session, job: Job, worker: str) -> Upload | None:
    upload = db.scalar(select(Upload).where(Upload.id == job.upload_id).with_for_update())
    if upload is None or upload.lease_owner != worker or upload.state != UploadState.processing:
        return None
    return upload


def _finish(db: Session, job: Job, worker: str, outcome: Outcome) -> str:
    upload = _held(db, job, worker)
    if upload is None:
        db.rollback()  # the lease went to another worker: it writes the result
        return "lost"
    for name, value in outcome.values.items():
        setattr(upload, name, value)
    if outcome.fingerprint is not None:
        fp = outcome.fingerprint
        terms = index_terms(fp)
        for match in _matches(db, job, fp, terms):
            if db.get(UploadMatch, (match.upload_id, match.matched_upload_id)) is None:  # an exact match stays
                db.add(match)
        db.merge(AudioFingerprint(upload_id=job.upload_id, duration_s=fp.duration_s,
                                  items=fp.as_array().astype("<u4").tobytes(), terms=terms))
    upload.state, upload.progress = UploadState.ready.value, 100
    upload.lease_owner = upload.lease_expires_at = None
    upload.error_code = upload.error_message = None
    upload.ready_at = upload.updated_at = func.now()
    db.commit()
    return UploadState.ready.value


def _refuse(sessions: sessionmaker[Session], store: ObjectStore, job: Job, worker: str, err: MediaRejected) -> str:
    if err.code == "transcode-failed":
        return _record_failure(sessions, job, worker, err.message)
    with sessions() as db:
        upload = _held(db, job, worker)
        if upload is None:
            return "lost"
        reject(upload, err.code, err.message)
        # A refused file keeps nothing: its master and anything stored before the refusal.
        keys = list(db.scalars(select(UploadObject.key).where(UploadObject.upload_id == job.upload_id)))
        db.execute(UploadObject.__table__.delete().where(UploadObject.upload_id == job.upload_id))
        release(db, store, keys)
        db.commit()
    return UploadState.rejected.value


def _record_failure(sessions: sessionmaker[Session], job: Job, worker: str, message: str) -> str:
    with sessions() as db:
        upload = _held(db, job, worker)
        if upload is None:
            return "lost"
        _fail(upload, message)
        db.commit()
    return UploadState.failed.value


def run_next(sessions: sessionmaker[Session], settings: Settings, store: ObjectStore, worker: str,
             upload_id: uuid.UUID | None = None) -> str | None:
    """Claim and process one upload; None when there was nothing to claim."""
    job = claim(sessions, settings, worker, upload_id)
    if job is None:
        return None
    return process(sessions, settings, store, job, worker)
