"""Works and recordings: registered through the platform relayer with the artist's custodial wallet."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, status

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.rights.schemas import OperationOut, RecordingIn, WorkIn
from chain.client import ChainClient
from chain.deployments import load as load_deployment
from chain.wallets import relayer_account
from content.storage import object_store
from harmoni.errors import ServiceUnavailable
from harmoni.jobs import enqueue_after_commit
from identity.custody import signer_for
from identity.models import Role, User
from ledger import registration, rights
from ledger.identifiers import normalize_isrc, normalize_iswc
from ledger.tasks import relay_rights_operation

router = APIRouter(prefix="/v1", tags=["rights"])
ArtistUser = Annotated[User, require_roles(Role.artist, Role.admin)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=120)]


def _registry(context, client: ChainClient):
    deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
    if deployment is None:
        raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
    return client.contract(deployment, "RightsRegistry")


def _submit(session, context, user: User, kind: str, code: str, build, metadata: dict,
            client_key: str | None) -> OperationOut:
    registry = _registry(context, context.chain)
    metadata_uri = registration.store_metadata(object_store(context.settings),
                                               registration.metadata_document(metadata))
    controller = signer_for(session, user.id)
    request = build(registry, controller.address, metadata_uri)
    relayer = relayer_account(context.settings, context.settings.chain_id).address
    key = registration.derive_key(user.id, kind, client_key, code)
    operation, created = registration.create_operation(session, user.id, kind, key, request, registry,
                                                       request.sign(controller), relayer)
    if created:
        enqueue_after_commit(session, relay_rights_operation, str(operation.id))
    return OperationOut(id=operation.id, kind=kind, status="pending", metadata_uri=metadata_uri)


@router.post("/works", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Register a musical work with its split",
             responses={409: {"description": "The registry refuses it (e.g. ISWC already registered)"},
                        422: {"description": "Invalid ISWC, split or payee; the problem names the field"},
                        503: {"description": "The contracts are not deployed on this chain yet"}})
def register_work(body: WorkIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                  idempotency_key: IdempotencyKey = None) -> OperationOut:
    iswc = normalize_iswc(body.iswc)
    split = rights.build_split([rights.Payee(p.address, p.share_percent) for p in body.split])
    metadata = {"kind": "work", "title": body.title, "iswc": iswc,
                "contributors": [c.model_dump() for c in body.contributors], **body.metadata}
    return _submit(session, context, user, "register_work", iswc,
                   lambda registry, controller, uri: rights.register_work(
                       registry, context.settings.chain_id, controller, iswc, uri, split),
                   metadata, idempotency_key)


@router.post("/recordings", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Register a recording (master) with its split",
             responses={409: {"description": "The registry refuses it (e.g. ISRC or audio already registered)"},
                        422: {"description": "Invalid ISRC, content hash, split or payee"},
                        503: {"description": "The contracts are not deployed on this chain yet"}})
def register_recording(body: RecordingIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                       idempotency_key: IdempotencyKey = None) -> OperationOut:
    isrc = normalize_isrc(body.isrc)
    split = rights.build_split([rights.Payee(p.address, p.share_percent) for p in body.split])
    metadata = {"kind": "recording", "title": body.title, "isrc": isrc, "content_hash": body.content_hash.lower(),
                "work_ids": sorted(set(body.work_ids)),
                "contributors": [c.model_dump() for c in body.contributors], **body.metadata}
    return _submit(session, context, user, "register_recording", isrc,
                   lambda registry, controller, uri: rights.register_recording(
                       registry, context.settings.chain_id, controller, isrc, bytes.fromhex(body.content_hash[2:]),
                       body.work_ids, uri, split),
                   metadata, idempotency_key)


@router.get("/operations/{operation_id}", response_model=OperationOut, summary="Follow a registry operation",
            responses={404: {"description": "No such operation of yours"}})
def get_operation(session: SessionDep, context: ContextDep, user: CurrentUser,
                  operation_id: Annotated[uuid.UUID, Path()]) -> OperationOut:
    view = registration.operation_status(session, operation_id, user.id, Role.admin.value in user.roles,
                                         context.settings.chain_id)
    return OperationOut(id=view.operation.id, kind=view.operation.kind, status=view.status, tx_hash=view.tx_hash,
                        block_number=view.block_number, error=view.error, error_args=view.error_args,
                        asset_id=view.asset_id, metadata_uri=view.operation.request["message"].get("metadataURI"))
