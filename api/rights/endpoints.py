"""Works and recordings: registered and changed through the platform relayer with the artist's custodial
wallet (the registry's EIP-712 `...BySig` functions, so the artist needs no gas)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, status
from web3 import Web3

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.rights.schemas import ControllerTransferIn, OperationOut, RecordingIn, SplitChangeIn, WorkIn
from chain.client import ChainClient
from chain.deployments import load as load_deployment
from chain.wallets import relayer_account
from content.storage import object_store
from harmoni.errors import HarmoniError, ServiceUnavailable, ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity.custody import signer_for
from identity.models import Role, User
from ledger import registration, rights
from ledger.identifiers import normalize_isrc, normalize_iswc
from ledger.tasks import relay_rights_operation

router = APIRouter(prefix="/v1", tags=["rights"])
ArtistUser = Annotated[User, require_roles(Role.artist)]  # the signer is the artist's own custodial wallet
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=120)]


def _registry(context, client: ChainClient):
    deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
    if deployment is None:
        raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
    return client.contract(deployment, "RightsRegistry")


class NotAssetController(HarmoniError):
    status = 403
    slug = "not-asset-controller"
    title = "Not the asset's controller"


def _submit(session, context, user: User, kind: str, code: str, build, metadata: dict | None,
            client_key: str | None, asset_id: int | None = None) -> OperationOut:
    registry = _registry(context, context.chain)
    metadata_uri = None if metadata is None else registration.store_metadata(
        object_store(context.settings), registration.metadata_document(metadata))
    controller = signer_for(session, user.id)
    if asset_id is not None and registry.functions.assetCount().call() >= asset_id:
        current = registry.functions.controllerOf(asset_id).call()
        if current != controller.address:
            raise NotAssetController(f"asset {asset_id} is controlled by {current}, not by your wallet",
                                     asset_id=asset_id)
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


_CHANGE_RESPONSES = {403: {"description": "The artist's wallet does not control this asset"},
                     404: {"description": "The artist has no custodial wallet"},
                     409: {"description": "The registry refuses it (not the controller, frozen, locked split)"},
                     422: {"description": "Invalid split or address; the problem names the field"},
                     503: {"description": "The contracts are not deployed on this chain yet"}}


@router.post("/assets/{asset_id}/split", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Replace an asset's split (its controller)", responses=_CHANGE_RESPONSES)
def change_split(body: SplitChangeIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                 asset_id: Annotated[int, Path(ge=1)], idempotency_key: IdempotencyKey = None) -> OperationOut:
    split = rights.build_split([rights.Payee(p.address, p.share_percent) for p in body.split])
    digest = hashlib.sha256(json.dumps([split.recipients, split.allocations]).encode()).hexdigest()[:16]
    return _submit(session, context, user, "update_split", f"{asset_id}:{digest}",
                   lambda registry, controller, _uri: rights.update_split(
                       registry, context.settings.chain_id, controller, asset_id, split),
                   None, idempotency_key, asset_id)


@router.post("/assets/{asset_id}/controller", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Start handing control of an asset to another address (it must accept on chain)",
             responses=_CHANGE_RESPONSES)
def start_controller_transfer(body: ControllerTransferIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                              asset_id: Annotated[int, Path(ge=1)],
                              idempotency_key: IdempotencyKey = None) -> OperationOut:
    if not Web3.is_address(body.new_controller) or int(body.new_controller, 16) == 0:
        raise ValidationFailed("new_controller is not a usable wallet address", field="new_controller")
    return _submit(session, context, user, "transfer_controller", f"{asset_id}:{body.new_controller.lower()}",
                   lambda registry, controller, _uri: rights.transfer_controller(
                       registry, context.settings.chain_id, controller, asset_id, body.new_controller),
                   None, idempotency_key, asset_id)
