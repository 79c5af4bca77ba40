"""Mirror rows for the search tests, written through the indexer's own store (the real outbox call site)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from identity import service as identity
from identity.models import User, Wallet
from indexer.projector import Batch
from indexer.store import write_batch
from ledger import catalog
from ledger.models import Edition

CHAIN_ID = 31337
ZERO_HASH = "0x" + "00" * 32


def asset_row(asset_id: int, kind: str, controller: str, metadata_uri: str) -> dict:
    return {"chain_id": CHAIN_ID, "asset_id": asset_id, "kind": kind, "controller": controller,
            "pending_controller": None, "industry_code": f"USHRM26{asset_id:05d}", "content_hash": None,
            "work_ids": [], "metadata_uri": metadata_uri, "split_version": 1, "split_hash": ZERO_HASH,
            "split_recipients": [controller], "split_allocations": [1_000_000], "split_locked": False,
            "frozen": False, "registered_block": asset_id, "registered_tx": ZERO_HASH, "updated_block": asset_id}


def index_assets(session: Session, assets: list[tuple[int, str, str, str, dict]],
                 editions: list[tuple[int, int]] = ()) -> None:
    """(asset id, kind, controller, title, more metadata) as the indexer writes them; editions (edition, asset)."""
    batch = Batch(chain_id=CHAIN_ID)
    for asset_id, kind, controller, title, more in assets:
        uri = f"ipfs://test-{uuid.uuid4().hex}"
        catalog.remember(session, uri, {"kind": kind, "title": title, **more})
        batch.assets[asset_id] = asset_row(asset_id, kind, controller, uri)
    for edition_id, asset_id in editions:
        batch.rows[Edition].append({
            "chain_id": CHAIN_ID, "block_number": 10_000 + edition_id, "log_index": 0, "tx_hash": ZERO_HASH,
            "edition_id": edition_id, "asset_id": asset_id, "creator": assets[0][2], "payment_token": assets[0][2],
            "price": 1, "max_supply": 10, "sale_start": 0, "sale_end": 0, "per_wallet_cap": 0, "royalty_bps": 0,
            "royalty_receiver": assets[0][2], "platform_fee_bps": 0})
    write_batch(session, batch, bulk=False)


def artist(session: Session, name: str, address: str) -> User:
    """An artist account with a profile (saved through the identity service) and a linked wallet."""
    user = User(id=uuid.uuid4(), email=f"{uuid.uuid4().hex[:8]}@example.com", roles=["artist"])
    session.add(user)
    session.flush()
    session.add(Wallet(user_id=user.id, kind="linked", address=address))
    identity.save_artist_profile(session, user, display_name=name, bio="", links=[])
    return user
