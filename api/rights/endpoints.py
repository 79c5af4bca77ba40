"""Works and recordings: registered and changed through the platform relayer with the artist's custodial
wallet (the registry's EIP-712 `...BySig` functions, so the artist needs no gas)."""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from web3 import Web3

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER
from api.rights.schemas import (
    ControllerTransferIn,
    OperationOut,
    PayeeIn,
    PreparedRequest,
    RecordingIn,
    SignedRequestIn,
    SplitChangeIn,
    WorkIn,
)
from chain.client import ChainClient
from chain.deployments import load as load_deployment
from chain.wallets import relayer_account
from content import uploads
from content.storage import object_store
from discovery import vocabulary
from harmoni.errors import ServiceUnavailable, ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity import invitations
from identity.custody import Keyring, signer_for
from identity.models import Role, User
from identity.service import owned_wallet
from ledger import registration, rights
from ledger.identifiers import normalize_isrc, normalize_iswc
from ledger.tasks import relay_rights_operation

router = APIRouter(prefix="/v1", tags=["rights"])
ArtistUser = Annotated[User, require_roles(Role.artist)]  # the signer is the artist's own custodial wallet
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=120)]
ControllerQuery = Annotated[str, Query(description="Your own wallet (linked with SIWE) that will sign",
                                        json_schema_extra=ETHEREUM_ADDRESS)]
AssetId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER,
                                description="The asset's id in the RightsRegistry (as `GET /v1/assets` lists it)")]


def _registry(context, client: ChainClient):
    deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
    if deployment is None:
        raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
    return client.contract(deployment, "RightsRegistry")


def _relay(session, context, user: User, request: rights.SignedRequest, registry, signature: bytes,
           key: str, response: Response) -> OperationOut:
    """Record the signed request (simulated first) and relay it after the request commits. A repeated key answers
    200 with the first operation as it stands now."""
    relayer = relayer_account(context.settings, context.settings.chain_id).address
    operation, created = registration.create_operation(session, user.id, request.kind, key, request, registry,
                                                       signature, relayer)
    if not created:
        response.status_code = status.HTTP_200_OK
        return _operation_out(session, context, user, operation.id)
    enqueue_after_commit(session, relay_rights_operation, str(operation.id))
    return OperationOut(id=operation.id, kind=request.kind, status="pending", asset_id=request.message.get("assetId"),
                        metadata_uri=request.message.get("metadataURI"))


def _operation_out(session, context, user: User, operation_id: uuid.UUID) -> OperationOut:
    view = registration.operation_status(session, operation_id, user.id, Role.admin.value in user.roles,
                                         context.settings.chain_id)
    return OperationOut(id=view.operation.id, kind=view.operation.kind, status=view.status, tx_hash=view.tx_hash,
                        block_number=view.block_number, error=view.error, error_args=view.error_args,
                        asset_id=view.asset_id, metadata_uri=view.operation.request["message"].get("metadataURI"))


def _submit(session, context, user: User, response: Response, code: str, build, metadata: dict | None,
            client_key: str | None, asset_id: int | None = None) -> OperationOut:
    """Build the request, sign it with the artist's custodial wallet and relay it."""
    registry = _registry(context, context.chain)
    metadata_uri = None if metadata is None else registration.publish_metadata(
        session, object_store(context.settings), metadata)
    controller = signer_for(session, user.id, Keyring.from_settings(context.settings))
    registration.check_controls(registry, asset_id, controller.address)
    request = build(registry, controller.address, metadata_uri)
    key = registration.derive_key(user.id, request.kind, client_key, code)
    return _relay(session, context, user, request, registry, request.sign(controller), key, response)


def _prepare(session, context, user: User, controller: str, build, metadata: dict | None,
             asset_id: int | None = None) -> PreparedRequest:
    """Build the request for the artist's own wallet to sign (`eth_signTypedData_v4`); no operation is recorded
    (only the title for search, and invitations of payees given by e-mail)."""
    address = owned_wallet(session, user.id, controller)
    registry = _registry(context, context.chain)
    metadata_uri = None if metadata is None else registration.publish_metadata(
        session, object_store(context.settings), metadata)
    registration.check_controls(registry, asset_id, address)
    return PreparedRequest(typed_data=registration.jsonable(build(registry, address, metadata_uri).typed_data))


