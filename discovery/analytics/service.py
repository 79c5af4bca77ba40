"""Artist analytics: daily plays and unique listeners, per recording or per artist, and reported usage by territory.

Plays are rolled up by a periodic job (`rollup`): each run re-rolls the last rolled-up day and every day after
it (a day is final once it has passed and the job has run after that). A caller sees the recordings one of its
wallets controls or is a payee of: an artist signed in, or a label's partner key with `analytics:read`.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from discovery.analytics import repository
from discovery.analytics.models import DailyArtistPlays, DailyRecordingPlays
from harmoni.errors import NotFound, ValidationFailed

MAX_DAYS = 400
DIMENSIONS = ("country", "source")
MAX_PERIODS = 100
RECENT_DAYS = 7


class AnalyticsNotYours(NotFound):
    """404, not 403: whether someone else's recording has listeners is not the caller's to learn."""

    slug = "analytics-not-found"
    title = "No analytics for you here"


@dataclass(frozen=True)
class DayPoint:
    day: date
    plays: int
    listeners: int


@dataclass(frozen=True)
class TerritoryPoint:
    territory: str
    usage: int
    net_revenue: int
    currency: str


_ROLLUP_RECORDINGS = text("""
    insert into analytics_daily_recording_plays (chain_id, asset_id, day, plays, listeners)
    select chain_id, asset_id, (played_at at time zone 'UTC')::date, count(*), count(distinct listener_id)
    from plays where counted and chain_id = :chain_id and played_at >= :since
    group by chain_id, asset_id, (played_at at time zone 'UTC')::date order by 3
""")
_ROLLUP_ARTISTS = text("""
    insert into analytics_daily_artist_plays (chain_id, artist, day, plays, listeners)
    select p.chain_id, a.controller, (p.played_at at time zone 'UTC')::date, count(*), count(distinct p.listener_id)
    from plays p join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
    where p.counted and p.chain_id = :chain_id and p.played_at >= :since
    group by p.chain_id, a.controller, (p.played_at at time zone 'UTC')::date order by 3
""")


def rollup(db: Session, chain_id: int) -> date | None:
    """Re-roll from the last rolled-up day (or the first play) to today; the first day re-rolled, or None."""
    newest = select(func.max(DailyRecordingPlays.day)).where(DailyRecordingPlays.chain_id == chain_id)
    # The last week first: the BRIN index reads only its blocks; the whole table only when the job was idle longer.
    last = (db.scalar(newest.where(DailyRecordingPlays.day >= func.current_date() - RECENT_DAYS))
            or db.scalar(newest))
    if last is None:
        last = db.scalar(text("select min((played_at at time zone 'UTC')::date) from plays "
                              "where counted and chain_id = :c"), {"c": chain_id})
        if last is None:
            return None
    since = datetime.combine(last, time.min, tzinfo=UTC)
    for table in ("analytics_daily_recording_plays", "analytics_daily_artist_plays",
                  "analytics_daily_artist_breakdown"):
        db.execute(text(f"delete from {table} where chain_id = :c and day >= :d"),  # noqa: S608 -- our names
                   {"c": chain_id, "d": last})
    db.execute(_ROLLUP_RECORDINGS, {"chain_id": chain_id, "since": since})
    db.execute(_ROLLUP_ARTISTS, {"chain_id": chain_id, "since": since})
    db.execute(repository.ROLLUP_BREAKDOWN, {"chain_id": chain_id, "since": since})
    return last


def _wallets(db: Session, user_id: uuid.UUID) -> list[str]:
    return [a.lower() for a in db.scalars(text("select address from wallets where user_id = :u"), {"u": user_id})]


def _owns_recording(db: Session, chain_id: int, wallets: list[str], asset_id: int) -> bool:
    return bool(wallets) and db.scalar(text("""
        select exists (select 1 from assets a where a.chain_id = :c and a.asset_id = :a and a.kind = 'recording'
                       and (lower(a.controller) = any(:w)
                            or exists (select 1 from unnest(a.split_recipients) r where lower(r) = any(:w))))"""),
        {"c": chain_id, "a": asset_id, "w": wallets})


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed("`to` is before `from`: give a range that ends on or after its start", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"at most {MAX_DAYS} days per request: narrow `from`..`to`", field="from")


def daily_plays(db: Session, chain_id: int, user_id: uuid.UUID, start: date, end: date, *,
                asset_id: int | None = None, artist: str | None = None) -> list[DayPoint]:
    """One point per day of [start, end] (zeros included) for a recording of the caller or an artist address of it."""
    check_range(start, end)
    if (asset_id is None) == (artist is None):
        raise ValidationFailed("give exactly one of `asset_id` and `artist`", field="asset_id")
    wallets = _wallets(db, user_id)
    if asset_id is not None:
        if not _owns_recording(db, chain_id, wallets, asset_id):
            raise AnalyticsNotYours(f"recording {asset_id} is not one of your recordings", field="asset_id")
        rows = db.execute(select(DailyRecordingPlays.day, DailyRecordingPlays.plays, DailyRecordingPlays.listeners)
                          .where(DailyRecordingPlays.chain_id == chain_id, DailyRecordingPlays.asset_id == asset_id,
                                 DailyRecordingPlays.day.between(start, end)))
    else:
        _own_artist(db, user_id, artist)
        rows = db.execute(select(DailyArtistPlays.day, DailyArtistPlays.plays, DailyArtistPlays.listeners)
                          .where(DailyArtistPlays.chain_id == chain_id,
                                 DailyArtistPlays.artist.in_(spellings(artist)),
                                 DailyArtistPlays.day.between(start, end)))
    by_day = {day: (plays, listeners) for day, plays, listeners in rows}
    days = (end - start).days + 1
    return [DayPoint(d, *by_day.get(d, (0, 0))) for d in (start + timedelta(days=i) for i in range(days))]


def territories(db: Session, chain_id: int, user_id: uuid.UUID, asset_id: int, period_id: int | None
                ) -> list[TerritoryPoint]:
    """Partner-reported usage and net revenue of one of the caller's recordings per territory (most used first)."""
    if not _owns_recording(db, chain_id, _wallets(db, user_id), asset_id):
        raise AnalyticsNotYours(f"recording {asset_id} is not one of your recordings", field="asset_id")
    rows = db.execute(text("""
        select l.territory, sum(l.usage_count), sum(l.net_revenue), l.currency
        from usage_report_lines l join usage_reports r on r.id = l.report_id
        where r.chain_id = :c and l.asset_id = :a and (cast(:p as bigint) is null or r.period_id = :p)
        group by l.territory, l.currency order by sum(l.usage_count) desc, l.territory"""),
        {"c": chain_id, "a": asset_id, "p": period_id})
    return [TerritoryPoint(t, int(u), int(n), c) for t, u, n, c in rows]


