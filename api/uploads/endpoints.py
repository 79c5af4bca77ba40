"""Uploads: one request with the file as its body, or resumable through tus 1.0 (creation, termination, expiration)."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import ContextDep, SessionDep, require_roles
from api.errors import problem_responses
from api.uploads.schemas import RenditionOut, UploadError, UploadMatchOut, UploadOut, UploadPage
from content import tasks, uploads
from content.errors import (
    QuotaExceeded,
    UnsupportedFormat,
    UploadExpired,
    UploadNotFound,
    UploadNotResumable,
    UploadNotRetryable,
    UploadOffsetMismatch,
    UploadTooLarge,
)
from content.models import Upload, UploadKind, UploadState
from content.storage import object_store
from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User

router = APIRouter(prefix="/v1/uploads", tags=["uploads"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
UploadId = Annotated[uuid.UUID, Path(description="The upload's `id`")]
TUS_VERSION = "1.0.0"
_AUTH = (Unauthenticated, InvalidToken, Forbidden)
_FILE_BODY = {"requestBody": {"required": False, "description": "The file itself (any Content-Type). Empty with "
                                                                "`Tus-Resumable` + `Upload-Length`: a resumable upload",
                              "content": {"application/octet-stream": {
                                  "schema": {"type": "string", "format": "binary"},
                                  "example": "(the file's bytes: RIFF....WAVEfmt ...)"}}}}


def upload_out(upload: Upload, matches=()) -> UploadOut:
    error = UploadError(code=upload.error_code, message=upload.error_message or "") if upload.error_code else None
    renditions = {name: RenditionOut(mime=r["mime"], codec=r.get("codec"), bitrate=r.get("bitrate"),
                                     duration_ms=r.get("duration_ms"), size=r["size"])
                  for name, r in (upload.renditions or {}).items()}
    return UploadOut(
        id=upload.id, kind=upload.kind, state=upload.state, progress=upload.progress, filename=upload.filename,
        size=upload.declared_size or (upload.received_bytes if upload.sha256 else None),
        received_bytes=upload.received_bytes, sha256=f"0x{upload.sha256}" if upload.sha256 else None, cid=upload.cid,
        error=error, duplicate_of=upload.duplicate_of, attempts=upload.attempts,
        preview_start_ms=upload.preview_start_ms, audio=upload.probe, loudness=upload.loudness, tags=upload.tags,
        renditions=renditions, created_at=upload.created_at, ready_at=upload.ready_at,
        matches=[UploadMatchOut(upload_id=m.matched_upload_id, method=m.method, similarity=m.similarity,
                                same_owner=m.same_owner, status=m.status) for m in matches])


def _filename_from_metadata(metadata: str | None) -> str | None:
    """tus `Upload-Metadata: filename <base64>,...`."""
    for pair in (metadata or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename" and value:
            try:
                return base64.b64decode(value, validate=True).decode()[:255] or None
            except (binascii.Error, UnicodeDecodeError) as err:
                raise ValidationFailed("Upload-Metadata: filename must be base64 of UTF-8",
                                       field="Upload-Metadata") from err
    return None


def _tus_headers(upload: Upload | None = None, settings: Settings | None = None) -> dict[str, str]:
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
    if upload is not None:
        headers["Upload-Offset"] = str(upload.received_bytes)
        if upload.declared_size is not None:
            headers["Upload-Length"] = str(upload.declared_size)
        if settings is not None and upload.state == UploadState.uploading:
            expires = uploads.expires_at(settings, upload).astimezone(UTC)
            headers["Upload-Expires"] = format_datetime(expires, usegmt=True)
    return headers


@router.options("", summary="tus discovery: the protocol version, extensions and the largest file taken",
                status_code=status.HTTP_204_NO_CONTENT)
def tus_options(context: ContextDep) -> Response:
    return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION,
                                              "Tus-Extension": "creation,termination,expiration",
                                              "Tus-Max-Size": str(context.settings.upload_max_bytes)})


@router.post("", status_code=status.HTTP_201_CREATED, openapi_extra=_FILE_BODY,
             summary="Upload an audio file or cover art (artists): the file as the body, or start a resumable "
                     "(tus) upload",
             responses={200: {"model": UploadOut, "description": "The account uploaded these exact bytes before: "
                                                                 "that upload"},
                        **problem_responses(*_AUTH, UnsupportedFormat, UploadTooLarge, QuotaExceeded,
                                            ValidationFailed)})
async def create_upload(
        request: Request, response: Response, session: SessionDep, context: ContextDep, user: ArtistUser,
        kind: Annotated[UploadKind, Query(description="`audio` (a master), `artwork` (cover art) or `bonus` (a file "
                                                      "attached to a recording as it is: audio, image, PDF or ZIP)")]
        = UploadKind.audio,
        filename: Annotated[str | None, Query(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$",
                                              description="Your name for the file (not used to tell its format)")]
        = None,
        preview_start_ms: Annotated[int, Query(ge=0, le=24 * 3600 * 1000,
                                               description="Where the 30-second preview starts")] = 0,
        tus_resumable: Annotated[str | None, Header(description="`1.0.0` for a resumable upload",
                                                     json_schema_extra={"enum": ["1.0.0"]})] = None,
        upload_length: Annotated[int | None, Header(ge=1, description="tus: the file's size in bytes")] = None,
        upload_metadata: Annotated[str | None, Header(description="tus: `filename <base64>`")] = None,
) -> UploadOut:
    settings = context.settings
    if tus_resumable is not None:
        if tus_resumable != TUS_VERSION:
            raise ValidationFailed(f"Tus-Resumable must be {TUS_VERSION}", field="Tus-Resumable")
        if upload_length is None:
            raise ValidationFailed("a resumable upload needs Upload-Length (the file's size in bytes)",
                                   field="Upload-Length")
        upload = await run_in_threadpool(
            uploads.create_resumable, session, settings, owner_id=user.id, kind=kind, length=upload_length,
            filename=filename or _filename_from_metadata(upload_metadata), preview_start_ms=preview_start_ms)
        response.headers.update(_tus_headers(upload, settings))
        response.headers["Location"] = f"/v1/uploads/{upload.id}"
        return upload_out(upload)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.upload_max_bytes:
        raise UploadTooLarge(f"the file is larger than the limit of {settings.upload_max_bytes} bytes",
                             limit=settings.upload_max_bytes)
    target = uploads.incoming_dir(settings) / f"{uuid.uuid4()}.part"
    received = await uploads.receive(request.stream(), target, settings.upload_max_bytes)
    if received.size == 0:
        target.unlink(missing_ok=True)
        raise ValidationFailed("the body is empty: send the file as the request body (or start a resumable "
                               "upload with Tus-Resumable and Upload-Length)", field="body")
    upload, created = await run_in_threadpool(
        uploads.accept_whole, session, settings, object_store(settings), owner_id=user.id, kind=kind,
        received=received, filename=filename, preview_start_ms=preview_start_ms)
    if created:
        tasks.enqueue(session, upload.id)
    else:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/v1/uploads/{upload.id}"
    return upload_out(upload)


@router.head("/{upload_id}", summary="tus: how many bytes of a resumable upload arrived (Upload-Offset)",
             status_code=status.HTTP_200_OK, response_class=Response,  # headers only: no body, no Content-Type
             responses=problem_responses(*_AUTH, UploadNotFound))
def tus_offset(upload_id: UploadId, session: SessionDep, context: ContextDep, user: ArtistUser) -> Response:
    return Response(status_code=200,
                    headers=_tus_headers(uploads.upload_of(session, user.id, upload_id), context.settings))


@router.patch("/{upload_id}", status_code=status.HTTP_204_NO_CONTENT,
              summary="tus: append bytes at Upload-Offset (Content-Type: application/offset+octet-stream)",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"},
                                                      "example": "(the next bytes of the file)"}}}},
              responses=problem_responses(*_AUTH, UploadNotFound, UploadOffsetMismatch, UploadNotResumable,
                                          UploadExpired, UploadTooLarge, ValidationFailed))
async def tus_append(upload_id: UploadId, request: Request, session: SessionDep, context: ContextDep,
                     user: ArtistUser,
                     upload_offset: Annotated[int, Header(ge=0, description="Where these bytes start")],
                     content_type: Annotated[str, Header()] = "") -> Response:
    if content_type.split(";")[0].strip().lower() != "application/offset+octet-stream":
        raise ValidationFailed("a tus PATCH carries Content-Type: application/offset+octet-stream",
                               field="Content-Type")
    settings = context.settings
    upload = await run_in_threadpool(uploads.resumable_for_append, session, settings, user.id, upload_id,
                                     upload_offset)
    path = uploads.partial_path(settings, upload.id)
    try:
        written = await uploads.append(path, request.stream(), upload.declared_size - upload.received_bytes)
    except UploadTooLarge:
        raise
    except Exception:  # the client went away mid-body: keep what arrived, the next PATCH resumes from there
        uploads.appended(upload, path.stat().st_size - upload.received_bytes)
        await run_in_threadpool(session.commit)
        raise
    uploads.appended(upload, written)
    if upload.received_bytes == upload.declared_size:
        await run_in_threadpool(uploads.complete_resumable, session, settings, object_store(settings), upload)
        if upload.state == "received":
            tasks.enqueue(session, upload.id)
    return Response(status_code=204, headers=_tus_headers(upload, settings))


@router.get("", summary="The account's uploads, newest first", response_model=UploadPage,
            responses=problem_responses(*_AUTH, ValidationFailed))
def list_uploads(session: SessionDep, user: ArtistUser,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 before: Annotated[uuid.UUID | None, Query(description="`next` of the previous page")] = None,
                 ) -> UploadPage:
    rows = uploads.list_uploads(session, user.id, limit + 1, before)
    items = [upload_out(row) for row in rows[:limit]]
    return UploadPage(items=items, next=str(rows[limit - 1].id) if len(rows) > limit else None)


@router.get("/{upload_id}", summary="One upload: its state, progress, error, what the file is, renditions",
            responses=problem_responses(*_AUTH, UploadNotFound))
def get_upload(upload_id: UploadId, session: SessionDep, user: ArtistUser) -> UploadOut:
    upload = uploads.upload_of(session, user.id, upload_id)
    return upload_out(upload, uploads.matches_of(session, upload.id))


@router.post("/{upload_id}/retry", summary="Run a failed upload's processing again",
             responses=problem_responses(*_AUTH, UploadNotFound, UploadNotRetryable))
def retry_upload(upload_id: UploadId, session: SessionDep, user: ArtistUser) -> UploadOut:
    upload = uploads.retry(session, user.id, upload_id)
    tasks.enqueue(session, upload.id)
    return upload_out(upload)


@router.delete("/{upload_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an upload and every stored file no other upload holds (tus termination too)",
               responses=problem_responses(*_AUTH, UploadNotFound))
def delete_upload(upload_id: UploadId, session: SessionDep, context: ContextDep, user: ArtistUser) -> Response:
    uploads.delete(session, context.settings, object_store(context.settings), user.id, upload_id)
    return Response(status_code=204, headers={"Tus-Resumable": TUS_VERSION})