_REPLAYED = {200: {"model": OperationOut,
                   "description": "A repeated Idempotency-Key: the first operation, as it stands now"}}
def _prepared(responses: dict) -> dict:
    """A prepare route's documented answers: its 200 is the request to sign, never a replayed operation."""
    return {status: answer for status, answer in responses.items() if status != 200}


_WORK_RESPONSES = {**_REPLAYED, 409: {"description": "The registry refuses it (e.g. ISWC already registered), or "
                                                    "the artist has no custodial wallet yet"},
                   422: {"description": "Invalid ISWC, split or payee; the problem names the field"},
                   503: {"description": "The contracts are not deployed on this chain yet"}}
_RECORDING_RESPONSES = {**_WORK_RESPONSES,
                        404: {"description": "`upload-not-found`: no such upload of yours"},
                        409: {"description": "The registry refuses it (e.g. ISRC or audio already registered); "
                                             "`upload-not-ready`; `upload-under-review` (another account uploaded "
                                             "it first)"},
                        422: {"description": "Invalid ISRC, content hash, split or payee"}}


def _split(session, context, user: User, payees: list[PayeeIn]) -> rights.Split:
    """The split, payees given by e-mail paid at their account's wallet or at one held for their invitation."""
    given = [rights.Payee(p.address, p.share_percent, p.email) for p in payees]
    rights.check_payees(given)  # all that needs no wallet, before anyone is invited
    emails = [p.email for p in given if p.email is not None]
    wallets = invitations.payee_wallets(session, context.settings, emails, user.id) if emails else {}
    return rights.build_split(rights.with_wallets(given, wallets))


def _tags(body: WorkIn | RecordingIn) -> dict:
    """Genres and moods for the metadata document (absent when none were chosen: old documents keep their CID)."""
    tags = {"genres": vocabulary.distinct(body.genres), "moods": vocabulary.distinct(body.moods)}
    return {key: value for key, value in tags.items() if value}


def _work(body: WorkIn, chain_id: int, split_of):
    """(natural key, request builder, metadata) of a work registration, validated."""
    iswc = normalize_iswc(body.iswc)
    split = split_of(body.split)
    metadata = {"kind": "work", "title": body.title, "iswc": iswc,
                "contributors": [c.model_dump() for c in body.contributors], **body.metadata,
                **_tags(body)}
    return iswc, lambda registry, controller, uri: rights.register_work(
        registry, chain_id, controller, iswc, uri, split), metadata


def _recording(body: RecordingIn, chain_id: int, split_of, session, user: User):
    isrc = normalize_isrc(body.isrc)
    master = {}
    content_hash = body.content_hash
    if body.upload_id is not None:  # the upload's SHA-256 is the content hash: the recording streams from it
        upload = uploads.master_for_registration(session, user.id, body.upload_id)
        content_hash = f"0x{upload.sha256}"
        master = {"duration_ms": upload.probe["duration_ms"], "audio_cid": upload.cid}
    split = split_of(body.split)
    metadata = {"kind": "recording", "title": body.title, "isrc": isrc, "content_hash": content_hash.lower(),
                "work_ids": sorted(set(body.work_ids)),
                "contributors": [c.model_dump() for c in body.contributors], **master, **body.metadata,
                **_tags(body), **{k: v for k, v in (("release", body.release), ("year", body.year)) if v is not None}}
    return isrc, lambda registry, controller, uri: rights.register_recording(
        registry, chain_id, controller, isrc, bytes.fromhex(content_hash[2:]), body.work_ids, uri,
        split), metadata


@router.post("/works", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Register a musical work with its split (signed by your custodial wallet)",
             responses=_WORK_RESPONSES)
def register_work(response: Response, body: WorkIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                  idempotency_key: IdempotencyKey = None) -> OperationOut:
    code, build, metadata = _work(body, context.settings.chain_id, partial(_split, session, context, user))
    return _submit(session, context, user, response, code, build, metadata, idempotency_key)


