"""Privacy: a user's data export (a job, then a signed download link) and erasure of the account."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.deps import ContextDep, CurrentUser, SessionDep
from api.errors import problem_responses
from harmoni.errors import ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity.errors import InvalidToken, Unauthenticated
from notifications import privacy, tasks
from notifications.models import DataExport

router = APIRouter(tags=["privacy"])
_AUTH = (Unauthenticated, InvalidToken)
ExportId = Annotated[uuid.UUID, Path(description="the `id` POST /v1/me/export answered with")]


class ExportOut(BaseModel):
    id: uuid.UUID
    status: str = Field(examples=["pending", "ready", "failed"])
    created_at: datetime | None
    ready_at: datetime | None
    expires_at: datetime | None = Field(description="when the download link stops working")
    size_bytes: int | None
    download_url: str | None = Field(description="a signed link to the zip (JSON + CSV per table), once ready")

    model_config = {"json_schema_extra": {"examples": [{
        "id": "8a4e1c7d-3b92-4f06-a5d8-1e7c9b2f4a60", "status": "ready", "created_at": "2026-03-14T09:12:00Z",
        "ready_at": "2026-03-14T09:13:41Z", "expires_at": "2026-03-21T09:13:41Z", "size_bytes": 482133,
        "download_url": "https://harmoni.example/v1/exports/8a4e1c7d-3b92-4f06-a5d8-1e7c9b2f4a60/download"
                        "?token=eyJleHAiOjE3NzQwODQ0MjF9.kQ3vN8xR2mTb7LpW"}]}}


class ErasureOut(BaseModel):
    erased: bool
    tables: dict[str, str] = Field(description="what happened in each table that referenced the account: delete, "
                                               "null (the reference removed) or keep (legal hold, scrubbed)")

    model_config = {"json_schema_extra": {"examples": [{
        "erased": True, "tables": {"wallets": "delete", "notifications": "delete", "posts": "null",
                                   "invoices": "keep"}}]}}


def _out(context, export: DataExport) -> ExportOut:
    return ExportOut(id=export.id, status=export.status, created_at=export.created_at, ready_at=export.ready_at,
                     expires_at=export.expires_at, size_bytes=export.size_bytes,
                     download_url=privacy.download_url(context.settings, export))


@router.post("/v1/me/export", status_code=202,
             summary="Ask for a zip of everything the platform holds about your account (any signed-in user)",
             responses=problem_responses(*_AUTH))
def request_export(session: SessionDep, context: ContextDep, user: CurrentUser) -> ExportOut:
    export = privacy.request_export(session, user.id)
    enqueue_after_commit(session, tasks.build_export, str(export.id))
    return _out(context, export)


@router.get("/v1/me/exports/{export_id}", summary="An export of yours: its state and, once ready, its link",
            responses=problem_responses(*_AUTH, privacy.ExportNotFound, ValidationFailed))
def get_export(export_id: ExportId, session: SessionDep, context: ContextDep, user: CurrentUser) -> ExportOut:
    return _out(context, privacy.get_export(session, user.id, export_id))


@router.get("/v1/exports/{export_id}/download", response_class=FileResponse,
            summary="Download an export's zip (the signed, expiring link is the credential)",
            responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"},
                                                             "example": "PK\u0003\u0004 (a zip: one JSON and one CSV "
                                                                        "file per table)"}},
                             "description": "the zip"},
                       **problem_responses(privacy.InvalidDownloadLink, ValidationFailed)})
def download_export(export_id: ExportId, session: SessionDep, context: ContextDep,
                    token: Annotated[str, Query(min_length=1, max_length=2000)]) -> FileResponse:
    path = privacy.file_for_download(session, context.settings, export_id, token)
    return FileResponse(path, media_type="application/zip", filename=f"harmoni-export-{export_id}.zip")


class ErasureIn(BaseModel):
    confirm: uuid.UUID = Field(description="your account's id (`GET /v1/me`): erasure cannot be undone")

    model_config = {"json_schema_extra": {"examples": [{"confirm": "9b1d6e2a-4c7f-4a18-8e3b-5f0c2a9d7e64"}]}}


@router.delete("/v1/me", summary="Erase your account (refused with reasons while a dispute or money is open)",
               responses=problem_responses(*_AUTH, privacy.ErasureRefused, privacy.AlreadyErased, ValidationFailed))
def erase_me(body: ErasureIn, session: SessionDep, context: ContextDep, user: CurrentUser) -> ErasureOut:
    if body.confirm != user.id:
        raise ValidationFailed("confirm must be your account's id (GET /v1/me): erasure cannot be undone",
                               field="confirm")
    return ErasureOut(erased=True, tables=privacy.erase(session, context.settings, user.id))
