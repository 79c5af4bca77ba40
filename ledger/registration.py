"""Register works and recordings for a user: content-addressed metadata, a signed request, a relayed
operation whose progress the user can follow (`pending → submitted → included → confirmed | failed`)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column
from web3.contract import Contract

from chain.errors import ContractReverted
from chain.revert import as_revert
from content.cid import cid_v1_raw
from content.storage import ObjectStore
from harmoni.db import Base
from harmoni.errors import HarmoniError, NotFound
from indexer.models import ChainEvent
from ledger import catalog
from ledger.operations import ChainOperation
from ledger.reverts import explain_args, explained
from ledger.rights import SignedRequest


class RightsOperation(Base):
    """A user's request to change the registry, and the relayed operation that carries it out."""

    __tablename__ = "rights_operations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(42))
    calldata: Mapped[str] = mapped_column(String)
    request: Mapped[dict] = mapped_column(JSONB)  # the EIP-712 document that was signed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class NotAssetController(HarmoniError):
    status = 403
    slug = "not-asset-controller"
    title = "Not the asset's controller"


def check_controls(registry: Contract, asset_id: int | None, address: str) -> None:
    """Refuse a change to an existing asset that `address` does not control (the registry would too)."""
    if asset_id is not None and registry.functions.assetCount().call() >= asset_id:
        current = registry.functions.controllerOf(asset_id).call()
        if current != address:
            raise NotAssetController(f"asset {asset_id} is controlled by {current}, not by your wallet",
                                     asset_id=asset_id)


class NotPendingController(HarmoniError):
    status = 403
    slug = "not-pending-controller"
    title = "Not the asset's pending controller"


def check_pending_controller(registry: Contract, asset_id: int, address: str) -> None:
    """Refuse to accept control of an existing asset that was not handed to `address` (the registry would too)."""
    if registry.functions.assetCount().call() >= asset_id:
        pending = registry.functions.getAsset(asset_id).call()[5]  # Asset.pendingController
        if pending != address:
            nominee = "nobody" if int(pending, 16) == 0 else pending
            raise NotPendingController(f"asset {asset_id} is being handed to {nominee}, not to your wallet",
                                       asset_id=asset_id)


def split_hash_in_force(registry: Contract, asset_id: int) -> bytes:
    """The split hash a lock names; zero for an unknown asset (the simulation then reports `UnknownAsset`)."""
    if registry.functions.assetCount().call() < asset_id:
        return bytes(32)
    return bytes(registry.functions.splitHash(asset_id).call())


class OperationNotFound(NotFound):
    slug = "operation-not-found"
    title = "Operation not found"


def metadata_document(fields: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8): the same metadata always has the same CID."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def store_metadata(store: ObjectStore, document: bytes) -> str:
    cid = cid_v1_raw(document)
    key = f"metadata/{cid}.json"
    if not store.exists(key):
        store.put(key, document, "application/json")
    return f"ipfs://{cid}"


def publish_metadata(session: Session, store: ObjectStore, fields: dict[str, Any]) -> str:
    """Store the metadata document content-addressed and remember its title for search (`ledger.catalog`)."""
    uri = store_metadata(store, metadata_document(fields))
    catalog.remember(session, uri, fields)
    return uri


def jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _record(session: Session, user_id: uuid.UUID, kind: str, idempotency_key: str, to_address: str, call,
            calldata: str, request: dict[str, Any], relayer: str) -> tuple[RightsOperation, bool]:
    """Insert the operation once per key, after simulating `call` from the relayer (a revert is a 409 now)."""
    existing = session.scalar(select(RightsOperation).where(RightsOperation.idempotency_key == idempotency_key))
    if existing is not None:
        return existing, False
    try:
        call.call({"from": relayer})
    except Exception as err:
        reverted = as_revert(err, context=kind)
        if reverted is None:
            raise
        raise explained(reverted) from err
    operation = RightsOperation(user_id=user_id, kind=kind, idempotency_key=idempotency_key, to_address=to_address,
                                calldata=calldata, request=request)
    session.add(operation)
    session.flush()
    return operation, True


def create_operation(session: Session, user_id: uuid.UUID, kind: str, idempotency_key: str,
                     request: SignedRequest, registry: Contract, signature: bytes,
                     relayer: str) -> tuple[RightsOperation, bool]:
    """Record the signed request (once per key); the call is simulated first so a revert is a 409 now, not later.

    Returns (operation, created): a repeated key returns the first operation unchanged.
    """
    return _record(session, user_id, kind, idempotency_key, registry.address, request.relay_call(registry, signature),
                   request.relay_calldata(registry, signature), jsonable(request.typed_data), relayer)


def create_relayer_operation(session: Session, user_id: uuid.UUID, kind: str, idempotency_key: str,
                             contract: Contract, function: str, args: list[Any], message: dict[str, Any],
                             relayer: str) -> tuple[RightsOperation, bool]:
    """Like `create_operation`, for a call the relayer makes in its own right (an arbiter action asked for by an
    admin, a payee's claim): nothing is signed, `message` records what was asked."""
    return _record(session, user_id, kind, idempotency_key, contract.address,
                   contract.get_function_by_name(function)(*args), contract.encode_abi(function, args=args),
                   {"function": function, "from": relayer, "message": jsonable(message)}, relayer)


def derive_key(user_id: uuid.UUID, kind: str, client_key: str | None, natural_key: str) -> str:
    """The client's Idempotency-Key, scoped to the user; else what makes the request unique (its ISRC/ISWC)."""
    if client_key:
        return f"rights:{user_id}:{client_key}"
    return f"rights:{user_id}:{kind}:{natural_key}"


@dataclass(frozen=True)
class OperationView:
    operation: RightsOperation
    status: str
    tx_hash: str | None
    block_number: int | None
    error: str | None
    error_args: dict | None
    asset_id: int | None


def operation_status(session: Session, operation_id: uuid.UUID, user_id: uuid.UUID, is_admin: bool,
                     chain_id: int) -> OperationView:
    operation = session.get(RightsOperation, operation_id)
    if operation is None or (operation.user_id != user_id and not is_admin):
        raise OperationNotFound(f"operation {operation_id} not found")
    sent = session.scalar(select(ChainOperation).where(ChainOperation.idempotency_key == operation.idempotency_key))
    asset_id = operation.request["message"].get("assetId")  # a change names its asset; a registration does not
    if sent is None:
        return OperationView(operation, "pending", None, None, None, None, asset_id)
    if sent.mined_tx_hash and asset_id is None:
        asset_id = session.scalar(
            select(ChainEvent.args["assetId"].as_integer()).where(
                ChainEvent.chain_id == chain_id, ChainEvent.tx_hash == bytes.fromhex(sent.mined_tx_hash[2:]),
                ChainEvent.event == "AssetRegistered"))
    error_args = explain_args(sent.error_name, sent.error_args)[0] if sent.error_name else sent.error_args
    return OperationView(operation, sent.status, sent.mined_tx_hash or (sent.tx_hashes or [None])[-1],
                         sent.block_number, sent.error_name, error_args, asset_id)


__all__ = ["ContractReverted", "OperationView", "RightsOperation", "create_operation", "derive_key",
           "metadata_document", "operation_status", "publish_metadata", "store_metadata"]
