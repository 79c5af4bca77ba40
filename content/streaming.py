"""Streams out: which upload plays a recording, signed stream URLs, and HLS playlists that carry the signature.

A stream URL is `/v1/streams/{recording}/{rendition}?l=<listener>&exp=<unix>&kid=<key id>&sig=<hmac>`: the HMAC
(SHA-256, under the key `kid` names) covers the recording, the rendition, the listener and the expiry, so an URL
works for the listener it was made for until it expires, and for nothing else. Key rotation: sign with the first
of `HARMONI_STREAM_SIGNING_KEYS`, accept every listed key. HLS: the one signature covers the whole rendition; the
playlists served carry it on every line they name, so a player follows them without knowing about it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import NotStreamable, RenditionNotFound, StreamUrlInvalid
from content.models import Upload, UploadObject, UploadState
from harmoni.settings import Settings
from ledger.models import Asset

PUBLIC_RENDITIONS = frozenset({"preview", "waveform"})  # no signature needed: anyone may hear a preview
STREAM_RENDITIONS = ("opus_160", "opus_96", "aac_256", "mp3_320", "flac", "hls", "preview", "waveform")
_DERIVED_CONTEXT = b"harmoni/stream-url/v1"


def signing_keys(settings: Settings) -> dict[str, bytes]:
    """Key id -> key, the signing key first."""
    configured = settings.stream_signing_keys.get_secret_value().strip()
    if not configured:
        return {"k0": hmac.new(settings.secret_key.get_secret_value().encode(), _DERIVED_CONTEXT,
                               hashlib.sha256).digest()}
    keys = {}
    for item in configured.split(","):
        kid, _, secret = item.strip().partition(":")
        if kid and secret:
            keys[kid] = secret.encode()
    return keys


def _mac(key: bytes, recording: int, rendition: str, listener: str, expires: int) -> str:
    message = f"{recording}\n{rendition}\n{listener}\n{expires}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


def sign(settings: Settings, recording: int, rendition: str, listener: uuid.UUID, now: float | None = None) -> str:
    """The query string of a stream URL for `listener`, valid `stream_url_ttl_s`."""
    kid, key = next(iter(signing_keys(settings).items()))
    expires = int((now or time.time()) + settings.stream_url_ttl_s)
    return urlencode({"l": str(listener), "exp": expires, "kid": kid,
                      "sig": _mac(key, recording, rendition, str(listener), expires)})


def verify(settings: Settings, recording: int, rendition: str, *, listener: str | None, expires: int | None,
           kid: str | None, sig: str | None, caller: uuid.UUID | None, now: float | None = None,
           renew_at: str = "POST /v1/playback-sessions") -> uuid.UUID:
    """The listener a valid signature names; StreamUrlInvalid when it is missing, expired, forged or not theirs
    (the message says where a new URL comes from: `renew_at`)."""
    if not (listener and expires and kid and sig):
        raise StreamUrlInvalid(f"this needs a signed URL: get one from {renew_at}")
    key = signing_keys(settings).get(kid)
    if key is None or not hmac.compare_digest(_mac(key, recording, rendition, listener, expires), sig):
        raise StreamUrlInvalid(f"the URL's signature does not match: get a new one from {renew_at}")
    if expires < (now or time.time()):
        raise StreamUrlInvalid(f"the URL has expired: get a new one from {renew_at}")
    if caller is not None and str(caller) != listener:
        raise StreamUrlInvalid("this URL was made for another listener")
    return uuid.UUID(listener)


def playing_upload(db: Session, chain_id: int, recording: int) -> Upload:
    """The ready upload whose master is the recording's registered content; NotStreamable with the reason."""
    asset = db.get(Asset, (chain_id, recording))
    if asset is None or asset.kind != "recording":
        raise NotStreamable(f"no recording {recording} is registered", reason="not-registered")
    if asset.frozen:
        raise NotStreamable(f"recording {recording} is frozen by an arbiter: it cannot be streamed now",
                            reason="frozen")
    sha256 = (asset.content_hash or "").removeprefix("0x").lower()
    uploads = list(db.scalars(select(Upload).where(Upload.sha256 == sha256, Upload.kind == "audio")
                              .order_by(Upload.created_at)))
    ready = next((u for u in uploads if u.state == UploadState.ready), None)
    if ready is None:
        state = uploads[0].state if uploads else None
        raise NotStreamable(f"recording {recording} has no playable audio yet"
                            + (f" (its upload is {state})" if state else ": no upload matches its content hash"),
                            reason=f"upload-{state}" if state else "no-upload")
    return ready