@router.post("/works/prepare", response_model=PreparedRequest, responses=_prepared(_WORK_RESPONSES),
             summary="The EIP-712 request registering a work, for your own wallet to sign")
def prepare_work(body: WorkIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                 controller: ControllerQuery) -> PreparedRequest:
    _code, build, metadata = _work(body, context.settings.chain_id, partial(_split, session, context, user))
    return _prepare(session, context, user, controller, build, metadata)


@router.post("/recordings", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Register a recording (master) with its split (signed by your custodial wallet)",
             responses=_RECORDING_RESPONSES)
def register_recording(response: Response, body: RecordingIn, session: SessionDep, context: ContextDep,
                       user: ArtistUser, idempotency_key: IdempotencyKey = None) -> OperationOut:
    code, build, metadata = _recording(body, context.settings.chain_id, partial(_split, session, context, user),
                                       session, user)
    return _submit(session, context, user, response, code, build, metadata, idempotency_key)


@router.post("/recordings/prepare", response_model=PreparedRequest, responses=_prepared(_RECORDING_RESPONSES),
             summary="The EIP-712 request registering a recording, for your own wallet to sign")
def prepare_recording(body: RecordingIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                      controller: ControllerQuery) -> PreparedRequest:
    _code, build, metadata = _recording(body, context.settings.chain_id, partial(_split, session, context, user),
                                       session, user)
    return _prepare(session, context, user, controller, build, metadata)


@router.post("/signed-requests", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Relay a registry request you signed with your own wallet",
             responses={**_REPLAYED, 403: {"description": "The signer is not one of your wallets"},
                        409: {"description": "The registry refuses it (decoded custom error)"},
                        422: {"description": "Not a registry request of this chain, or a bad signature"}})
def relay_signed_request(response: Response, body: SignedRequestIn, session: SessionDep, context: ContextDep,
                         user: ArtistUser, idempotency_key: IdempotencyKey = None) -> OperationOut:
    registry = _registry(context, context.chain)
    request = rights.SignedRequest.from_typed_data(body.typed_data,
                                                   rights.domain(context.settings.chain_id, registry.address))
    signature = bytes.fromhex(body.signature[2:])
    owned_wallet(session, user.id, request.signer(signature))
    key = registration.derive_key(user.id, request.kind, idempotency_key,
                                  hashlib.sha256(signature).hexdigest()[:32])
    return _relay(session, context, user, request, registry, signature, key, response)


@router.get("/operations/{operation_id}", response_model=OperationOut, summary="Follow a registry operation",
            responses={404: {"description": "No such operation of yours"}})
def get_operation(session: SessionDep, context: ContextDep, user: CurrentUser,
                  operation_id: Annotated[uuid.UUID, Path(description="The `id` a registry request answered with")],
                  ) -> OperationOut:
    return _operation_out(session, context, user, operation_id)


_CHANGE_RESPONSES = {**_REPLAYED, 403: {"description": "The artist's wallet does not control this asset"},
                     409: {"description": "The registry refuses it (not the controller, frozen, locked split), or "
                                          "the artist has no custodial wallet yet (`custodial-wallet-required`)"},
                     422: {"description": "Invalid split or address; the problem names the field"},
                     503: {"description": "The contracts are not deployed on this chain yet"}}


