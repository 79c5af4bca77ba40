"""Token-gated recordings: full streams only for listeners whose wallet holds a token of an edition.

The balance comes from the mirror (ERC-1155 transfers of `HarmoniEditions`); a wallet the mirror shows empty is
asked of the chain too (`balanceOf`), so a token bought a block ago already plays. The grant names the wallet,
the edition and when it ends (the stream URLs' expiry): previews stay public.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from content.errors import NotEditionHolder, RecordingNotYours
from content.models import RecordingGate
from harmoni.errors import NotFound
from ledger.models import Asset, Edition, EditionTransfer

OnChainBalance = Callable[[str, int], int]


@dataclass(frozen=True)
class Grant:
    wallet: str
    edition_id: int
    expires_at: datetime


def gate_of(db: Session, chain_id: int, asset_id: int) -> RecordingGate | None:
    return db.get(RecordingGate, (chain_id, asset_id))


def registered_recording(db: Session, chain_id: int, asset_id: int) -> Asset:
    asset = db.get(Asset, (chain_id, asset_id))
    if asset is None or asset.kind != "recording":
        raise NotFound(f"no recording {asset_id} is registered", field="asset_id")
    return asset


def controlled_recording(db: Session, chain_id: int, asset_id: int, wallets: Iterable[str]) -> Asset:
    """The registered recording, when one of `wallets` controls it; NotFound or RecordingNotYours otherwise."""
    asset = registered_recording(db, chain_id, asset_id)
    if asset.controller.lower() not in {w.lower() for w in wallets}:
        raise RecordingNotYours(f"recording {asset_id} is controlled by {asset.controller}, not by a wallet of yours")
    return asset


def check_edition(db: Session, chain_id: int, edition_id: int) -> None:
    if db.scalar(select(Edition.edition_id).where(Edition.chain_id == chain_id, Edition.edition_id == edition_id)
                 ) is None:
        raise NotFound(f"no edition {edition_id} is on chain (yet): create it first", field="edition_id")


def set_gate(db: Session, chain_id: int, asset_id: int, edition_id: int, user_id: uuid.UUID,
             wallets: Iterable[str]) -> RecordingGate:
    """Make the recording exclusive to holders of `edition_id` (its controller only)."""
    controlled_recording(db, chain_id, asset_id, wallets)
    check_edition(db, chain_id, edition_id)
    gate = db.merge(RecordingGate(chain_id=chain_id, asset_id=asset_id, edition_id=edition_id, set_by=user_id))
    db.flush()
    return gate


def clear_gate(db: Session, chain_id: int, asset_id: int, wallets: Iterable[str]) -> None:
    gate = gate_of(db, chain_id, asset_id)
    if gate is None or db.get(Asset, (chain_id, asset_id)) is None:
        return
    controlled_recording(db, chain_id, asset_id, wallets)
    db.delete(gate)
    db.flush()


def mirrored_balance(db: Session, chain_id: int, edition_id: int, wallet: str) -> int:
    wallet = wallet.lower()
    delta = case((func.lower(EditionTransfer.recipient) == wallet, EditionTransfer.amount), else_=0) - case(
        (func.lower(EditionTransfer.sender) == wallet, EditionTransfer.amount), else_=0)
    return int(db.scalar(select(func.coalesce(func.sum(delta), 0)).where(
        EditionTransfer.chain_id == chain_id, EditionTransfer.edition_id == edition_id,
        (func.lower(EditionTransfer.recipient) == wallet) | (func.lower(EditionTransfer.sender) == wallet))))


def grant(db: Session, chain_id: int, asset_id: int, wallets: list[str], expires_at: datetime,
          on_chain: OnChainBalance | None) -> Grant | None:
    """None when the recording is not gated; the grant of the first wallet holding the edition; else refused."""
    gate = gate_of(db, chain_id, asset_id)
    if gate is None:
        return None
    return holder_grant(db, chain_id, gate.edition_id, wallets, expires_at, on_chain, f"recording {asset_id}")


def holder_grant(db: Session, chain_id: int, edition_id: int, wallets: list[str], expires_at: datetime,
                 on_chain: OnChainBalance | None, what: str) -> Grant:
    """The grant of the first wallet holding `edition_id` (the mirror first, then the chain); else refused."""
    for wallet in wallets:
        if mirrored_balance(db, chain_id, edition_id, wallet) > 0:
            return Grant(wallet, edition_id, expires_at)
    for wallet in wallets if on_chain is not None else ():
        if on_chain(wallet, edition_id) > 0:
            return Grant(wallet, edition_id, expires_at)
    raise NotEditionHolder(f"{what} is exclusive to holders of edition {edition_id}: "
                           + ("none of your wallets holds one" if wallets else "link a wallet that holds one"),
                           edition_id=edition_id)