@dataclass(frozen=True)
class StreamFile:
    key: str
    mime: str
    cid: str
    size: int


@dataclass(frozen=True)
class Playable:
    """What streaming a recording needs, read once: the ready upload's renditions and every stored file."""

    upload: Upload
    files: dict[str, StreamFile]

    def rendition_file(self, rendition: str, sub_path: str | None = None) -> StreamFile:
        described = (self.upload.renditions or {}).get(rendition)
        if described is None:
            raise RenditionNotFound(f"the recording has no rendition {rendition!r}: it has "
                                    f"{', '.join(sorted(self.upload.renditions or {}))}", field="rendition")
        path = f"hls/{sub_path}" if sub_path else described["main"]
        if path not in self.files:
            raise RenditionNotFound(f"the recording has no {path}")
        return self.files[path]


def playable(db: Session, chain_id: int, recording: int) -> Playable:
    upload = playing_upload(db, chain_id, recording)
    rows = db.scalars(select(UploadObject).where(UploadObject.upload_id == upload.id))
    db.expunge(upload)
    return Playable(upload, {r.path: StreamFile(r.key, r.mime, r.cid, r.size) for r in rows})


class PlayableCache:
    """Recording -> Playable (or the reason it is not streamable) for `ttl_s`: a stream request, a range of a
    file being played, costs no query. A freeze or a new upload shows within `ttl_s`."""

    def __init__(self, ttl_s: float = 1.0, max_entries: int = 10_000) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._entries: dict[tuple[int, int], tuple[float, Playable | NotStreamable]] = {}
        self._loading: dict[tuple[int, int], asyncio.Future[Playable]] = {}

    async def fetch(self, key: tuple[int, int], load: Callable[[], Awaitable[Playable]]) -> Playable:
        """The cached value; when it has expired, still that value while one `load()` refreshes it (a range request
        never waits for the query, and hundreds of concurrent ones make one); with nothing cached, that one load,
        shared by every request that misses meanwhile."""
        found = self._entries.get(key)
        pending = self._loading.get(key)
        if (found is None or found[0] < time.monotonic()) and pending is None:
            pending = asyncio.ensure_future(self._load(key, load))
            self._loading[key] = pending
            pending.add_done_callback(self._settled(key))
        if found is not None:
            if isinstance(found[1], NotStreamable):
                raise found[1]
            return found[1]
        assert pending is not None
        return await asyncio.shield(pending)

    def _settled(self, key: tuple[int, int]) -> Callable[[asyncio.Future], None]:
        def settled(done: asyncio.Future) -> None:
            self._loading.pop(key, None)
            if not done.cancelled():
                done.exception()  # retrieved: a failed background refresh is not an "unretrieved" error
        return settled

    async def _load(self, key: tuple[int, int], load: Callable[[], Awaitable[Playable]]) -> Playable:
        try:
            value = await load()
        except NotStreamable as err:
            self.put(key, err)
            raise
        self.put(key, value)
        return value

    def get(self, key: tuple[int, int]) -> Playable | None:
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        if isinstance(found[1], NotStreamable):
            raise found[1]
        return found[1]

    def put(self, key: tuple[int, int], value: Playable | NotStreamable) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_s, value)


def signed_playlist(text: str, query: str) -> str:
    """An m3u8 with the signature appended to every URI line (and to `URI="..."` attributes)."""
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            line = f"{line}?{query}"
        elif 'URI="' in line:
            head, _, rest = line.partition('URI="')
            uri, _, tail = rest.partition('"')
            line = f'{head}URI="{uri}?{query}"{tail}'
        out.append(line)
    return "\n".join(out) + "\n"


def urls(settings: Settings, upload: Upload, recording: int, listener: uuid.UUID, base: str,
         public_only: bool = False) -> dict[str, str]:
    """Every rendition's stream URL for the listener (previews and waveform unsigned)."""
    found = {}
    for name in STREAM_RENDITIONS:
        if name not in (upload.renditions or {}) or (public_only and name not in PUBLIC_RENDITIONS):
            continue
        path = "hls/master.m3u8" if name == "hls" else name
        url = f"{base}/v1/streams/{recording}/{path}"
        found[name] = url if name in PUBLIC_RENDITIONS else f"{url}?{sign(settings, recording, name, listener)}"
    return found
