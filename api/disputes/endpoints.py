"""Disputes over an asset: a party to it files one; an admin, acting as arbiter through the platform relayer,
freezes the asset on chain while deciding and unfreezes it with the decision."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from api.deps import ContextDep, SessionDep, require_roles
from api.disputes.schemas import DisputeIn, DisputeList, DisputeOut, DisputeResolveIn
from api.errors import problem_responses
from api.openapi import MAX_SAFE_INTEGER, documents
from api.partners.deps import ApiKeyHeaderDep, BearerDep, admit, presented_key
from api.rights.schemas import OperationOut
from chain.deployments import load as load_deployment
from chain.wallets import relayer_account
from harmoni.errors import ServiceUnavailable, ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity import service as identity
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from ledger import disputes, registration
from ledger.assets import AssetNotFound
from ledger.tasks import relay_rights_operation
from partners.errors import InvalidApiKey, RateLimited, ScopeMissing
from partners.models import ApiScope

router = APIRouter(prefix="/v1", tags=["disputes"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
AdminUser = Annotated[User, require_roles(Role.admin)]
AssetId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER,
                                description="The asset's id in the RightsRegistry (as `GET /v1/assets` lists it)")]
DisputeId = Annotated[uuid.UUID, Path(description="The `id` the dispute was filed with")]


@documents(InvalidToken, InvalidApiKey, ScopeMissing, RateLimited, credentials="optional")
def get_viewer(session: SessionDep, context: ContextDep, response: Response, x_api_key: ApiKeyHeaderDep,
               bearer: BearerDep) -> User | None:
    """Who reads: a signed-in user (who may see more), or nobody in particular (anonymous, a partner key)."""
    key = presented_key(x_api_key, bearer)
    if key is not None:
        admit(context, response, key, (ApiScope.assets_read,))
        return None
    if bearer is None:
        return None
    return identity.user_for_access_token(session, context.settings, bearer.credentials)


Viewer = Annotated[User | None, Depends(get_viewer)]
_READ_PROBLEMS = problem_responses(InvalidToken, InvalidApiKey, ScopeMissing, RateLimited)


def _chain_access(context) -> disputes.ChainAccess:
    def access():
        deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
        if deployment is None:
            raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
        relayer = relayer_account(context.settings, context.settings.chain_id).address
        return context.chain.contract(deployment, "RightsRegistry"), relayer

    return access


def _out(dispute: disputes.Dispute, viewer: User | None) -> DisputeOut:
    out = DisputeOut(id=dispute.id, asset_id=dispute.asset_id, status=dispute.status,
                     reason_hash=dispute.reason_hash, opened_at=dispute.created_at, resolved_at=dispute.resolved_at)
    if disputes.may_read_reason(dispute, viewer.id if viewer else None, viewer.roles if viewer else []):
        out = out.model_copy(update={
            "reason": dispute.reason, "evidence_uri": dispute.evidence_uri,
            "resolution_note": dispute.resolution_note, "freeze_operation_id": dispute.freeze_operation_id,
            "unfreeze_operation_id": dispute.unfreeze_operation_id})
    return out


@router.post("/assets/{asset_id}/disputes", status_code=status.HTTP_201_CREATED, response_model=DisputeOut,
             summary="Dispute an asset you control or are a payee of",
             responses=problem_responses(Unauthenticated, Forbidden, disputes.NotAssetParty, AssetNotFound,
                                         disputes.DisputeAlreadyOpen, ValidationFailed))
def open_dispute(body: DisputeIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                 asset_id: AssetId) -> DisputeOut:
    wallets = {wallet.address for wallet in identity.wallets(session, user)}
    dispute = disputes.open_dispute(session, context.settings.chain_id, user.id, wallets, asset_id, body.reason,
                                    body.evidence_uri)
    return _out(dispute, user)


@router.get("/assets/{asset_id}/disputes", response_model=DisputeList,
            summary="Disputes over an asset (reasons only for admins, auditors and each opener)",
            responses={**_READ_PROBLEMS, **problem_responses(AssetNotFound)})
def list_disputes(session: SessionDep, context: ContextDep, viewer: Viewer, asset_id: AssetId) -> DisputeList:
    found = disputes.disputes_of_asset(session, context.settings.chain_id, asset_id)
    return DisputeList(data=[_out(dispute, viewer) for dispute in found])


@router.get("/disputes/{dispute_id}", response_model=DisputeOut,
            summary="One dispute (its reason only for admins, auditors and its opener)",
            responses={**_READ_PROBLEMS, **problem_responses(disputes.DisputeNotFound)})
def get_dispute(session: SessionDep, viewer: Viewer, dispute_id: DisputeId) -> DisputeOut:
    return _out(disputes.get_dispute(session, dispute_id), viewer)


_ARBITER_PROBLEMS = problem_responses(Unauthenticated, Forbidden, disputes.DisputeNotFound, disputes.DisputeClosed,
                                      ServiceUnavailable)


@router.post("/disputes/{dispute_id}/freeze", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Freeze the disputed asset on chain (admins, as arbiter)",
             responses={**_ARBITER_PROBLEMS,
                        409: {"description": "The dispute was decided, or the registry refuses (e.g. "
                                             "`AssetIsFrozen`: decoded custom error)"}})
def freeze(session: SessionDep, context: ContextDep, admin: AdminUser, dispute_id: DisputeId) -> OperationOut:
    dispute, operation, created = disputes.freeze(session, dispute_id, admin.id, _chain_access(context))
    if created:
        enqueue_after_commit(session, relay_rights_operation, str(operation.id))
    view = registration.operation_status(session, operation.id, admin.id, True, context.settings.chain_id)
    return OperationOut(id=operation.id, kind=operation.kind, status=view.status, tx_hash=view.tx_hash,
                        block_number=view.block_number, error=view.error, error_args=view.error_args,
                        asset_id=dispute.asset_id)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeOut,
             summary="Decide a dispute (admins, as arbiter); an asset it froze is unfrozen on chain",
             responses={**_ARBITER_PROBLEMS,
                        409: {"description": "The dispute was decided, its freeze is not on chain yet, or the "
                                             "registry refuses the unfreeze (decoded custom error)"},
                        422: {"description": "Unknown outcome or empty note"}})
def resolve(body: DisputeResolveIn, session: SessionDep, context: ContextDep, admin: AdminUser,
            dispute_id: DisputeId) -> DisputeOut:
    dispute, operation, created = disputes.resolve(session, dispute_id, admin.id,
                                                   disputes.DisputeStatus(body.outcome), body.note,
                                                   _chain_access(context))
    if created:
        enqueue_after_commit(session, relay_rights_operation, str(operation.id))
    return _out(dispute, admin)
