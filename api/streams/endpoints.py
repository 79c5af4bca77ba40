"""Streams: every rendition served with RFC 9110 ranges (seekable on its first play), behind signed URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.deps import ContextDep, OptionalUser, SessionDep
from api.errors import problem_responses
from content import streaming
from content.errors import NotStreamable, RenditionNotFound, StreamUrlInvalid
from content.storage import object_store
from identity.errors import InvalidToken

router = APIRouter(prefix="/v1/streams", tags=["streams"])
HLS_PLAYLIST = "application/vnd.apple.mpegurl"
_PLAYLIST_EXAMPLE = ("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=262144,CODECS=\"mp4a.40.2\"\n"
                     "256/playlist.m3u8?l=0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10&exp=1796083199&kid=k0&sig=QmV4YW1w\n")
_RANGE_HEADERS = {"200": {"description": "The whole file (or an HLS playlist whose every URI carries the signature)",
                          "content": {"audio/ogg": {"example": "(the Opus file's bytes)"},
                                      HLS_PLAYLIST: {"example": _PLAYLIST_EXAMPLE}}},
                  "206": {"description": "The byte range asked for (`Range`), or several as multipart/byteranges",
                          "content": {"audio/mpeg": {"example": "(bytes 0-1023 of the MP3)"}}},
                  "307": {"description": "With S3 storage: the object's presigned URL"},
                  "416": {"description": "A range outside the file"}}


def _split(rendition: str) -> tuple[str, str | None]:
    if rendition == "hls" or rendition.startswith("hls/"):
        return "hls", rendition.removeprefix("hls").lstrip("/") or "master.m3u8"
    if "/" in rendition or rendition not in streaming.STREAM_RENDITIONS:
        raise RenditionNotFound(f"no rendition {rendition!r}: one of {', '.join(streaming.STREAM_RENDITIONS)}",
                                field="rendition")
    return rendition, None


def _query(request: Request) -> str:
    return "&".join(f"{k}={request.query_params[k]}" for k in ("l", "exp", "kid", "sig") if k in request.query_params)


_SUMMARY = ("rendition (opus_160, opus_96, aac_256, mp3_320, flac, preview, waveform, hls/master.m3u8): byte "
            "ranges, ETag = CID; signed URLs from POST /v1/playback-sessions (previews need none)")
_RESPONSES = {**_RANGE_HEADERS, **problem_responses(StreamUrlInvalid, NotStreamable, RenditionNotFound, InvalidToken)}


@dataclass
class StreamRequest:
    """Which file, and the signature a stream URL carries (the playback session made it)."""

    recording: Annotated[int, Path(ge=0, le=2**63 - 1, description="The recording's asset id")]
    rendition: Annotated[str, Path(description="A rendition name, or a path under `hls/`")]
    l: Annotated[str | None, Query(description="Listener the URL was signed for")] = None  # noqa: E741
    exp: Annotated[int | None, Query(description="Expiry (Unix seconds)")] = None
    kid: Annotated[str | None, Query(description="Signing key id")] = None
    sig: Annotated[str | None, Query(description="Signature")] = None


StreamDep = Annotated[StreamRequest, Depends()]


@router.get("/{recording}/{rendition:path}", response_class=Response, summary=f"Stream a {_SUMMARY}",
            responses=_RESPONSES)
def stream(asked: StreamDep, request: Request, session: SessionDep, context: ContextDep,
           user: OptionalUser) -> Response:
    settings = context.settings
    recording = asked.recording
    name, sub_path = _split(asked.rendition)
    if name not in streaming.PUBLIC_RENDITIONS:
        streaming.verify(settings, recording, name, listener=asked.l, expires=asked.exp, kid=asked.kid,
                         sig=asked.sig, caller=user.id if user else None)
    upload = streaming.playing_upload(session, settings.chain_id, recording)
    found = streaming.rendition_file(session, upload, name, sub_path)
    store = object_store(settings)
    cache = "public, max-age=86400" if name in streaming.PUBLIC_RENDITIONS else "private, max-age=900"
    if found.mime == HLS_PLAYLIST:
        text = streaming.signed_playlist(store.get(found.key).decode(), _query(request))
        return Response(text, media_type=HLS_PLAYLIST, headers={"Cache-Control": "private, no-cache"})
    local = store.local_path(found.key)
    if local is None:
        return RedirectResponse(store.presigned_get(found.key, settings.stream_url_ttl_s, found.mime),
                                status_code=307, headers={"Cache-Control": "private, no-store"})
    return FileResponse(local, media_type=found.mime,
                        headers={"ETag": f'"{found.cid}"', "Cache-Control": cache, "Accept-Ranges": "bytes"})


@router.head("/{recording}/{rendition:path}", response_class=Response, responses=_RESPONSES,
             summary=f"Headers of a {_SUMMARY}")
def stream_head(asked: StreamDep, request: Request, session: SessionDep, context: ContextDep,
                user: OptionalUser) -> Response:
    return stream(asked, request, session, context, user)
