"""Disputes over an asset: filed off chain by a party to it (its controller or a payee of its split), decided by
an admin acting as arbiter, who may freeze the asset on chain while deciding (`RightsRegistry.freeze`) and
unfreezes it with the decision. The platform relayer holds ARBITER_ROLE and sends both calls.

The freeze names the dispute: its `reasonHash` is `keccak256` of the dispute id (as text), so anyone can find
the record behind an `AssetFrozen` event (`GET /v1/disputes/{id}` shows the same hash).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from eth_utils import keccak
from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from web3.contract import Contract

from chain.sender import OperationStatus
from harmoni.db import Base
from harmoni.errors import Conflict, HarmoniError, NotFound
from ledger.assets import AssetNotFound
from ledger.models import Asset
from ledger.operations import ChainOperation
from ledger.registration import RightsOperation, create_relayer_operation
from notifications import events as notification_events

ZERO_ADDRESS = "0x" + "0" * 40
# (registry contract, relayer address): asked for only when a decision needs the chain.
ChainAccess = Callable[[], tuple[Contract, str]]


class DisputeStatus(StrEnum):
    open = "open"  # filed, nothing decided
    frozen = "frozen"  # the arbiter froze the asset for it (its freeze operation says when that is on chain)
    upheld = "upheld"  # decided for the opener
    rejected = "rejected"  # decided against the opener


OPEN_STATUSES = (DisputeStatus.open.value, DisputeStatus.frozen.value)
_STATUSES = ", ".join(f"'{s.value}'" for s in DisputeStatus)
_OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)


class Dispute(Base):
    """A claim against an asset's registration, and the arbiter's decision."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(f"status in ({_STATUSES})", name="status_known"),
        CheckConstraint(f"(status in ({_OPEN})) = (resolved_at is null)", name="resolved_when_closed"),
        # One open dispute per person and asset.
        Index("ix_disputes_open_per_opener", "chain_id", "asset_id", "opened_by", unique=True,
              postgresql_where=text(f"status in ({_OPEN})")),
        Index("ix_disputes_asset", "chain_id", "asset_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int] = mapped_column(BigInteger)
    opened_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    evidence_uri: Mapped[str | None] = mapped_column(String(2048))
    reason_hash: Mapped[str] = mapped_column(String(66))  # the freeze's reasonHash: keccak256(str(id))
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.open.value)
    freeze_operation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("rights_operations.id", ondelete="SET NULL"))
    unfreeze_operation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("rights_operations.id", ondelete="SET NULL"))
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DisputeNotFound(NotFound):
    slug = "dispute-not-found"
    title = "Dispute not found"


class NotAssetParty(HarmoniError):
    status = 403
    slug = "not-asset-party"
    title = "Not a party to the asset"


class DisputeAlreadyOpen(Conflict):
    slug = "dispute-already-open"
    title = "Dispute already open"


class DisputeClosed(Conflict):
    slug = "dispute-closed"
    title = "Dispute closed"


class FreezeInFlight(Conflict):
    slug = "freeze-in-flight"
    title = "Freeze not on chain yet"


def reason_hash(dispute_id: uuid.UUID) -> str:
    return "0x" + keccak(text=str(dispute_id)).hex()


def _asset(session: Session, chain_id: int, asset_id: int) -> Asset:
    asset = session.get(Asset, (chain_id, asset_id))
    if asset is None:
        raise AssetNotFound(f"asset {asset_id} not found (or not indexed yet)", asset_id=asset_id)
    return asset


def open_dispute(session: Session, chain_id: int, user_id: uuid.UUID, wallets: set[str], asset_id: int,
                 reason: str, evidence_uri: str | None) -> Dispute:
    """File a dispute; `wallets` (the user's addresses) must include the asset's controller or a payee."""
    asset = _asset(session, chain_id, asset_id)
    if not wallets & {asset.controller, *asset.split_recipients}:
        raise NotAssetParty(f"none of your wallets controls asset {asset_id} or is a payee of its split",
                            asset_id=asset_id)
    existing = session.scalar(select(Dispute.id).where(
        Dispute.chain_id == chain_id, Dispute.asset_id == asset_id, Dispute.opened_by == user_id,
        Dispute.status.in_(OPEN_STATUSES)))
    if existing is not None:
        raise DisputeAlreadyOpen(f"you already have an open dispute on asset {asset_id}", dispute_id=str(existing))
    dispute_id = uuid.uuid4()
    dispute = Dispute(id=dispute_id, chain_id=chain_id, asset_id=asset_id, opened_by=user_id, reason=reason,
                      evidence_uri=evidence_uri, reason_hash=reason_hash(dispute_id),
                      status=DisputeStatus.open.value)
    try:
        with session.begin_nested():  # a concurrent twin loses on the unique index, not with a 500
            session.add(dispute)
    except IntegrityError as err:
        raise DisputeAlreadyOpen(f"you already have an open dispute on asset {asset_id}") from err
    notification_events.dispute_opened(session, dispute_id=dispute_id, asset_id=asset_id, opened_by=user_id,
                                       parties=[asset.controller, *asset.split_recipients])
    return dispute


