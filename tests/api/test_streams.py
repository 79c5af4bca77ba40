"""Streaming over HTTP: signed URLs from the playback session, RFC 9110 ranges, HLS, previews, refusals."""

from __future__ import annotations

import io
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import av
import pytest
from pydantic import SecretStr
from sqlalchemy import any_, literal, select

from content import streaming
from harmoni.settings import StorageBackend
from identity.models import User, Wallet
from ledger.models import Edition, EditionTransfer
from tests.api.test_uploads import _problem, _song
from tests.identity.factories import make_user
from tests.usage.factories import CONTROLLER, add_recording

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def playable(content_api, tmp_path):
    """Recording 41 registered with a ready upload's hash (8 s FLAC), 42 frozen, 43 whose upload is processing."""
    ready = content_api.upload(_song(tmp_path, "flac", seconds=8.0), preview_start_ms=1000).json()
    assert content_api.work() == "ready"
    ready = content_api.client.get(f"/v1/uploads/{ready['id']}", headers=content_api.headers).json()
    pending = content_api.upload(_song(tmp_path, "wav", seconds=1.0, name="later")).json()
    with content_api.sessions.begin() as db:
        add_recording(db, 41, "USHRM2600041", content_hash=ready["sha256"])
        add_recording(db, 42, "USHRM2600042", content_hash=ready["sha256"], frozen=True)
        add_recording(db, 43, "USHRM2600043", content_hash=pending["sha256"])
    fan = make_user(content_api.sessions, content_api.settings, "fan")
    started = content_api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=fan.headers)
    assert started.status_code == 201, started.text
    return content_api, fan, started.json(), ready


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_the_playback_session_answers_every_renditions_url(playable):
    api, _fan, session, ready = playable
    assert set(session["streams"]) >= {"opus_160", "opus_96", "aac_256", "mp3_320", "flac", "hls", "preview",
                                       "waveform"}
    assert session["duration_ms"] == 8000 and session["loudness_gain_db"] == ready["loudness"]["gain_db"]
    signed = parse_qs(urlsplit(session["streams"]["opus_160"]).query)
    assert set(signed) == {"l", "exp", "kid", "sig"}
    assert abs(int(signed["exp"][0]) - (time.time() + 900)) < 60
    assert "?" not in session["streams"]["preview"]  # previews are public
    whole = api.client.get(_path(session["streams"]["opus_160"]))
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("audio/ogg")
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["etag"].startswith('"bafkrei')
    assert int(whole.headers["content-length"]) == len(whole.content)
    with av.open(io.BytesIO(whole.content)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"


def test_ranges_first_middle_last_suffix_multiple_and_unsatisfiable(playable):
    api, _fan, session, _ready = playable
    url = _path(session["streams"]["mp3_320"])
    whole = api.client.get(url).content
    size = len(whole)
    for header, expected, content_range in [
            ("bytes=0-0", whole[:1], f"bytes 0-0/{size}"),
            (f"bytes={size // 2}-{size // 2 + 99}", whole[size // 2:size // 2 + 100],
             f"bytes {size // 2}-{size // 2 + 99}/{size}"),
            (f"bytes={size - 1}-", whole[-1:], f"bytes {size - 1}-{size - 1}/{size}"),
            ("bytes=-500", whole[-500:], f"bytes {size - 500}-{size - 1}/{size}")]:
        part = api.client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == expected and part.headers["content-range"] == content_range
        assert int(part.headers["content-length"]) == len(expected)
    several = api.client.get(url, headers={"Range": "bytes=0-9,100-109"})
    assert several.status_code == 206 and several.headers["content-type"].startswith("multipart/byteranges")
    assert whole[:10] in several.content and whole[100:110] in several.content
    beyond = api.client.get(url, headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    etag = api.client.head(url).headers["etag"]
    fresh = api.client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.content == whole[:10]
    stale = api.client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"bafkreistale"'})
    assert stale.status_code == 200 and stale.content == whole  # a changed file: the whole of it
    head = api.client.head(url)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == size


def test_signed_urls_expired_tampered_or_for_another_listener_are_refused(playable):
    api, fan, session, _ready = playable
    url = session["streams"]["aac_256"]
    query = parse_qs(urlsplit(url).query)
    base = urlsplit(url).path
    tampered = dict(query, sig=["A" + query["sig"][0][1:]])
    _problem(api.client.get(base, params={k: v[0] for k, v in tampered.items()}), 403, "stream-url-invalid")
    other_rendition = _path(session["streams"]["aac_256"]).replace("aac_256", "mp3_320")
    _problem(api.client.get(other_rendition), 403, "stream-url-invalid")
    _problem(api.client.get(base), 403, "stream-url-invalid")  # unsigned
    someone = make_user(api.sessions, api.settings, "fan")
    _problem(api.client.get(_path(url), headers=someone.headers), 403, "stream-url-invalid")
    assert api.client.get(_path(url), headers=fan.headers).status_code == 200  # its own listener
    expired = streaming.sign(api.settings, 41, "aac_256", fan.id, now=time.time() - 3600)
    assert "another" not in _problem(api.client.get(f"{base}?{expired}"), 403, "stream-url-invalid")["detail"]
    rotated = api.settings.model_copy(update={"stream_signing_keys": SecretStr("k9:new-key-for-streams")})
    by_new_key = streaming.sign(rotated, 41, "aac_256", fan.id)
    _problem(api.client.get(f"{base}?{by_new_key}"), 403, "stream-url-invalid")  # unknown key id here
    api.configure(stream_signing_keys=SecretStr("k9:new-key-for-streams"))
    assert api.client.get(f"{base}?{by_new_key}").status_code == 200


def test_hls_plays_through_every_segment_to_the_full_duration(playable, tmp_path):
    api, _fan, session, _ready = playable
    master = api.client.get(_path(session["streams"]["hls"]))
    assert master.status_code == 200 and master.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    variants = [line for line in master.text.splitlines() if line and not line.startswith("#")]
    assert len(variants) == 2 and all("sig=" in v for v in variants)
    base = _path(session["streams"]["hls"]).split("?")[0].rsplit("/", 1)[0]
    for variant in variants:
        playlist = api.client.get(f"{base}/{variant}")
        assert playlist.status_code == 200, playlist.text
        lines = playlist.text.splitlines()
        init = next(line for line in lines if line.startswith("#EXT-X-MAP")).split('URI="')[1].split('"')[0]
        segments = [line for line in lines if line and not line.startswith("#")]
        folder = f"{base}/{variant.split('/')[0]}"
        joined = api.client.get(f"{folder}/{init}").content
        for segment in segments:
            got = api.client.get(f"{folder}/{segment}")
            assert got.status_code == 200
            joined += got.content
        path = tmp_path / "joined.mp4"
        path.write_bytes(joined)
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            samples = sum(frame.samples for frame in container.decode(stream))
            assert abs(samples * 1000 / stream.codec_context.sample_rate - 8000) <= 50


def test_previews_are_public_frozen_and_unready_recordings_are_not_streamed(playable):
    api, fan, _session, _ready = playable
    preview = api.client.get("/v1/streams/41/preview")
    assert preview.status_code == 200 and preview.headers["content-type"] == "audio/mpeg"
    assert api.client.get("/v1/streams/41/waveform").json()["version"] == 2
    frozen = _problem(api.client.get("/v1/streams/42/preview"), 409, "not-streamable")
    assert frozen["reason"] == "frozen"
    unready = _problem(api.client.get("/v1/streams/43/preview"), 409, "not-streamable")
    assert unready["reason"] == "upload-received"
    _problem(api.client.get("/v1/streams/44/preview"), 409, "not-streamable")
    _problem(api.client.get("/v1/streams/41/nope"), 404, "rendition-not-found")
    started = api.client.post("/v1/playback-sessions", json={"asset_id": 43}, headers=fan.headers).json()
    assert started["streams"] == {} and "received" in started["not_streamable"]


FAN_WALLET = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"


def _edition(db, edition_id: int, holder: str) -> None:
    db.add(Edition(chain_id=31337, block_number=5, log_index=edition_id, tx_hash="0x" + "33" * 32,
                   edition_id=edition_id, asset_id=41, creator=CONTROLLER, payment_token=CONTROLLER, price=0,
                   max_supply=10, sale_start=0, sale_end=0, per_wallet_cap=0, royalty_bps=0,
                   royalty_receiver=CONTROLLER, platform_fee_bps=0))
    db.add(EditionTransfer(chain_id=31337, block_number=6, log_index=edition_id, position=0, edition_id=edition_id,
                           sender="0x" + "00" * 20, recipient=holder, amount=1))


def test_an_exclusive_recording_streams_only_to_holders_of_its_edition(playable):
    api, fan, _session, _ready = playable
    outsider = make_user(api.sessions, api.settings, "fan")
    with api.sessions.begin() as db:
        artist_id = db.scalar(select(User.id).where(literal("artist") == any_(User.roles)))
        db.add(Wallet(user_id=artist_id, address=CONTROLLER, kind="linked"))
        db.add(Wallet(user_id=fan.id, address=FAN_WALLET, kind="linked"))
        _edition(db, 7, FAN_WALLET)
    _problem(api.client.put("/v1/recordings/41/gate", json={"edition_id": 7}, headers=outsider.headers), 403,
             "forbidden")
    _problem(api.client.put("/v1/recordings/41/gate", json={"edition_id": 99}, headers=api.headers), 404,
             "not-found")
    gated = api.client.put("/v1/recordings/41/gate", json={"edition_id": 7}, headers=api.headers)
    assert gated.status_code == 200 and gated.json() == {"asset_id": 41, "edition_id": 7}
    assert api.client.get("/v1/recordings/41/gate").json()["edition_id"] == 7

    holder = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=fan.headers).json()
    assert holder["grant"]["wallet"] == FAN_WALLET and holder["grant"]["edition_id"] == 7
    assert "opus_160" in holder["streams"]
    assert api.client.get(_path(holder["streams"]["opus_160"]), headers={"Range": "bytes=0-99"}).status_code == 206
    # No token (the mirror shows none, and neither does the chain's balanceOf): the preview only.
    other = make_user(api.sessions, api.settings, "fan")
    with api.sessions.begin() as db:
        db.add(Wallet(user_id=other.id, address="0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", kind="linked"))
    refused = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=other.headers).json()
    assert set(refused["streams"]) == {"preview", "waveform"} and refused["grant"] is None
    assert "edition 7" in refused["not_streamable"]
    assert api.client.delete("/v1/recordings/41/gate", headers=api.headers).status_code == 204
    opened = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=other.headers).json()
    assert "opus_160" in opened["streams"] and opened["grant"] is None


