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


class ErasureOut(BaseModel):
    erased: bool
    tables: dict[str, str] = Field(description="what happened in each table that referenced the account: delete, "
                                               "null (the reference removed) or keep (legal hold, scrubbed)")


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
            responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "the zip"},
                       **problem_responses(privacy.InvalidDownloadLink, ValidationFailed)})
def download_export(export_id: ExportId, session: SessionDep, context: ContextDep,
                    token: Annotated[str, Query(min_length=1, max_length=2000)]) -> FileResponse:
    path = privacy.file_for_download(session, context.settings, export_id, token)
    return FileResponse(path, media_type="application/zip", filename=f"harmoni-export-{export_id}.zip")


class ErasureIn(BaseModel):
    confirm: uuid.UUID = Field(description="your account's id (`GET /v1/me`): erasure cannot be undone")


@router.delete("/v1/me", summary="Erase your account (refused with reasons while a dispute or money is open)",
               responses=problem_responses(*_AUTH, privacy.ErasureRefused, privacy.AlreadyErased, ValidationFailed))
def erase_me(body: ErasureIn, session: SessionDep, context: ContextDep, user: CurrentUser) -> ErasureOut:
    if body.confirm != user.id:
        raise ValidationFailed("confirm must be your account's id (GET /v1/me): erasure cannot be undone",
                               field="confirm")
    return ErasureOut(erased=True, tables=privacy.erase(session, context.settings, user.id))
