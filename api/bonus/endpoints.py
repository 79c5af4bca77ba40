"""Bonus files: stems, booklets and lossless downloads attached to a recording, some only for an edition's holders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field

from api.deps import ContextDep, OptionalUser, SessionDep, require_roles
from api.errors import problem_responses
from api.gates.deps import edition_balance
from api.openapi import MAX_SAFE_INTEGER
from content import bonus, streaming
from content.errors import NotEditionHolder, RecordingNotYours, StreamUrlInvalid, UploadNotFound, UploadNotReady
from content.storage import object_store
from harmoni.errors import NotFound, ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from identity.repository import wallets_of

router = APIRouter(tags=["streams"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
AssetId = Annotated[int, Path(ge=0, le=MAX_SAFE_INTEGER, description="The recording's asset id")]
BonusId = Annotated[uuid.UUID, Path(description="The bonus file's id")]
_AUTH = (Unauthenticated, InvalidToken, Forbidden)
_RENEW = "GET /v1/recordings/{asset_id}/bonus-files"


class BonusFileIn(BaseModel):
    upload_id: uuid.UUID = Field(description="A ready upload of yours of kind `bonus`")
    title: str = Field(min_length=1, max_length=200, description="What listeners see, e.g. `Stems (WAV)`")
    edition_id: int | None = Field(None, ge=0, le=MAX_SAFE_INTEGER,
                                   description="Only holders of this edition may download it; null: whoever may "
                                               "hear the recording in full")

    model_config = {"json_schema_extra": {"examples": [{"upload_id": "3f2b0c4e-8a51-4a8e-9d59-0f3a0e6c1d22",
                                                        "title": "Stems (WAV)", "edition_id": 3}]}}


class BonusFileOut(BaseModel):
    id: uuid.UUID
    asset_id: int
    title: str
    filename: str | None
    size: int
    mime: str
    cid: str | None
    edition_id: int | None = Field(description="The bonus file's own edition, if it names one")
    exclusive_to: int | None = Field(description="The edition whose holders may download it; null: every listener")
    created_at: datetime
    download_url: str | None = Field(None, description="A signed link for you, valid `download_expires_at`")
    download_expires_at: datetime | None = None
    locked: str | None = Field(None, description="Why you cannot download it (sign in, or hold the edition)")

    model_config = {"json_schema_extra": {"examples": [{
        "id": "6a1f0e2c-3b7d-4c5e-9f10-2d3e4f5a6b7c", "asset_id": 7, "title": "Stems (WAV)",
        "filename": "blue-hour-stems.zip", "size": 48213904, "mime": "application/zip",
        "cid": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "edition_id": 3, "exclusive_to": 3,
        "created_at": "2026-12-03T15:20:00Z",
        "download_url": "https://harmoni.example/v1/bonus-files/6a1f0e2c-3b7d-4c5e-9f10-2d3e4f5a6b7c/download"
                        "?l=0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10&exp=1796083199&kid=k0&sig=QmV4YW1wbGU",
        "download_expires_at": "2026-12-03T15:35:00Z", "locked": None}]}}


class BonusFilePage(BaseModel):
    items: list[BonusFileOut]

    model_config = {"json_schema_extra": {"examples": [{"items": [{
        "id": "6a1f0e2c-3b7d-4c5e-9f10-2d3e4f5a6b7c", "asset_id": 7, "title": "Stems (WAV)",
        "filename": "blue-hour-stems.zip", "size": 48213904, "mime": "application/zip",
        "cid": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "edition_id": 3, "exclusive_to": 3,
        "created_at": "2026-12-03T15:20:00Z", "download_url": None, "download_expires_at": None,
        "locked": "bonus file 'Stems (WAV)' is exclusive to holders of edition 3: none of your wallets holds one"}]}]}}


def _out(item: bonus.Listed) -> BonusFileOut:
    file, upload = item.bonus, item.upload
    return BonusFileOut(id=file.id, asset_id=file.asset_id, title=file.title, filename=upload.filename,
                        size=upload.received_bytes, mime=item.mime, cid=upload.cid, edition_id=file.edition_id,
                        exclusive_to=item.exclusive_to, created_at=file.created_at)


@router.post("/v1/recordings/{asset_id}/bonus-files", status_code=status.HTTP_201_CREATED,
             summary="Attach a bonus file (stems, a booklet, a lossless download) to a recording (its controller)",
             responses={200: {"model": BonusFileOut, "description": "That upload is attached already"},
                        **problem_responses(*_AUTH, RecordingNotYours, NotFound, UploadNotFound, UploadNotReady,
                                            ValidationFailed)})
def add_bonus_file(asset_id: AssetId, body: BonusFileIn, response: Response, session: SessionDep,
                   context: ContextDep, user: ArtistUser) -> BonusFileOut:
    wallets = [w.address for w in wallets_of(session, user.id)]
    chain_id = context.settings.chain_id
    file, created = bonus.add(session, chain_id, asset_id, upload_id=body.upload_id, title=body.title,
                              edition_id=body.edition_id, user_id=user.id, wallets=wallets)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _out(bonus.get(session, chain_id, file.id))


@router.get("/v1/recordings/{asset_id}/bonus-files",
            summary="A recording's bonus files (public); signed download links for a listener who may have them",
            responses=problem_responses(InvalidToken, NotFound, ValidationFailed))
def list_bonus_files(asset_id: AssetId, request: Request, session: SessionDep, context: ContextDep,
                     user: OptionalUser) -> BonusFilePage:
    settings = context.settings
    items = bonus.listed(session, settings.chain_id, asset_id)
    wallets = [w.address for w in wallets_of(session, user.id)] if user else []
    expires = datetime.now(UTC) + timedelta(seconds=settings.stream_url_ttl_s)
    on_chain = edition_balance(context) if user and any(i.exclusive_to is not None for i in items) else None
    base = str(request.base_url).rstrip("/")
    page = []
    for item in items:
        out = _out(item)
        if user is None:
            out.locked = "sign in to download bonus files"
        else:
            try:
                bonus.grant(session, settings.chain_id, item, wallets, expires, on_chain)
            except NotEditionHolder as err:
                out.locked = err.detail
            else:
                query = streaming.sign(settings, asset_id, bonus.rendition_name(item.bonus.id), user.id)
                out.download_url = f"{base}/v1/bonus-files/{item.bonus.id}/download?{query}"
                out.download_expires_at = expires
        page.append(out)
    return BonusFilePage(items=page)


@router.delete("/v1/bonus-files/{bonus_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Detach a bonus file from its recording (the recording's controller; the upload stays)",
               responses=problem_responses(*_AUTH, RecordingNotYours, NotFound))
def remove_bonus_file(bonus_id: BonusId, session: SessionDep, context: ContextDep, user: ArtistUser) -> Response:
    bonus.remove(session, context.settings.chain_id, bonus_id, [w.address for w in wallets_of(session, user.id)])
    return Response(status_code=204)


@router.get("/v1/bonus-files/{bonus_id}/download", response_class=Response,
            summary="Download a bonus file through its signed link (from the recording's bonus-file list)",
            responses={200: {"description": "The file, as an attachment",
                             "content": {"application/octet-stream": {"example": "(the file's bytes)"}}},
                       307: {"description": "With S3 storage: the object's presigned URL"},
                       **problem_responses(StreamUrlInvalid, NotFound, ValidationFailed)})
def download_bonus_file(
        bonus_id: BonusId, session: SessionDep, context: ContextDep,
        listener: Annotated[str, Query(alias="l", min_length=1, max_length=64, description="Signed: the listener")],
        expires: Annotated[int, Query(alias="exp", ge=0, le=2**62, description="Signed: when the link expires")],
        kid: Annotated[str, Query(min_length=1, max_length=32, description="The signing key's id")],
        sig: Annotated[str, Query(min_length=1, max_length=128, description="The signature")]) -> Response:
    settings = context.settings
    item = bonus.get(session, settings.chain_id, bonus_id)
    streaming.verify(settings, item.bonus.asset_id, bonus.rendition_name(bonus_id), listener=listener,
                     expires=expires, kid=kid, sig=sig, caller=None,
                     renew_at=_RENEW.replace("{asset_id}", str(item.bonus.asset_id)))
    store = object_store(settings)
    key = item.upload.master_key
    local = store.local_path(key)
    if local is None:
        return RedirectResponse(store.presigned_get(key, settings.stream_url_ttl_s, item.mime), status_code=307,
                                headers={"Cache-Control": "private, no-store"})
    return FileResponse(local, media_type=item.mime, filename=item.upload.filename or item.bonus.title,
                        headers={"ETag": f'"{item.upload.cid}"', "Cache-Control": "private, max-age=900"})