@dataclass(frozen=True)
class Share:
    value: str  # a country code (or `unknown`), or a play source
    plays: int
    listener_days: int  # distinct listeners per day, added up over the days


@dataclass(frozen=True)
class FollowerPoint:
    day: date
    new: int
    total: int


@dataclass(frozen=True)
class AssetRevenue:
    asset_id: int
    revenue: int
    currency: str
    plays: int


@dataclass(frozen=True)
class PeriodRevenue:
    period_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    earned: int  # what the caller's wallets are entitled to from the period's statement
    assets: list[AssetRevenue]


@dataclass(frozen=True)
class EditionSales:
    edition_id: int
    asset_id: int
    payment_token: str
    max_supply: int
    sold: int
    buyers: int
    paid: int
    fees: int


def spellings(address: str) -> list[str]:
    """The forms an address may be stored in (checksummed as the chain gives it, or lower case): equality on them
    keeps to the rollups' primary keys, where `lower(artist)` would read every row."""
    from web3 import Web3

    return sorted({address, address.lower(), Web3.to_checksum_address(address)})


def _own_artist(db: Session, user_id: uuid.UUID, artist: str) -> None:
    if artist.lower() not in _wallets(db, user_id):
        raise AnalyticsNotYours(f"{artist} is not one of your wallets", field="artist")


def breakdown(db: Session, chain_id: int, user_id: uuid.UUID, artist: str, dimension: str, start: date, end: date,
              limit: int) -> list[Share]:
    """The artist's counted plays over [start, end] by listener country or play source, the most played first."""
    check_range(start, end)
    if dimension not in DIMENSIONS:
        raise ValidationFailed(f"`by` is one of {', '.join(DIMENSIONS)}", field="by")
    _own_artist(db, user_id, artist)
    rows = repository.breakdown(db, chain_id, spellings(artist), dimension, start, end, limit)
    return [Share(*row) for row in rows]


def followers(db: Session, user_id: uuid.UUID, start: date, end: date) -> list[FollowerPoint]:
    """The caller's followers at the end of each day of [start, end], and how many of them followed that day."""
    check_range(start, end)
    by_day = repository.followers_by_day(db, user_id, datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))
    total = sum(n for day, n in by_day if day < start)
    new = {day: n for day, n in by_day if day >= start}
    points = []
    for day in (start + timedelta(days=i) for i in range((end - start).days + 1)):
        total += new.get(day, 0)
        points.append(FollowerPoint(day, new.get(day, 0), total))
    return points


def revenue(db: Session, chain_id: int, user_id: uuid.UUID, limit: int) -> list[PeriodRevenue]:
    """The newest periods the caller earned in: its entitlement and each of its recordings' revenue and plays."""
    wallets = _wallets(db, user_id)
    if not wallets:
        return []
    periods = repository.earned(db, wallets, min(limit, MAX_PERIODS))
    assets: dict[int, list[AssetRevenue]] = {}
    for row in repository.revenue_per_asset(db, chain_id, wallets, [p.period_id for p in periods]):
        assets.setdefault(row.period_id, []).append(AssetRevenue(row.asset_id, int(row.revenue), row.currency,
                                                                 int(row.plays)))
    return [PeriodRevenue(p.period_id, p.starts_at, p.ends_at, p.status, int(p.earned), assets.get(p.period_id, []))
            for p in periods]


def edition_sales(db: Session, chain_id: int, user_id: uuid.UUID) -> list[EditionSales]:
    """Every edition the caller's wallets created, with tokens sold to others, distinct buyers, paid and fees."""
    wallets = _wallets(db, user_id)
    if not wallets:
        return []
    return [EditionSales(r.edition_id, r.asset_id, r.payment_token, r.max_supply, int(r.sold), int(r.buyers),
                         int(r.paid), int(r.fees)) for r in repository.edition_sales(db, chain_id, wallets)]


def to_csv(header: list[str], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
