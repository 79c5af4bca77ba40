"""Bonus files over HTTP: uploaded as `bonus`, attached by the recording's controller, downloaded through signed
links by whoever may have them (an edition's holders only, when one is named)."""

from __future__ import annotations

import io
import time
import zipfile
from urllib.parse import urlsplit

import pytest
from sqlalchemy import any_, literal, select

from content import streaming
from identity.models import User, Wallet
from tests.api.test_streams import FAN_WALLET, _edition
from tests.api.test_uploads import _objects, _problem
from tests.identity.factories import make_user
from tests.usage.factories import CONTROLLER, add_recording

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("stems/drums.txt", "kick snare "), ("stems/bass.txt", "low notes ")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 3, 0, 0, 0)), text * 100)
    return buffer.getvalue()


def _ready_bonus(api, data: bytes, filename: str) -> dict:
    created = api.upload(data, kind="bonus", filename=filename)
    assert created.status_code == 201, created.text
    assert api.work() == "ready"
    return api.client.get(f"/v1/uploads/{created.json()['id']}", headers=api.headers).json()


@pytest.fixture
def recording(content_api):
    """Recording 61 controlled by the artist's wallet; edition 8 held by a fan's wallet."""
    fan = make_user(content_api.sessions, content_api.settings, "fan")
    with content_api.sessions.begin() as db:
        add_recording(db, 61, "USHRM2600061")
        artist_id = db.scalar(select(User.id).where(literal("artist") == any_(User.roles)))
        db.add(Wallet(user_id=artist_id, address=CONTROLLER, kind="linked"))
        db.add(Wallet(user_id=fan.id, address=FAN_WALLET, kind="linked"))
        _edition(db, 8, FAN_WALLET)
    return content_api, fan


def test_bonus_files_download_for_listeners_and_exclusive_ones_for_holders_only(recording):
    api, holder = recording
    stems = _ready_bonus(api, _zip(), "stems.zip")
    booklet_bytes = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    booklet = _ready_bonus(api, booklet_bytes, "booklet.pdf")
    assert stems["renditions"] == {} and stems["state"] == "ready"

    attached = api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                               json={"upload_id": stems["id"], "title": "Stems", "edition_id": 8})
    assert attached.status_code == 201, attached.text
    assert attached.json()["exclusive_to"] == 8 and attached.json()["mime"] == "application/zip"
    again = api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                            json={"upload_id": stems["id"], "title": "Stems", "edition_id": 8})
    assert again.status_code == 200 and again.json()["id"] == attached.json()["id"]
    assert api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                           json={"upload_id": booklet["id"], "title": "Booklet"}).status_code == 201

    anonymous = api.client.get("/v1/recordings/61/bonus-files").json()["items"]
    assert [i["title"] for i in anonymous] == ["Stems", "Booklet"]
    assert all(i["download_url"] is None and "sign in" in i["locked"] for i in anonymous)

    outsider = make_user(api.sessions, api.settings, "fan")
    theirs = {i["title"]: i for i in api.client.get("/v1/recordings/61/bonus-files",
                                                    headers=outsider.headers).json()["items"]}
    assert theirs["Stems"]["download_url"] is None and "edition 8" in theirs["Stems"]["locked"]
    booklet_url = theirs["Booklet"]["download_url"]
    got = api.client.get(urlsplit(booklet_url).path + "?" + urlsplit(booklet_url).query)
    assert got.status_code == 200 and got.content == booklet_bytes
    assert got.headers["content-type"] == "application/pdf"
    assert 'filename="booklet.pdf"' in got.headers["content-disposition"]

    mine = {i["title"]: i for i in api.client.get("/v1/recordings/61/bonus-files",
                                                  headers=holder.headers).json()["items"]}
    url = urlsplit(mine["Stems"]["download_url"])
    downloaded = api.client.get(f"{url.path}?{url.query}")
    assert downloaded.status_code == 200 and downloaded.content == _zip()

    # A forged, expired or moved signature is refused; a link for the booklet does not open the stems.
    _problem(api.client.get(url.path + "?" + url.query.replace("sig=", "sig=A")), 403, "stream-url-invalid")
    stale = streaming.sign(api.settings, 61, f"bonus:{mine['Stems']['id']}", holder.id, now=time.time() - 3600)
    assert "expired" in _problem(api.client.get(f"{url.path}?{stale}"), 403, "stream-url-invalid")["detail"]
    other_path = urlsplit(booklet_url).path
    _problem(api.client.get(f"{other_path.replace(theirs['Booklet']['id'], mine['Stems']['id'])}?"
                            f"{urlsplit(booklet_url).query}"), 403, "stream-url-invalid")