@router.post("/assets/{asset_id}/split", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Replace an asset's split (its controller)", responses=_CHANGE_RESPONSES)
def change_split(response: Response, body: SplitChangeIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                 asset_id: AssetId, idempotency_key: IdempotencyKey = None) -> OperationOut:
    split = _split(session, context, user, body.split)
    digest = hashlib.sha256(json.dumps([split.recipients, split.allocations]).encode()).hexdigest()[:16]
    return _submit(session, context, user, response, f"{asset_id}:{digest}",
                   lambda registry, controller, _uri: rights.update_split(
                       registry, context.settings.chain_id, controller, asset_id, split),
                   None, idempotency_key, asset_id)


@router.post("/assets/{asset_id}/controller", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Start handing control of an asset to another address (it must accept on chain)",
             responses=_CHANGE_RESPONSES)
def start_controller_transfer(response: Response, body: ControllerTransferIn, session: SessionDep,
                              context: ContextDep, user: ArtistUser, asset_id: AssetId,
                              idempotency_key: IdempotencyKey = None) -> OperationOut:
    if not Web3.is_address(body.new_controller) or int(body.new_controller, 16) == 0:
        raise ValidationFailed("new_controller is not a usable wallet address", field="new_controller")
    return _submit(session, context, user, response, f"{asset_id}:{body.new_controller.lower()}",
                   lambda registry, controller, _uri: rights.transfer_controller(
                       registry, context.settings.chain_id, controller, asset_id, body.new_controller),
                   None, idempotency_key, asset_id)


@router.post("/assets/{asset_id}/split/lock", status_code=status.HTTP_202_ACCEPTED, response_model=OperationOut,
             summary="Lock an asset's split for good (its controller; signed by your custodial wallet)",
             responses=_CHANGE_RESPONSES)
def lock_split(response: Response, session: SessionDep, context: ContextDep, user: ArtistUser, asset_id: AssetId,
               idempotency_key: IdempotencyKey = None) -> OperationOut:
    registry = _registry(context, context.chain)
    split_hash = registration.split_hash_in_force(registry, asset_id)  # the lock names the split it locks
    return _submit(session, context, user, response, f"{asset_id}:{split_hash.hex()}",
                   lambda registry, controller, _uri: rights.lock_split(
                       registry, context.settings.chain_id, controller, asset_id, split_hash),
                   None, idempotency_key, asset_id)


@router.post("/assets/{asset_id}/split/lock/prepare", response_model=PreparedRequest,
             responses=_prepared(_CHANGE_RESPONSES),
             summary="The EIP-712 request locking an asset's split, for your own wallet to sign")
def prepare_lock_split(session: SessionDep, context: ContextDep, user: ArtistUser,
                       asset_id: AssetId, controller: ControllerQuery) -> PreparedRequest:
    split_hash = registration.split_hash_in_force(_registry(context, context.chain), asset_id)
    return _prepare(session, context, user, controller,
                    lambda registry, address, _uri: rights.lock_split(
                        registry, context.settings.chain_id, address, asset_id, split_hash),
                    None, asset_id)


_ACCEPT_RESPONSES = {**_CHANGE_RESPONSES,
                     403: {"description": "The asset is not being handed to your wallet"},
                     409: {"description": "The registry refuses it (frozen, no nomination, unknown asset)"}}


@router.post("/assets/{asset_id}/controller/accept", status_code=status.HTTP_202_ACCEPTED,
             response_model=OperationOut, responses=_ACCEPT_RESPONSES,
             summary="Take control of an asset handed to your custodial wallet (second step of a transfer)")
def accept_controller(response: Response, session: SessionDep, context: ContextDep, user: ArtistUser,
                      asset_id: AssetId, idempotency_key: IdempotencyKey = None) -> OperationOut:
    registry = _registry(context, context.chain)
    # The pending controller signs, never the current one.
    nominee = signer_for(session, user.id, Keyring.from_settings(context.settings))
    registration.check_pending_controller(registry, asset_id, nominee.address)
    request = rights.accept_controller(registry, context.settings.chain_id, nominee.address, asset_id)
    key = registration.derive_key(user.id, request.kind, idempotency_key, f"{asset_id}:{request.message['nonce']}")
    return _relay(session, context, user, request, registry, request.sign(nominee), key, response)


@router.post("/assets/{asset_id}/controller/accept/prepare", response_model=PreparedRequest,
             responses=_prepared(_ACCEPT_RESPONSES),
             summary="The EIP-712 request taking control of an asset, for your own (nominated) wallet to sign")
def prepare_accept_controller(session: SessionDep, context: ContextDep, user: ArtistUser,
                              asset_id: AssetId,
                              controller: ControllerQuery) -> PreparedRequest:
    address = owned_wallet(session, user.id, controller)
    registry = _registry(context, context.chain)
    registration.check_pending_controller(registry, asset_id, address)
    request = rights.accept_controller(registry, context.settings.chain_id, address, asset_id)
    return PreparedRequest(typed_data=registration.jsonable(request.typed_data))