def test_with_s3_storage_uploads_are_stored_there_and_streams_redirect_to_presigned_urls(content_api, tmp_path,
                                                                                          s3_store):
    content_api.configure(storage_backend=StorageBackend.s3, s3_bucket=s3_store.bucket,
                          s3_endpoint_url=s3_store.client.meta.endpoint_url, s3_access_key_id=SecretStr("test"),
                          s3_secret_access_key=SecretStr("test"))
    created = content_api.upload(_song(tmp_path, "flac", seconds=4.0)).json()
    assert content_api.work() == "ready"
    local = content_api.settings.objects_path
    assert not local.exists() or not list(local.rglob("*.*")), list(local.rglob("*.*"))
    keys = set(s3_store.keys("audio/")) | set(s3_store.keys("masters/"))
    assert any(k.startswith("masters/") for k in keys) and any(k.endswith(".opus") for k in keys)
    with content_api.sessions.begin() as db:
        add_recording(db, 51, "USHRM2600051", content_hash=created["sha256"])
    fan = make_user(content_api.sessions, content_api.settings, "fan")
    session = content_api.client.post("/v1/playback-sessions", json={"asset_id": 51}, headers=fan.headers).json()
    redirect = content_api.client.get(_path(session["streams"]["mp3_320"]), follow_redirects=False)
    assert redirect.status_code == 307 and "X-Amz-Signature=" in redirect.headers["location"]
    request = urllib.request.Request(redirect.headers["location"], headers={"Range": "bytes=0-99"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 206 and len(answer.read()) == 100
        assert answer.headers["Content-Type"] == "audio/mpeg"
    master = content_api.client.get(_path(session["streams"]["hls"]))
    assert master.status_code == 200 and "sig=" in master.text  # playlists are served (signed), segments redirect


def test_with_streaming_requiring_a_subscription_only_subscribers_get_full_tracks(playable):
    from datetime import UTC, datetime, timedelta

    from payments.models import Subscription

    api, fan, _session, _ready = playable
    api.configure(streaming_requires_subscription=True)
    refused = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=fan.headers).json()
    assert set(refused["streams"]) == {"preview", "waveform"}
    assert "subscription" in refused["not_streamable"]
    now = datetime.now(UTC)
    with api.sessions.begin() as db:
        db.add(Subscription(stripe_subscription_id="sub_streams", user_id=fan.id, customer_id="cus_streams",
                            status="past_due", interval="month", currency="USD", amount=999, item_id="si_1",
                            product_id="prod_1", current_period_start=now, current_period_end=now + timedelta(30)))
    subscribed = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=fan.headers).json()
    assert "opus_160" in subscribed["streams"] and subscribed["not_streamable"] is None
    with api.sessions.begin() as db:
        db.query(Subscription).filter_by(user_id=fan.id).update({"status": "unpaid"})
    lapsed = api.client.post("/v1/playback-sessions", json={"asset_id": 41}, headers=fan.headers).json()
    assert set(lapsed["streams"]) == {"preview", "waveform"}