def test_only_the_controller_attaches_only_ready_bonus_uploads_and_detaching_keeps_the_upload(recording):
    api, fan = recording
    stems = _ready_bonus(api, _zip(), "stems.zip")
    other = make_user(api.sessions, api.settings, "artist")
    _problem(api.client.post("/v1/recordings/61/bonus-files", headers=other.headers,
                             json={"upload_id": stems["id"], "title": "Stems"}), 403, "recording-not-yours")
    _problem(api.client.post("/v1/recordings/61/bonus-files", headers=fan.headers,
                             json={"upload_id": stems["id"], "title": "Stems"}), 403, "forbidden")
    _problem(api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                             json={"upload_id": stems["id"], "title": "Stems", "edition_id": 99}), 404, "not-found")
    _problem(api.client.post("/v1/recordings/62/bonus-files", headers=api.headers,
                             json={"upload_id": stems["id"], "title": "Stems"}), 404, "not-found")
    assert _problem(api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                                    json={"upload_id": stems["id"], "title": ""}), 422,
                    "validation-error")["errors"][0]["field"] == "title"
    pending = api.upload(_zip()[:len(_zip()) // 2], kind="bonus", filename="cut.zip").json()
    _problem(api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                             json={"upload_id": pending["id"], "title": "Cut"}), 409, "upload-not-ready")
    assert api.work() == "rejected"  # a ZIP whose directory is cut off
    cut = api.client.get(f"/v1/uploads/{pending['id']}", headers=api.headers).json()
    assert cut["error"]["code"] == "corrupt-file"
    _problem(api.upload(b"MZ\x90\x00 a program", kind="bonus"), 415, "unsupported-format")

    attached = api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                               json={"upload_id": stems["id"], "title": "Stems"}).json()
    assert attached["exclusive_to"] is None
    _problem(api.client.delete(f"/v1/bonus-files/{attached['id']}", headers=other.headers), 403,
             "recording-not-yours")
    assert api.client.delete(f"/v1/bonus-files/{attached['id']}", headers=api.headers).status_code == 204
    assert api.client.get("/v1/recordings/61/bonus-files").json()["items"] == []
    assert api.client.get(f"/v1/uploads/{stems['id']}", headers=api.headers).json()["state"] == "ready"

    # Deleting the upload takes its attachment along.
    again = api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                            json={"upload_id": stems["id"], "title": "Stems"}).json()
    assert api.client.delete(f"/v1/uploads/{stems['id']}", headers=api.headers).status_code == 204
    assert api.client.get("/v1/recordings/61/bonus-files").json()["items"] == []
    _problem(api.client.delete(f"/v1/bonus-files/{again['id']}", headers=api.headers), 404, "not-found")
    assert not any(key.startswith("masters/") for key in _objects(api))


def test_an_exclusive_recordings_bonus_files_follow_its_gate(recording):
    api, holder = recording
    stems = _ready_bonus(api, _zip(), "stems.zip")
    assert api.client.put("/v1/recordings/61/gate", json={"edition_id": 8}, headers=api.headers).status_code == 200
    api.client.post("/v1/recordings/61/bonus-files", headers=api.headers,
                    json={"upload_id": stems["id"], "title": "Stems"})
    outsider = make_user(api.sessions, api.settings, "fan")
    [locked] = api.client.get("/v1/recordings/61/bonus-files", headers=outsider.headers).json()["items"]
    assert locked["exclusive_to"] == 8 and locked["download_url"] is None
    [opened] = api.client.get("/v1/recordings/61/bonus-files", headers=holder.headers).json()["items"]
    assert opened["download_url"] is not None
