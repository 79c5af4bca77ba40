"""Streams: every rendition served with RFC 9110 ranges (seekable on its first play), behind signed URLs."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AppContext, get_context
from api.errors import problem_responses
from content import streaming
from content.errors import NotStreamable, RenditionNotFound, StreamUrlInvalid
from content.storage import object_store
from harmoni.errors import ValidationFailed
from identity import service as identity
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
_RESPONSES = {**_RANGE_HEADERS, **problem_responses(StreamUrlInvalid, NotStreamable, RenditionNotFound, InvalidToken,
                                                   ValidationFailed)}


def _parameter(name: str, where: str, kind: str, description: str) -> dict:
    return {"name": name, "in": where, "required": where == "path", "description": description,
            "schema": {"type": kind}}


# The handler reads its parameters itself (no validation layer per request: a player sends many range requests
# per track); the schema still documents them.
_PARAMETERS = {"parameters": [
    _parameter("recording", "path", "integer", "The recording's asset id"),
    _parameter("rendition", "path", "string", "A rendition name, or a path under `hls/`"),
    _parameter("l", "query", "string", "Listener the URL was signed for"),
    _parameter("exp", "query", "integer", "Expiry (Unix seconds)"),
    _parameter("kid", "query", "string", "Signing key id"),
    _parameter("sig", "query", "string", "Signature")]}


@dataclass(frozen=True)
class StreamRequest:
    recording: int
    rendition: str
    l: str | None  # noqa: E741
    exp: int | None
    kid: str | None
    sig: str | None

    @classmethod
    def of(cls, request: Request) -> StreamRequest:
        query = request.query_params
        recording = request.path_params["recording"]
        expires = query.get("exp")
        if not recording.isdigit() or len(recording) > 18:
            raise ValidationFailed("recording must be an asset id (a non-negative integer)", field="recording")
        if expires is not None and not (expires.isdigit() and len(expires) <= 12):
            raise StreamUrlInvalid("the stream URL's expiry is not a time: get a new one from "
                                   "POST /v1/playback-sessions")
        return cls(int(recording), request.path_params["rendition"], query.get("l"),
                   int(expires) if expires is not None else None, query.get("kid"), query.get("sig"))


async def _caller(request: Request, context: AppContext) -> uuid.UUID | None:
    """The signed-in listener when a bearer token comes along (a stream URL alone needs none)."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise InvalidToken("the Authorization header must be `Bearer <access token>`")

    def read() -> uuid.UUID:
        with context.sessions() as session:
            return identity.user_for_access_token(session, context.settings, token).id

    return await run_in_threadpool(read)


async def _playable(context: AppContext, recording: int) -> streaming.Playable:
    def read() -> streaming.Playable:
        with context.sessions() as session:
            return streaming.playable(session, context.settings.chain_id, recording)

    return await context.playables.fetch((context.settings.chain_id, recording), lambda: run_in_threadpool(read))


@router.get("/{recording}/{rendition:path}", response_class=Response, summary=f"Stream a {_SUMMARY}",
            responses=_RESPONSES, openapi_extra=_PARAMETERS)
async def stream(request: Request) -> Response:
    # async, no session: a range request of a track being played costs no thread-pool trip and no query
    asked = StreamRequest.of(request)
    context = get_context(request)
    settings = context.settings
    name, sub_path = _split(asked.rendition)
    caller = await _caller(request, context)  # a token sent along must be valid, even for a preview
    if name not in streaming.PUBLIC_RENDITIONS:
        streaming.verify(settings, asked.recording, name, listener=asked.l, expires=asked.exp, kid=asked.kid,
                         sig=asked.sig, caller=caller)
    found = (await _playable(context, asked.recording)).rendition_file(name, sub_path)
    store = object_store(settings)
    cache = "public, max-age=86400" if name in streaming.PUBLIC_RENDITIONS else "private, max-age=900"
    if found.mime == HLS_PLAYLIST:
        text = streaming.signed_playlist((await run_in_threadpool(store.get, found.key)).decode(), _query(request))
        return Response(text, media_type=HLS_PLAYLIST, headers={"Cache-Control": "private, no-cache"})
    local = store.local_path(found.key)
    if local is None:
        return RedirectResponse(store.presigned_get(found.key, settings.stream_url_ttl_s, found.mime),
                                status_code=307, headers={"Cache-Control": "private, no-store"})
    # the stat given: no thread-pool trip for it (FilesystemStore.local_path has just checked the file)
    return FileResponse(local, media_type=found.mime, stat_result=os.stat(local),
                        headers={"ETag": f'"{found.cid}"', "Cache-Control": cache, "Accept-Ranges": "bytes"})


@router.head("/{recording}/{rendition:path}", response_class=Response, responses=_RESPONSES,
             summary=f"Headers of a {_SUMMARY}", openapi_extra=_PARAMETERS)
async def stream_head(request: Request) -> Response:
    return await stream(request)
