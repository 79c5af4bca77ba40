"""`harmoni content ...`: the transcode worker, importing a folder of files, the queue's state, scrubbing storage."""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from harmoni.errors import HarmoniError, NotFound
from harmoni.settings import Settings

TERMINAL = ("ready", "rejected", "failed")


def _cmd_worker(settings: Settings, _args) -> int:
    from content import tasks
    from harmoni import jobs

    if settings.redis_url:  # a Celery worker on the content queue: every machine running one shares the work
        from celery.signals import worker_process_init

        # Beat from each pool process, after the fork: a connection the parent opened must never be inherited.
        worker_process_init.connect(lambda **_: tasks.keep_beating(settings, "celery"), weak=False)
        jobs.configure(settings).worker_main(["worker", "--loglevel=INFO", "-Q", tasks.QUEUE, "-n", "content@%h",
                                              f"--concurrency={settings.transcode_concurrency}"])
    else:
        print(f"content worker: polling for uploads ({settings.transcode_concurrency} at a time)", flush=True)
        tasks.keep_beating(settings, "polling")
        tasks.poll_forever(settings)
    return 0


def _audio_files(paths: list[str]) -> list[Path]:
    found = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
        else:
            raise NotFound(f"{given}: no such file or folder")
    return found


def _import_one(session, settings, store, owner_id: uuid.UUID, path: Path):
    from content import uploads
    from content.models import UploadKind

    target = uploads.incoming_dir(settings) / f"{uuid.uuid4()}.part"
    digest = hashlib.sha256()
    with path.open("rb") as source, target.open("wb") as out:
        head = source.read(uploads.HEAD_BYTES)
        source.seek(0)
        while chunk := source.read(uploads.CHUNK):
            digest.update(chunk)
            out.write(chunk)
    received = uploads.Received(target, digest.hexdigest(), target.stat().st_size, head)
    kind = UploadKind.artwork if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp") else UploadKind.audio
    return uploads.accept_whole(session, settings, store, owner_id=owner_id, kind=kind, received=received,
                                filename=path.name[:255], preview_start_ms=0)


def _cmd_import(settings: Settings, args) -> int:
    from content import processing, tasks
    from content.models import Upload
    from content.storage import object_store
    from harmoni import embedded_db
    from harmoni.db import session_factory
    from identity import repository

    files = _audio_files(args.paths)
    if not files:
        print("harmoni: error: no files to import", file=sys.stderr)
        return 2
    store = object_store(settings)
    with embedded_db.database_url(settings) as url:
        settings = settings.model_copy(update={"database_url": url})
        sessions = session_factory(url)
        with sessions() as session:
            artist = repository.user_by_email(session, args.artist.strip().lower())
            if artist is None or "artist" not in artist.roles:
                raise NotFound(f"no artist account with the email {args.artist}")
        ids = []
        for number, path in enumerate(files, 1):
            with sessions.begin() as session:
                try:
                    upload, created = _import_one(session, settings, store, artist.id, path)
                except HarmoniError as err:
                    print(f"[{number}/{len(files)}] {path.name}: refused: {err.detail}", flush=True)
                    continue
                ids.append(upload.id)
                if created:
                    tasks.enqueue(session, upload.id)
            print(f"[{number}/{len(files)}] {path.name}: {'received' if created else 'already uploaded'} "
                  f"as {upload.id}", flush=True)
        if args.process:  # no worker running: do the work here, one file after another
            while processing.run_next(sessions, settings, store, tasks.worker_name()) is not None:
                pass
        if args.wait or args.process:
            return _wait(sessions, ids, Upload)
    return 0


def _wait(sessions, ids: list[uuid.UUID], model) -> int:
    last = None
    while True:
        with sessions() as session:
            rows = list(session.scalars(select(model).where(model.id.in_(ids))))
        done = [r for r in rows if r.state in TERMINAL]
        line = f"{len(done)}/{len(rows)} done, {sum(r.progress for r in rows) // max(1, len(rows))}%"
        if line != last:
            print(line, flush=True)
            last = line
        if len(done) == len(rows):
            for row in rows:
                if row.state != "ready":
                    print(f"  {row.filename}: {row.state}: {row.error_code}: {row.error_message}")
            return 0 if all(r.state == "ready" for r in rows) else 1
        time.sleep(1)


def _cmd_status(settings: Settings, _args) -> int:
    from content.models import Upload
    from harmoni import embedded_db
    from harmoni.db import session_scope

    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        counts = dict(session.execute(select(Upload.state, func.count()).group_by(Upload.state)).all())
        stored = session.scalar(select(func.coalesce(func.sum(Upload.received_bytes), 0))
                                .where(Upload.state != "rejected"))
        stale = session.scalar(select(func.count()).where(Upload.state == "processing",
                                                          Upload.lease_expires_at < func.clock_timestamp()))
        oldest = session.scalar(select(func.min(Upload.created_at)).where(Upload.state == "received"))
    for state in ("uploading", "received", "processing", "ready", "rejected", "failed"):
        print(f"{state:<11} {counts.get(state, 0)}")
    print(f"masters     {stored} bytes")
    if stale:
        print(f"{stale} processing upload(s) lost their worker: another worker takes them over")
    if oldest is not None:
        print(f"oldest waiting since {oldest:%Y-%m-%d %H:%M:%S}")
    return 0


def _cmd_scrub(settings: Settings, args) -> int:
    from content import objects
    from content.storage import object_store, scrub
    from harmoni import embedded_db
    from harmoni.db import session_scope

    store = object_store(settings)
    findings = scrub(store, ["masters/", "audio/"])
    for finding in findings:
        print(f"{finding.problem:<9} {finding.key}")
    with embedded_db.database_url(settings) as url, session_scope(url) as session:
        stored = [key for prefix in ("masters/", "audio/") for key in store.keys(prefix)]
        orphans = objects.unreferenced(session, stored)
    for key in orphans:
        print(f"{'deleted' if args.delete_orphans else 'orphan':<9} {key}")
        if args.delete_orphans:
            store.delete(key)
    print(f"checked {len(stored)} objects: {sum(f.problem == 'mismatch' for f in findings)} do not match their CID, "
          f"{len(orphans)} held by no upload")
    return 1 if any(f.problem == "mismatch" for f in findings) else 0


def add_commands(commands) -> None:
    content = commands.add_parser("content", help="uploads and streaming: worker, import, status, scrub")
    cmds = content.add_subparsers(dest="content_command", required=True)
    cmds.add_parser("worker", help="process uploads (Celery on the content queue with Redis, else polling)"
                    ).set_defaults(func=_cmd_worker, long_running=True)
    imported = cmds.add_parser("import", help="upload files (or folders of them) for one artist")
    imported.add_argument("paths", nargs="+", help="files or folders")
    imported.add_argument("--artist", required=True, help="the artist account's e-mail")
    imported.add_argument("--wait", action="store_true", help="wait until every file is processed")
    imported.add_argument("--process", action="store_true",
                          help="process the files in this command (when no worker runs)")
    imported.set_defaults(func=_cmd_import)
    cmds.add_parser("status", help="uploads per state, stored bytes, uploads that lost their worker"
                    ).set_defaults(func=_cmd_status)
    scrubbed = cmds.add_parser("scrub", help="find objects whose bytes no longer match their CID, and orphans")
    scrubbed.add_argument("--delete-orphans", action="store_true", help="delete objects no upload holds")
    scrubbed.set_defaults(func=_cmd_scrub)
