"""Queries behind an artist's analytics beyond daily plays: breakdowns, followers, revenue, edition sales."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

# An artist's counted plays per day by the listener's country and by the play's source (`unknown` if unsaid).
ROLLUP_BREAKDOWN = text("""
    insert into analytics_daily_artist_breakdown (chain_id, artist, day, dimension, value, plays, listeners)
    select p.chain_id, a.controller, (p.played_at at time zone 'UTC')::date, d.dimension, d.value, count(*),
           count(distinct p.listener_id)
    from plays p join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
    cross join lateral (values ('country', coalesce(p.country, 'unknown')),
                               ('source', coalesce(p.source, 'unknown'))) d(dimension, value)
    where p.counted and p.chain_id = :chain_id and p.played_at >= :since
    group by p.chain_id, a.controller, (p.played_at at time zone 'UTC')::date, d.dimension, d.value order by 3
""")

_BREAKDOWN = text("""
    select value, sum(plays) as plays, sum(listeners) as listener_days
    from analytics_daily_artist_breakdown
    where chain_id = :c and artist = any(:artists) and dimension = :dimension and day between :start and :end
    group by value order by sum(plays) desc, value limit :limit
""")

# Followers of the account now, counted by the day each follow began (an unfollow removes its row).
_FOLLOWERS = text("""
    select (created_at at time zone 'UTC')::date as day, count(*) as new from social_follows
    where followee_id = :u and created_at < :until group by 1 order by 1
""")

# Revenue of royalty periods: what the caller's wallets are entitled to, and the (unvoided) revenue recorded for
# the caller's recordings, with their counted plays.
_EARNED = text("""
    select r.period_id, r.starts_at, r.ends_at, r.status, coalesce(sum(e.amount), 0) as earned
    from royalty_periods r join payee_entitlements e on e.period_id = r.period_id and lower(e.account) = any(:w)
    group by r.period_id order by r.period_id desc limit :limit
""")
_PER_ASSET = text("""
    select v.period_id, v.asset_id, v.currency, sum(v.amount) as revenue,
           coalesce(max(t.plays), 0) as plays
    from royalty_revenue v
    join assets a on a.chain_id = :c and a.asset_id = v.asset_id
    left join period_play_tallies t on t.period_id = v.period_id and t.chain_id = a.chain_id
                                   and t.asset_id = v.asset_id
    where v.voided_at is null and v.period_id = any(:periods)
      and (lower(a.controller) = any(:w) or exists (select 1 from unnest(a.split_recipients) r
                                                     where lower(r) = any(:w)))
    group by v.period_id, v.asset_id, v.currency order by v.period_id desc, sum(v.amount) desc, v.asset_id
""")

# Sales of the editions the caller's wallets created: tokens sold to others, distinct buyers, paid and fees.
_EDITION_SALES = text("""
    select e.edition_id, e.asset_id, e.payment_token, e.max_supply,
           coalesce(sum(m.quantity) filter (where lower(m.recipient) <> lower(e.creator)), 0) as sold,
           count(distinct lower(m.recipient)) filter (where lower(m.recipient) <> lower(e.creator)) as buyers,
           coalesce(sum(m.paid) filter (where lower(m.recipient) <> lower(e.creator)), 0) as paid,
           coalesce(sum(m.fee) filter (where lower(m.recipient) <> lower(e.creator)), 0) as fees
    from editions e left join edition_mints m on m.chain_id = e.chain_id and m.edition_id = e.edition_id
    where e.chain_id = :c and lower(e.creator) = any(:w)
    group by e.edition_id, e.asset_id, e.payment_token, e.max_supply order by e.edition_id
""")


def breakdown(db: Session, chain_id: int, artists: list[str], dimension: str, start: date, end: date, limit: int
              ) -> list[tuple[str, int, int]]:
    """`artists`: the spellings of one address."""
    rows = db.execute(_BREAKDOWN, {"c": chain_id, "artists": artists, "dimension": dimension, "start": start,
                                   "end": end, "limit": limit})
    return [(value, int(plays), int(days)) for value, plays, days in rows]


def followers_by_day(db: Session, user_id: uuid.UUID, until: datetime) -> list[tuple[date, int]]:
    return [(day, int(new)) for day, new in db.execute(_FOLLOWERS, {"u": user_id, "until": until})]


def earned(db: Session, wallets: list[str], limit: int) -> list:
    return list(db.execute(_EARNED, {"w": wallets, "limit": limit}))


def revenue_per_asset(db: Session, chain_id: int, wallets: list[str], periods: list[int]) -> list:
    return list(db.execute(_PER_ASSET, {"c": chain_id, "w": wallets, "periods": periods}))


def edition_sales(db: Session, chain_id: int, wallets: list[str]) -> list:
    return list(db.execute(_EDITION_SALES, {"c": chain_id, "w": wallets}))