def get_dispute(session: Session, dispute_id: uuid.UUID, *, for_update: bool = False) -> Dispute:
    dispute = session.get(Dispute, dispute_id, with_for_update=for_update)
    if dispute is None:
        raise DisputeNotFound(f"dispute {dispute_id} not found")
    return dispute


def disputes_of_asset(session: Session, chain_id: int, asset_id: int) -> list[Dispute]:
    """Every dispute over the asset, newest first (404 for an asset the mirror does not know)."""
    _asset(session, chain_id, asset_id)
    return list(session.scalars(select(Dispute).where(Dispute.chain_id == chain_id, Dispute.asset_id == asset_id)
                                .order_by(Dispute.created_at.desc(), Dispute.id)))


def may_read_reason(dispute: Dispute, viewer_id: uuid.UUID | None, viewer_roles: list[str]) -> bool:
    """The reason, evidence and decision note: for admins, auditors and whoever opened the dispute."""
    return viewer_id == dispute.opened_by or bool({"admin", "auditor"} & set(viewer_roles))


def _chain_status(session: Session, operation: RightsOperation) -> str:
    sent = session.scalar(select(ChainOperation.status).where(
        ChainOperation.idempotency_key == operation.idempotency_key))
    return sent or OperationStatus.pending.value


def freeze(session: Session, dispute_id: uuid.UUID, admin_id: uuid.UUID,
           chain: ChainAccess) -> tuple[Dispute, RightsOperation, bool]:
    """Freeze the dispute's asset on chain (simulated first: a refusal is a 409 with the decoded error).

    Returns (dispute, operation, created). Asking again returns the same operation, unless it failed.
    """
    dispute = get_dispute(session, dispute_id, for_update=True)
    if dispute.status not in OPEN_STATUSES:
        raise DisputeClosed(f"dispute {dispute_id} was decided ({dispute.status})", dispute_id=str(dispute_id))
    key = f"rights:dispute:{dispute.id}:freeze"
    if dispute.freeze_operation_id is not None:
        previous = session.get(RightsOperation, dispute.freeze_operation_id)
        if _chain_status(session, previous) != OperationStatus.failed.value:
            return dispute, previous, False
        key = f"{key}:after:{previous.id}"
    message = {"assetId": dispute.asset_id, "reasonHash": dispute.reason_hash, "disputeId": str(dispute.id)}
    registry, relayer = chain()
    operation, created = create_relayer_operation(
        session, admin_id, "freeze_asset", key, registry, "freeze",
        [dispute.asset_id, bytes.fromhex(dispute.reason_hash[2:])], message, relayer)
    dispute.freeze_operation_id = operation.id
    dispute.status = DisputeStatus.frozen.value
    session.flush()
    return dispute, operation, created


def resolve(session: Session, dispute_id: uuid.UUID, admin_id: uuid.UUID, outcome: DisputeStatus, note: str,
            chain: ChainAccess) -> tuple[Dispute, RightsOperation | None, bool]:
    """Record the decision; an asset this dispute froze is unfrozen (control stays where it is).

    Returns (dispute, unfreeze operation or None, created).
    """
    if outcome not in (DisputeStatus.upheld, DisputeStatus.rejected):
        raise ValueError(outcome)
    dispute = get_dispute(session, dispute_id, for_update=True)
    if dispute.status not in OPEN_STATUSES:
        raise DisputeClosed(f"dispute {dispute_id} was decided ({dispute.status})", dispute_id=str(dispute_id))
    operation, created = None, False
    if dispute.freeze_operation_id is not None:
        frozen_by = session.get(RightsOperation, dispute.freeze_operation_id)
        state = _chain_status(session, frozen_by)
        if state in (OperationStatus.pending.value, OperationStatus.submitted.value):
            raise FreezeInFlight(f"the freeze of asset {dispute.asset_id} is not on chain yet; decide once "
                                 f"operation {frozen_by.id} is confirmed or failed", operation_id=str(frozen_by.id))
        registry, relayer = chain() if state == OperationStatus.confirmed.value else (None, "")
        if registry is not None and registry.functions.isFrozen(dispute.asset_id).call():
            message = {"assetId": dispute.asset_id, "newController": ZERO_ADDRESS, "disputeId": str(dispute.id)}
            operation, created = create_relayer_operation(
                session, admin_id, "unfreeze_asset", f"rights:dispute:{dispute.id}:unfreeze", registry, "unfreeze",
                [dispute.asset_id, ZERO_ADDRESS], message, relayer)
            dispute.unfreeze_operation_id = operation.id
    dispute.status = outcome.value
    dispute.resolved_by = admin_id
    dispute.resolution_note = note
    dispute.resolved_at = datetime.now(UTC)
    session.flush()
    return dispute, operation, created
