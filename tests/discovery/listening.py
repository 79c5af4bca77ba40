"""Listening data for the trending, related, recommendation and analytics tests, written straight to the tables."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from web3 import Web3

from identity.models import User, Wallet
from indexer.models import IndexedBlock
from ledger.catalog import AssetMetadata
from ledger.models import Asset, Edition, EditionMint

CHAIN_ID = 31337


def artist_address(n: int) -> str:
    return Web3.to_checksum_address(f"0x{n + 0xA000:040x}")


def now_of(db: Session) -> datetime:
    return db.scalar(select(func.now()))


def add_recording(db: Session, asset_id: int, artist: str, *, frozen: bool = False,
                  payees: list[str] | None = None) -> Asset:
    row = Asset(chain_id=CHAIN_ID, asset_id=asset_id, kind="recording", controller=artist, pending_controller=None,
                industry_code=f"QZ{asset_id:010d}", content_hash="0x" + "ab" * 32, work_ids=[],
                metadata_uri=f"ipfs://recording-{asset_id}", split_version=1, split_hash="0x" + "11" * 32,
                split_recipients=payees or [artist], split_allocations=[1_000_000] * len(payees or [artist]),
                split_locked=False, frozen=frozen, registered_block=1, registered_tx="0x" + "22" * 32,
                updated_block=1)
    db.add(row)
    db.flush()
    return row


def tag_genres(db: Session, asset_id: int, genres: list[str]) -> None:
    """The recording's metadata document as the catalog keeps it, with these genres."""
    db.add(AssetMetadata(metadata_uri=f"ipfs://recording-{asset_id}", title=f"Recording {asset_id}",
                         document={"title": f"Recording {asset_id}", "genres": genres}))
    db.flush()


def add_account(db: Session, created_at: datetime, *, verified: bool = False, wallet: str | None = None
                ) -> uuid.UUID:
    user = User(id=uuid.uuid4(), email=f"fan-{uuid.uuid4().hex[:10]}@example.com", roles=["fan"],
                created_at=created_at, email_verified_at=created_at if verified else None)
    db.add(user)
    if wallet:
        db.add(Wallet(user_id=user.id, address=wallet, kind="linked"))
    db.flush()
    return user.id


def add_plays(db: Session, plays: list[tuple[uuid.UUID, int, datetime]], *, counted: bool = True) -> None:
    """One playback session and one play (31 s) per (listener, recording, time)."""
    if not plays:
        return
    listeners, assets, times = (list(column) for column in zip(*plays, strict=True))
    db.execute(text("""
        with s as (
            insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at)
            select gen_random_uuid(), l, :chain_id, a, t - interval '31 seconds', t + interval '1 hour'
            from unnest(cast(:ls as uuid[]), cast(:as as bigint[]), cast(:ts as timestamptz[])) as u(l, a, t)
            returning id, listener_id, asset_id, started_at)
        insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags)
        select id, listener_id, :chain_id, asset_id, started_at + interval '31 seconds', 31000, :counted,
               case when :counted then '{}'::varchar[] else '{listener_rate}'::varchar[] end
        from s"""), {"chain_id": CHAIN_ID, "ls": listeners, "as": assets, "ts": times, "counted": counted})


def add_many_plays(db: Session, listener_id: uuid.UUID, asset_id: int, count: int, last_at: datetime) -> None:
    """`count` counted plays of one recording by one listener, a minute apart, the newest at `last_at`."""
    db.execute(text("""
        with s as (
            insert into playback_sessions (id, listener_id, chain_id, asset_id, started_at, expires_at)
            select gen_random_uuid(), :l, :chain_id, :a, :t - make_interval(mins => g), :t + interval '1 hour'
            from generate_series(0, :n - 1) g
            returning id, listener_id, asset_id, started_at)
        insert into plays (session_id, listener_id, chain_id, asset_id, played_at, played_ms, counted, flags)
        select id, listener_id, :chain_id, asset_id, started_at, 31000, true, '{}' from s"""),
        {"chain_id": CHAIN_ID, "l": listener_id, "a": asset_id, "n": count, "t": last_at})


def organic_catalog(db: Session, now: datetime, *, seed: int = 7, recordings: int = 40, artists: int = 10,
                    listeners: int = 120, per_listener: int = 5, days: float = 6.0) -> list[int]:
    """A small catalog with organic traffic: established accounts, Zipf-popular recordings, plays spread over
    the last `days`. Returns the recordings' ids, most popular first."""
    rng = random.Random(seed)
    ids = list(range(1, recordings + 1))
    for asset_id in ids:
        add_recording(db, asset_id, artist_address(asset_id % artists))
    weights = [1.0 / rank for rank in range(1, recordings + 1)]
    plays = []
    for _ in range(listeners):
        listener = add_account(db, now - timedelta(days=rng.uniform(60, 400)), verified=rng.random() < 0.5)
        chosen = set()
        while len(chosen) < per_listener:
            chosen.add(rng.choices(ids, weights)[0])
        for asset_id in chosen:
            for _ in range(rng.randint(1, 3)):
                plays.append((listener, asset_id, now - timedelta(days=rng.uniform(0.01, days))))
    add_plays(db, plays)
    return ids


def add_edition(db: Session, edition_id: int, asset_id: int, creator: str, mints: list[tuple[str, datetime]],
                first_block: int = 1000) -> None:
    """An edition of a recording and its mints (recipient, block time), each in a mirrored block of its own."""
    db.add(Edition(chain_id=CHAIN_ID, block_number=first_block, log_index=0, tx_hash="0x" + "33" * 32,
                   edition_id=edition_id, asset_id=asset_id, creator=creator, payment_token=creator, price=10,
                   max_supply=100, sale_start=0, sale_end=0, per_wallet_cap=0, royalty_bps=0,
                   royalty_receiver=creator, platform_fee_bps=500))
    for n, (recipient, at) in enumerate(mints, start=1):
        number = first_block + n
        db.add(IndexedBlock(chain_id=CHAIN_ID, number=number, hash=number.to_bytes(32, "big"),
                            parent_hash=(number - 1).to_bytes(32, "big"), timestamp=int(at.timestamp())))
        db.add(EditionMint(chain_id=CHAIN_ID, block_number=number, log_index=0, tx_hash="0x" + "44" * 32,
                           edition_id=edition_id, recipient=recipient, quantity=1, paid=10, fee=0,
                           order_id="0x" + f"{number:064x}"))
    db.flush()
