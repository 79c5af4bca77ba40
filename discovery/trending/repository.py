"""Queries behind trending: counted plays per listener and entity, the inputs of each account's trust score."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from discovery.trending.models import TrendingEntry, TrendingRun

# Counted plays of unfrozen recordings in [since, until), one row per (listener, recording), leaving out plays by
# an account holding a wallet that is the recording's controller or one of its payees (artists never trend
# themselves). `recent` counts the plays at or after :recent_from; a listener's plays from several countries are a
# row per country (the lists over every territory add them up again).
_ACTIVITY = text("""
    select p.listener_id, p.asset_id, a.controller, count(*) as plays, max(p.played_at) as last_at,
           count(*) filter (where p.played_at >= :recent_from) as recent, p.country
    from plays p
    join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
    where p.counted and p.chain_id = :chain_id and p.played_at >= :since and p.played_at < :until
      and a.kind = 'recording' and not a.frozen
      and not exists (
          select 1 from wallets w
          where w.user_id = p.listener_id
            and (lower(w.address) = lower(a.controller)
                 or exists (select 1 from unnest(a.split_recipients) r where lower(r) = lower(w.address))))
    group by p.listener_id, p.asset_id, a.controller, p.country
""")

# What the trust score of each account is made of, over the 30 days before :until.
_TRUST = text("""
    select u.id, u.created_at, u.email_verified_at is not null as verified,
           exists (select 1 from wallets w where w.user_id = u.id) as has_wallet,
           coalesce(s.distinct_recordings, 0) as distinct_recordings,
           coalesce(s.plays, 0) as plays, coalesce(s.flagged, 0) as flagged
    from users u
    left join lateral (
        select count(distinct p.asset_id) filter (where p.counted) as distinct_recordings, count(*) as plays,
               count(*) filter (where not p.counted) as flagged
        from plays p where p.listener_id = u.id and p.played_at >= :since and p.played_at < :until
    ) s on true
    where u.id = any(:ids)
""")

# Edition mints in [since, until) by block time, with the account holding the receiving wallet (if any).
_MINTS = text("""
    select e.edition_id, e.asset_id, m.recipient, w.user_id, sum(m.quantity) as quantity
    from edition_mints m
    join editions e on e.chain_id = m.chain_id and e.edition_id = m.edition_id
    join indexed_blocks b on b.chain_id = m.chain_id and b.number = m.block_number
    left join wallets w on lower(w.address) = lower(m.recipient)
    where m.chain_id = :chain_id and b.timestamp >= :since and b.timestamp < :until
      and lower(m.recipient) <> lower(e.creator)
    group by e.edition_id, e.asset_id, m.recipient, w.user_id
""")


@dataclass(frozen=True)
class Activity:
    listener_id: uuid.UUID
    asset_id: int
    artist: str
    plays: int
    last_at: datetime
    recent: int
    country: str | None = None  # ISO 3166-1 alpha-2 of where the plays came from, when known


@dataclass(frozen=True)
class TrustInputs:
    listener_id: uuid.UUID
    created_at: datetime
    verified: bool
    has_wallet: bool
    distinct_recordings: int
    plays: int
    flagged: int


@dataclass(frozen=True)
class Mint:
    edition_id: int
    asset_id: int
    recipient: str
    user_id: uuid.UUID | None
    quantity: int


def activity(db: Session, chain_id: int, since: datetime, until: datetime, recent_from: datetime) -> list[Activity]:
    rows = db.execute(_ACTIVITY, {"chain_id": chain_id, "since": since, "until": until, "recent_from": recent_from})
    return [Activity(*row) for row in rows]


def trust_inputs(db: Session, listener_ids: list[uuid.UUID], since: datetime, until: datetime
                 ) -> dict[uuid.UUID, TrustInputs]:
    if not listener_ids:
        return {}
    rows = db.execute(_TRUST, {"ids": listener_ids, "since": since, "until": until})
    return {row[0]: TrustInputs(*row) for row in rows}


def mints(db: Session, chain_id: int, since: datetime, until: datetime) -> list[Mint]:
    rows = db.execute(_MINTS, {"chain_id": chain_id, "since": int(since.timestamp()), "until": int(until.timestamp())})
    return [Mint(*row) for row in rows]


def replace_lists(db: Session, version: str, entries: list[dict], computed_at: datetime) -> None:
    """Swap every list of `version` for `entries` (readers see the old lists until the transaction commits)."""
    db.execute(delete(TrendingEntry).where(TrendingEntry.formula_version == version))
    if entries:
        db.execute(insert(TrendingEntry), entries)
    db.execute(insert(TrendingRun).values(formula_version=version, computed_at=computed_at, entries=len(entries))
               .on_conflict_do_update(index_elements=["formula_version"],
                                      set_={"computed_at": computed_at, "entries": len(entries)}))


def last_run(db: Session, version: str) -> TrendingRun | None:
    return db.get(TrendingRun, version)


def entries(db: Session, version: str, kind: str, window: str, genre: str, territory: str, limit: int
            ) -> list[TrendingEntry]:
    return list(db.scalars(select(TrendingEntry).where(
        TrendingEntry.formula_version == version, TrendingEntry.kind == kind, TrendingEntry.window == window,
        TrendingEntry.genre == genre, TrendingEntry.territory == territory).order_by(TrendingEntry.rank).limit(limit)))
