"""Uploads over HTTP, processed by a real worker: real audio (PyAV), real fpcalc, real PostgreSQL and files."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from content.models import Upload, UploadObject
from scripts.eval_fingerprints import synth_clip
from tests.content.media.audiogen import chord, tone, write, write_video_only
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PROBLEM = "application/problem+json"
TUS = {"Tus-Resumable": "1.0.0"}


def _problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug), response.json()
    return response.json()


def _objects(content_api) -> list[str]:
    root = content_api.settings.objects_path
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows(content_api) -> int:
    with content_api.sessions() as db:
        return db.scalar(select(func.count()).select_from(Upload))


def _song(tmp_path, kind="wav", seconds=6.0, signal=None, name="song", rate=44100, bits=16):
    samples = signal if signal is not None else chord(seconds=seconds, rate=rate)
    return write(tmp_path / f"{name}.{kind}", samples, rate, kind, bits=bits).read_bytes()


def test_an_upload_becomes_ready_with_every_rendition_and_its_own_reupload_is_the_same(content_api, tmp_path):
    data = _song(tmp_path, "flac", seconds=8.0)
    created = content_api.upload(data, filename="blue-hour.flac", preview_start_ms=2000)
    assert created.status_code == 201, created.text
    upload = created.json()
    assert upload["state"] == "received" and upload["size"] == len(data)
    assert created.headers["location"] == f"/v1/uploads/{upload['id']}"
    assert upload["cid"].startswith("bafkrei") and len(upload["sha256"]) == 66

    assert content_api.work() == "ready"
    done = content_api.client.get(f"/v1/uploads/{upload['id']}", headers=content_api.headers).json()
    assert done["state"] == "ready" and done["progress"] == 100 and done["error"] is None
    assert done["audio"]["format"] == "flac" and done["audio"]["duration_ms"] == 8000
    assert {"opus_160", "opus_96", "aac_256", "mp3_320", "flac", "preview", "hls", "waveform"} <= set(
        done["renditions"])
    assert done["renditions"]["mp3_320"]["bitrate"] == 320_000
    assert abs(done["renditions"]["opus_160"]["duration_ms"] - 8000) <= 50
    assert done["loudness"]["integrated_lufs"] < 0 and done["loudness"]["gain_db"] is not None
    with content_api.sessions() as db:
        keys = set(db.scalars(select(UploadObject.key).where(UploadObject.upload_id == upload["id"])))
    stored = set(_objects(content_api))
    assert keys <= stored and any(k.startswith("masters/") for k in keys)
    assert not any("/.tmp-" in k for k in stored)

    again = content_api.upload(data, filename="copy.flac")
    assert again.status_code == 200 and again.json()["id"] == upload["id"]
    assert _rows(content_api) == 1
    assert not any(content_api.settings.data_dir.joinpath("incoming").iterdir())


@pytest.mark.parametrize(("kind", "rate", "bits", "channels"), [
    ("wav", 48000, 24, 1), ("aiff", 44100, 16, 2), ("m4a", 44100, 16, 2), ("mp3", 44100, 16, 2),
    ("opus", 48000, 16, 2), ("vorbis", 44100, 16, 2), ("flac", 96000, 24, 2)])
def test_every_accepted_format_is_told_by_its_content_and_becomes_ready(content_api, tmp_path, kind, rate, bits,
                                                                           channels):
    signal = tone(523.25, seconds=3.0, rate=rate, channels=channels)
    data = _song(tmp_path, kind, signal=signal, rate=rate, bits=bits)
    created = content_api.upload(data, filename="track.bin")  # the name says nothing: the bytes do
    assert created.status_code == 201, created.text
    assert content_api.work() == "ready", content_api.client.get(f"/v1/uploads/{created.json()['id']}",
                                                                 headers=content_api.headers).json()
    done = content_api.client.get(f"/v1/uploads/{created.json()['id']}", headers=content_api.headers).json()
    assert done["audio"]["sample_rate"] == rate and done["audio"]["channels"] == channels
    assert ("flac" in done["renditions"]) == (kind in ("wav", "aiff", "m4a", "flac"))


def test_files_refused_at_the_door_leave_no_row_and_no_file(content_api, tmp_path):
    elf = b"\x7fELF\x02\x01\x01" + os.urandom(4000)
    _problem(content_api.upload(elf, filename="song.wav"), 415, "unsupported-format")
    _problem(content_api.upload(b""), 422, "validation-error")
    content_api.configure(upload_max_bytes=10_000)
    _problem(content_api.upload(os.urandom(20_000)), 413, "too-large")
    content_api.configure(upload_max_bytes=1 << 30, upload_quota_bytes=50_000)
    quota = _problem(content_api.upload(_song(tmp_path, seconds=1.0)), 413, "quota-exceeded")
    assert quota["quota"] == 50_000
    _problem(content_api.upload(b"ID3" + os.urandom(100), kind="artwork"), 415, "unsupported-format")
    assert _rows(content_api) == 0
    assert _objects(content_api) == []
    assert not any(content_api.settings.data_dir.joinpath("incoming").iterdir())


def test_files_the_worker_refuses_are_rejected_with_their_code_and_nothing_kept(content_api, tmp_path):
    good = _song(tmp_path, "wav", seconds=4.0)
    cases = {
        "corrupt-audio": good[: len(good) // 2],  # truncated: the header says 4 s
        "no-audio-stream": write_video_only(tmp_path / "video.m4a").read_bytes(),
        "too-long": _song(tmp_path, "mp3", seconds=5.0, name="long"),
    }
    content_api.configure(upload_max_duration_s=3)
    for code, data in cases.items():
        created = content_api.upload(data)
        assert created.status_code == 201, (code, created.text)
        assert content_api.work() == "rejected", code
        done = content_api.client.get(f"/v1/uploads/{created.json()['id']}", headers=content_api.headers).json()
        assert done["state"] == "rejected" and done["error"]["code"] == code, done
        assert done["error"]["message"]
        _problem(content_api.client.post(f"/v1/uploads/{done['id']}/retry", headers=content_api.headers), 409,
                 "upload-not-retryable")
    assert _objects(content_api) == []  # no master, no rendition of any refused file


def test_a_resumable_upload_survives_a_cut_and_refuses_a_wrong_offset(content_api, tmp_path):
    data = _song(tmp_path, "wav", seconds=3.0)
    options = content_api.client.options("/v1/uploads")
    assert options.status_code == 204 and "creation" in options.headers["tus-extension"]
    created = content_api.client.post("/v1/uploads", headers={**content_api.headers, **TUS,
                                                                "Upload-Length": str(len(data)),
                                                                "Upload-Metadata": "filename c29uZy53YXY="})
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert created.json()["state"] == "uploading" and created.json()["filename"] == "song.wav"
    patch = {**content_api.headers, **TUS, "Content-Type": "application/offset+octet-stream"}
    third = len(data) // 3
    first = content_api.client.patch(url, content=data[:third], headers={**patch, "Upload-Offset": "0"})
    assert first.status_code == 204 and first.headers["upload-offset"] == str(third)
    wrong = content_api.client.patch(url, content=data[third:], headers={**patch, "Upload-Offset": "0"})
    assert _problem(wrong, 409, "upload-offset-mismatch")["offset"] == third
    head = content_api.client.head(url, headers={**content_api.headers, **TUS})
    assert head.headers["upload-offset"] == str(third) and head.headers["upload-length"] == str(len(data))
    assert head.headers["cache-control"] == "no-store"
    _problem(content_api.client.patch(url, content=data[third:] + b"extra", headers={**patch, "Upload-Offset":
                                                                                       str(third)}), 413, "too-large")
    rest = content_api.client.patch(url, content=data[third:], headers={**patch, "Upload-Offset": str(third)})
    assert rest.status_code == 204 and rest.headers["upload-offset"] == str(len(data))
    state = content_api.client.get(url, headers=content_api.headers).json()
    assert state["state"] == "received" and state["sha256"] is not None
    assert content_api.work() == "ready"
    _problem(content_api.client.patch(url, content=b"x", headers={**patch, "Upload-Offset": str(len(data))}), 409,
             "upload-not-resumable")


def test_an_abandoned_resumable_upload_expires_and_leaves_nothing(content_api, tmp_path):
    from email.utils import parsedate_to_datetime

    from content import tasks

    data = _song(tmp_path, "wav", seconds=1.0)
    options = content_api.client.options("/v1/uploads")
    assert "expiration" in options.headers["tus-extension"].split(",")
    tus = {**content_api.headers, **TUS}
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    started = [content_api.client.post("/v1/uploads", headers={**tus, "Upload-Length": str(len(data))})
               for _ in range(2)]
    stale, alive = (r.headers["location"] for r in started)
    first = content_api.client.patch(stale, content=data[:100], headers={**patch, "Upload-Offset": "0"})
    expires = parsedate_to_datetime(first.headers["upload-expires"])
    ttl = content_api.settings.upload_resumable_ttl_s
    with content_api.sessions.begin() as db:  # no byte for longer than the time to live
        db.execute(Upload.__table__.update().where(Upload.id == uuid.UUID(stale.rsplit("/", 1)[1]))
                   .values(updated_at=func.now() - func.make_interval(0, 0, 0, 0, 0, 0, ttl + 1)))
    assert abs((expires - parsedate_to_datetime(
        content_api.client.head(alive, headers=tus).headers["upload-expires"])).total_seconds()) < 60
    _problem(content_api.client.patch(stale, content=data[100:], headers={**patch, "Upload-Offset": "100"}), 410,
             "upload-expired")
    incoming = content_api.settings.data_dir / "incoming"
    assert len(list(incoming.iterdir())) == 2

    assert tasks.expire_abandoned(content_api.settings) == 1
    assert content_api.client.head(stale, headers=tus).status_code == 404
    assert [p.name for p in incoming.iterdir()] == [alive.rsplit("/", 1)[1] + ".part"]
    assert content_api.client.patch(alive, content=data, headers={**patch, "Upload-Offset": "0"}).status_code == 204
    assert tasks.expire_abandoned(content_api.settings) == 0


def test_a_resumable_upload_of_bytes_already_uploaded_is_a_duplicate(content_api, tmp_path):
    data = _song(tmp_path, "wav", seconds=1.0)
    first = content_api.upload(data).json()
    created = content_api.client.post("/v1/uploads", headers={**content_api.headers, **TUS,
                                                                "Upload-Length": str(len(data))})
    url = created.headers["location"]
    content_api.client.patch(url, content=data, headers={**content_api.headers, **TUS, "Upload-Offset": "0",
                                                         "Content-Type": "application/offset+octet-stream"})
    done = content_api.client.get(url, headers=content_api.headers).json()
    assert done["state"] == "rejected" and done["error"]["code"] == "duplicate"
    assert done["duplicate_of"] == first["id"]
    deleted = content_api.client.delete(url, headers=content_api.headers)
    assert deleted.status_code == 204
    _problem(content_api.client.get(url, headers=content_api.headers), 404, "upload-not-found")


def test_another_artists_copy_or_reencode_is_kept_and_flagged_for_review(content_api, tmp_path):
    signal = synth_clip(7, seconds=25.0)
    original = _song(tmp_path, "wav", signal=signal, rate=22050)
    mine = content_api.upload(original).json()
    assert content_api.work() == "ready"
    other = make_user(content_api.sessions, content_api.settings, "artist")
    copy = content_api.client.post("/v1/uploads", content=original, headers=other.headers)
    assert copy.status_code == 201 and copy.json()["id"] != mine["id"]
    reencode = content_api.client.post("/v1/uploads", content=_song(tmp_path, "mp3", signal=signal * 0.5,
                                                                     name="quiet", rate=22050), headers=other.headers)
    assert content_api.work() == "ready" and content_api.work() == "ready"
    flagged = content_api.client.get(f"/v1/uploads/{copy.json()['id']}", headers=other.headers).json()
    assert [(m["upload_id"], m["method"], m["status"]) for m in flagged["matches"]] == [
        (mine["id"], "exact", "flagged")]
    heard = content_api.client.get(f"/v1/uploads/{reencode.json()['id']}", headers=other.headers).json()
    acoustic = {m["upload_id"]: m for m in heard["matches"]}
    assert acoustic[mine["id"]]["method"] == "acoustic" and acoustic[mine["id"]]["status"] == "flagged"
    assert acoustic[mine["id"]]["similarity"] > 0.9 and not acoustic[mine["id"]]["same_owner"]
    _problem(content_api.client.get(f"/v1/uploads/{mine['id']}", headers=other.headers), 404, "upload-not-found")


def test_an_upload_whose_workers_keep_dying_fails_and_can_be_retried(content_api, tmp_path):
    created = content_api.upload(_song(tmp_path, "wav", seconds=2.0)).json()
    with content_api.sessions.begin() as db:
        db.get(Upload, created["id"]).attempts = content_api.settings.content_max_attempts
    assert content_api.work() is None  # given up on, not claimed
    failed = content_api.client.get(f"/v1/uploads/{created['id']}", headers=content_api.headers).json()
    assert failed["state"] == "failed" and failed["error"]["code"] == "transcode-failed"
    retried = content_api.client.post(f"/v1/uploads/{created['id']}/retry", headers=content_api.headers)
    assert retried.status_code == 200 and retried.json()["state"] == "received"
    assert content_api.work() == "ready", content_api.client.get(f"/v1/uploads/{created['id']}",
                                                                 headers=content_api.headers).json()["error"]


def test_deleting_an_upload_keeps_objects_another_upload_holds(content_api, tmp_path):
    data = _song(tmp_path, "wav", seconds=2.0)
    mine = content_api.upload(data).json()
    other = make_user(content_api.sessions, content_api.settings, "artist")
    theirs = content_api.client.post("/v1/uploads", content=data, headers=other.headers).json()
    assert content_api.work() == "ready" and content_api.work() == "ready"
    before = set(_objects(content_api))
    assert content_api.client.delete(f"/v1/uploads/{mine['id']}", headers=content_api.headers).status_code == 204
    assert set(_objects(content_api)) == before  # every object is also theirs
    assert content_api.client.delete(f"/v1/uploads/{theirs['id']}", headers=other.headers).status_code == 204
    assert _objects(content_api) == []


def test_deleting_an_upload_while_another_stores_the_same_bytes_keeps_them(content_api, tmp_path):
    """The writer finds the master there and names it; the deleter must not remove it under the writer."""
    from content import uploads
    from content.models import UploadKind, UploadState
    from content.storage import object_store

    data = _song(tmp_path, "wav", seconds=2.0)
    mine = content_api.upload(data).json()
    other = make_user(content_api.sessions, content_api.settings, "artist")
    copy = tmp_path / "their-copy.wav"
    copy.write_bytes(data)
    store = object_store(content_api.settings)
    with content_api.sessions() as writer:  # their upload, stored but not yet committed
        theirs = uploads.Upload(owner_id=other.id, kind=UploadKind.audio.value, state=UploadState.received.value,
                                preview_start_ms=0, progress=0, attempts=0, received_bytes=len(data))
        writer.add(theirs)
        writer.flush()
        received = uploads.hash_file(copy)
        uploads.store_master(writer, store, theirs, received, "wav")
        assert theirs.master_key == f"masters/{mine['cid']}"

        # The delete waits for the writer (it flagged my upload as a copy), then goes ahead.
        with ThreadPoolExecutor(1) as pool:
            deleted = pool.submit(content_api.client.delete, f"/v1/uploads/{mine['id']}",
                                  headers=content_api.headers)
            time.sleep(0.5)
            writer.commit()
            assert deleted.result(timeout=30).status_code == 204
    assert store.size(theirs.master_key) == len(data)  # theirs still names the master: the bytes stay
    with content_api.sessions() as db:
        assert db.scalar(select(UploadObject.key).where(UploadObject.upload_id == theirs.id)) == theirs.master_key
        assert db.get(Upload, uuid.UUID(mine["id"])) is None

    # Deleting first and storing after: the bytes are written again.
    with content_api.sessions.begin() as db:
        uploads.delete(db, content_api.settings, store, other.id, theirs.id)
    assert store.size(theirs.master_key) is None
    again = content_api.upload(data).json()
    assert store.size(f"masters/{again['cid']}") == len(data)


def test_an_object_a_writer_holds_is_not_deleted_under_it(content_api, tmp_path):
    """A worker storing a rendition finds it there (another upload made it) and names it, uncommitted: deleting
    that other upload must leave the bytes."""
    from content.models import UploadKind, UploadState
    from content.objects import hold
    from content.storage import object_store

    data = _song(tmp_path, "wav", seconds=2.0)
    mine = content_api.upload(data).json()
    key = f"masters/{mine['cid']}"
    other = make_user(content_api.sessions, content_api.settings, "artist")
    store = object_store(content_api.settings)
    with content_api.sessions() as writer:
        theirs = Upload(owner_id=other.id, kind=UploadKind.audio.value, state=UploadState.received.value,
                        preview_start_ms=0, progress=0, attempts=0, received_bytes=len(data))
        writer.add(theirs)
        writer.flush()
        hold(writer, key)
        assert store.size(key) == len(data)  # there: nothing to write, only a reference to record
        writer.add(UploadObject(upload_id=theirs.id, path="flac", rendition="flac", key=key, cid=mine["cid"],
                                sha256=mine["sha256"][2:], size=len(data), mime="audio/wav"))
        writer.flush()
        deleted = content_api.client.delete(f"/v1/uploads/{mine['id']}", headers=content_api.headers)
        assert deleted.status_code == 204
        assert store.size(key) == len(data)
        writer.commit()
    assert store.size(key) == len(data)
    with content_api.sessions.begin() as db:  # the last holder goes: now the bytes go too
        db.delete(db.get(Upload, theirs.id))
        from content.objects import release
        release(db, store, [key])
    assert store.size(key) is None


def test_only_artists_upload(content_api):
    fan = make_user(content_api.sessions, content_api.settings, "fan")
    _problem(content_api.client.post("/v1/uploads", content=b"RIFF", headers=fan.headers), 403, "forbidden")
    _problem(content_api.client.post("/v1/uploads", content=b"RIFF"), 401, "unauthenticated")


def test_cover_art_is_its_own_upload_kind(content_api, tmp_path):
    from PIL import Image

    Image.new("RGB", (640, 400), (200, 40, 90)).save(tmp_path / "cover.png")
    created = content_api.upload((tmp_path / "cover.png").read_bytes(), kind="artwork")
    assert created.status_code == 201 and created.json()["kind"] == "artwork"
    assert content_api.work() == "ready"
    done = content_api.client.get(f"/v1/uploads/{created.json()['id']}", headers=content_api.headers).json()
    assert set(done["renditions"]) == {"cover_150", "cover_480", "cover_1000"}

