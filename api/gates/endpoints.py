"""Exclusive recordings: an artist reserves a recording's full streams for holders of an edition."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field

from api.deps import ContextDep, SessionDep, require_roles
from api.errors import problem_responses
from api.openapi import MAX_SAFE_INTEGER
from content import gating
from content.errors import RecordingNotYours
from harmoni.errors import NotFound, ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from identity.repository import wallets_of

router = APIRouter(prefix="/v1/recordings", tags=["streams"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
AssetId = Annotated[int, Path(ge=0, le=MAX_SAFE_INTEGER, description="The recording's asset id")]
_AUTH = (Unauthenticated, InvalidToken, Forbidden)


class GateIn(BaseModel):
    edition_id: int = Field(ge=0, le=MAX_SAFE_INTEGER,
                            description="The HarmoniEditions edition whose holders may listen")

    model_config = {"json_schema_extra": {"examples": [{"edition_id": 3}]}}


class GateOut(BaseModel):
    asset_id: int
    edition_id: int | None = Field(description="null: the recording is not exclusive")

    model_config = {"json_schema_extra": {"examples": [{"asset_id": 7, "edition_id": 3}]}}


@router.get("/{asset_id}/gate", summary="Whether a recording is exclusive to an edition's holders (public)")
def get_gate(asset_id: AssetId, session: SessionDep, context: ContextDep) -> GateOut:
    gate = gating.gate_of(session, context.settings.chain_id, asset_id)
    return GateOut(asset_id=asset_id, edition_id=gate.edition_id if gate else None)


@router.put("/{asset_id}/gate", summary="Make a recording's full streams exclusive to an edition's holders "
                                        "(the recording's controller)",
            responses=problem_responses(*_AUTH, RecordingNotYours, NotFound, ValidationFailed))
def set_gate(asset_id: AssetId, body: GateIn, session: SessionDep, context: ContextDep, user: ArtistUser) -> GateOut:
    wallets = [w.address for w in wallets_of(session, user.id)]
    gate = gating.set_gate(session, context.settings.chain_id, asset_id, body.edition_id, user.id, wallets)
    return GateOut(asset_id=asset_id, edition_id=gate.edition_id)


@router.delete("/{asset_id}/gate", status_code=status.HTTP_204_NO_CONTENT,
               summary="Open a recording to every listener again (the recording's controller)",
               responses=problem_responses(*_AUTH, RecordingNotYours))
def clear_gate(asset_id: AssetId, session: SessionDep, context: ContextDep, user: ArtistUser) -> Response:
    gating.clear_gate(session, context.settings.chain_id, asset_id, [w.address for w in wallets_of(session, user.id)])
    return Response(status_code=204)
