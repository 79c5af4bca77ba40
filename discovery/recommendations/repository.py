"""Queries behind related recordings/artists and recommendations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from discovery.recommendations.models import RecommendationModel, RelatedArtist, RelatedRecording
from ledger.models import Asset

# Counted plays of unfrozen recordings since :since, cut into listening sessions at gaps over :gap; one row per
# (listener, session, recording). Pairs of recordings in one session are counted once per listener, so one
# account replaying a pair all day is still one listener of it. Cosine: pair listeners / sqrt(n_a * n_b).
_RELATED_RECORDINGS = text("""
    with p as (
        select p.listener_id, p.asset_id, p.played_at,
               case when p.played_at - lag(p.played_at) over w <= :gap then 0 else 1 end as starts
        from plays p join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
        where p.counted and p.chain_id = :chain_id and p.played_at >= :since and not a.frozen
        window w as (partition by p.listener_id order by p.played_at)),
    s as (
        select distinct listener_id, asset_id, session
        from (select listener_id, asset_id, sum(starts) over (partition by listener_id order by played_at) as session
              from p) numbered),
    n as (select asset_id, count(distinct listener_id) as listeners from s group by asset_id),
    pairs as (
        select x.asset_id as a, y.asset_id as b, count(distinct x.listener_id) as listeners
        from s x join s y on y.listener_id = x.listener_id and y.session = x.session and y.asset_id <> x.asset_id
        group by x.asset_id, y.asset_id),
    ranked as (
        select pairs.a, pairs.b, pairs.listeners,
               pairs.listeners / sqrt(na.listeners::float8 * nb.listeners) as score,
               row_number() over (partition by pairs.a
                                  order by pairs.listeners / sqrt(na.listeners::float8 * nb.listeners) desc,
                                           pairs.b) as position
        from pairs join n na on na.asset_id = pairs.a join n nb on nb.asset_id = pairs.b
        where pairs.listeners >= :min_listeners)
    insert into related_recordings (chain_id, asset_id, related_asset_id, score, listeners)
    select :chain_id, a, b, score, listeners from ranked where position <= :keep
""")

# Artists (controllers) whose recordings the same listeners played since :since; cosine over distinct listeners.
_RELATED_ARTISTS = text("""
    with l as (
        select distinct p.listener_id, a.controller as artist
        from plays p join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
        where p.counted and p.chain_id = :chain_id and p.played_at >= :since and not a.frozen),
    n as (select artist, count(*) as listeners from l group by artist),
    pairs as (
        select x.artist as a, y.artist as b, count(*) as listeners
        from l x join l y on y.listener_id = x.listener_id and y.artist <> x.artist
        group by x.artist, y.artist),
    ranked as (
        select pairs.a, pairs.b, pairs.listeners,
               pairs.listeners / sqrt(na.listeners::float8 * nb.listeners) as score,
               row_number() over (partition by pairs.a
                                  order by pairs.listeners / sqrt(na.listeners::float8 * nb.listeners) desc,
                                           pairs.b) as position
        from pairs join n na on na.artist = pairs.a join n nb on nb.artist = pairs.b
        where pairs.listeners >= :min_listeners)
    insert into related_artists (chain_id, artist, related_artist, score, listeners)
    select :chain_id, a, b, score, listeners from ranked where position <= :keep
""")


def rebuild_related(db: Session, chain_id: int, since: datetime, gap_s: int, keep: int, min_listeners: int
                    ) -> tuple[int, int]:
    """Replace both related tables of `chain_id`; (recording pairs, artist pairs) written."""
    db.execute(delete(RelatedRecording).where(RelatedRecording.chain_id == chain_id))
    db.execute(delete(RelatedArtist).where(RelatedArtist.chain_id == chain_id))
    params = {"chain_id": chain_id, "since": since, "keep": keep, "min_listeners": min_listeners}
    recordings = db.execute(_RELATED_RECORDINGS, {**params, "gap": f"{gap_s} seconds"}).rowcount
    artists = db.execute(_RELATED_ARTISTS, params).rowcount
    return recordings, artists


def related_recordings(db: Session, chain_id: int, asset_id: int, limit: int) -> list[RelatedRecording]:
    return list(db.scalars(select(RelatedRecording).where(
        RelatedRecording.chain_id == chain_id, RelatedRecording.asset_id == asset_id)
        .order_by(RelatedRecording.score.desc(), RelatedRecording.related_asset_id).limit(limit)))


def related_artists(db: Session, chain_id: int, artist: str, limit: int) -> list[RelatedArtist]:
    return list(db.scalars(select(RelatedArtist).where(
        RelatedArtist.chain_id == chain_id, RelatedArtist.artist == artist)
        .order_by(RelatedArtist.score.desc(), RelatedArtist.related_artist).limit(limit)))


def recordings(db: Session, chain_id: int, asset_ids: list[int]) -> dict[int, Asset]:
    if not asset_ids:
        return {}
    rows = db.scalars(select(Asset).where(Asset.chain_id == chain_id, Asset.asset_id.in_(set(asset_ids)),
                                          Asset.kind == "recording"))
    return {row.asset_id: row for row in rows}


# Recordings anyone may stream in full now: unfrozen, and not exclusive to an edition's holders.
_STREAMABLE = text("""
    select a.asset_id from assets a
    where a.chain_id = :chain_id and a.kind = 'recording' and not a.frozen and a.asset_id = any(:ids)
      and not exists (select 1 from recording_gates g where g.chain_id = a.chain_id and g.asset_id = a.asset_id)
""")


def streamable(db: Session, chain_id: int, asset_ids: list[int]) -> set[int]:
    if not asset_ids:
        return set()
    return set(db.scalars(_STREAMABLE, {"chain_id": chain_id, "ids": list(asset_ids)}))


def same_artist(db: Session, chain_id: int, artist: str, exclude: int, limit: int) -> list[int]:
    """Other recordings of the artist, the most played (counted, 90 days) first, then the newest."""
    return list(db.scalars(text("""
        select a.asset_id from assets a
        left join lateral (select count(*) as plays from plays p
                           where p.counted and p.chain_id = a.chain_id and p.asset_id = a.asset_id
                             and p.played_at >= now() - interval '90 days') c on true
        where a.chain_id = :chain_id and a.kind = 'recording' and not a.frozen and a.controller = :artist
          and a.asset_id <> :exclude
        order by c.plays desc, a.registered_block desc, a.asset_id desc limit :limit"""),
        {"chain_id": chain_id, "artist": artist, "exclude": exclude, "limit": limit}))


def listening_history(db: Session, chain_id: int, since: datetime) -> list[tuple[uuid.UUID, int, int]]:
    """(listener, recording, counted plays) since `since`: what the recommender trains on."""
    rows = db.execute(text("""
        select p.listener_id, p.asset_id, count(*) from plays p
        where p.counted and p.chain_id = :chain_id and p.played_at >= :since
        group by p.listener_id, p.asset_id"""), {"chain_id": chain_id, "since": since})
    return [(row[0], row[1], row[2]) for row in rows]


def played_since(db: Session, chain_id: int, listener_id: uuid.UUID, since: datetime) -> dict[int, int]:
    """The listener's recordings played since `since` (any play, counted or not), with their counted plays."""
    rows = db.execute(text("""
        select asset_id, count(*) filter (where counted) from plays
        where listener_id = :l and chain_id = :chain_id and played_at >= :since group by asset_id"""),
        {"l": listener_id, "chain_id": chain_id, "since": since})
    return {row[0]: row[1] for row in rows}


def popular(db: Session, chain_id: int, since: datetime, limit: int) -> list[tuple[int, int]]:
    """(recording, distinct listeners of counted plays) since `since`, most listeners first."""
    rows = db.execute(text("""
        select p.asset_id, count(distinct p.listener_id) as listeners from plays p
        join assets a on a.chain_id = p.chain_id and a.asset_id = p.asset_id
        where p.counted and p.chain_id = :chain_id and p.played_at >= :since and not a.frozen
        group by p.asset_id order by listeners desc, p.asset_id limit :limit"""),
        {"chain_id": chain_id, "since": since, "limit": limit})
    return [(row[0], row[1]) for row in rows]


def latest_model(db: Session, chain_id: int) -> RecommendationModel | None:
    return db.scalar(select(RecommendationModel).where(RecommendationModel.chain_id == chain_id)
                     .order_by(RecommendationModel.version.desc()).limit(1))


def latest_model_version(db: Session, chain_id: int) -> tuple[int, datetime] | None:
    row = db.execute(select(RecommendationModel.version, RecommendationModel.trained_at)
                     .where(RecommendationModel.chain_id == chain_id)
                     .order_by(RecommendationModel.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def start_run_if_due(db: Session, job: str, chain_id: int, every_s: int) -> bool:
    """Record a run of `job` now and say True, unless it ran less than `every_s` ago or runs elsewhere right now
    (a transaction-scoped advisory lock: a second worker skips at once instead of waiting or running alongside).
    """
    if not db.scalar(text("select pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
                     {"k": f"discovery:{job}:{chain_id}"}):
        return False
    ran = db.execute(text("""
        insert into discovery_job_runs as r (job, chain_id, ran_at) values (:job, :chain_id, now())
        on conflict (job, chain_id) do update set ran_at = now()
        where r.ran_at <= now() - make_interval(secs => :every)
        returning ran_at"""), {"job": job, "chain_id": chain_id, "every": every_s}).first()
    return ran is not None


# The genres of a recording, as its metadata document lists them (`g`), for the queries below.
_GENRES_OF = """
    join assets a on a.chain_id = :chain_id and a.asset_id = x.asset_id and a.kind = 'recording'
    join asset_metadata m on m.metadata_uri = a.metadata_uri
    cross join lateral jsonb_array_elements_text(
        case when jsonb_typeof(m.document -> 'genres') = 'array' then m.document -> 'genres' else '[]' end) g
"""

# What a listener has shown a taste for without a history the model can use: recordings liked (weight 3),
# recordings of followed artists (2), recordings played (1).
_TASTE = text(f"""
    with x as (
        select case when l.subject_id ~ '^[0-9]{{1,18}}$' then l.subject_id::bigint end as asset_id, 3 as w
        from social_likes l where l.user_id = :listener and l.subject_type = 'recording'
        union all
        select a.asset_id, 2 from social_follows f
        join wallets wl on wl.user_id = f.followee_id
        join assets a on a.chain_id = :chain_id and a.kind = 'recording' and lower(a.controller) = lower(wl.address)
        where f.follower_id = :listener
        union all
        select distinct p.asset_id, 1 from plays p where p.listener_id = :listener and p.chain_id = :chain_id)
    select g, sum(x.w) as weight from x {_GENRES_OF}
    group by g order by weight desc, g limit :limit
""")  # noqa: S608 -- the fragment is ours, the values are bound

# The catalog's genres by distinct listeners of counted plays since :since.
_TOP_GENRES = text(f"""
    with x as (select p.asset_id, p.listener_id from plays p
               where p.counted and p.chain_id = :chain_id and p.played_at >= :since)
    select g, count(distinct x.listener_id) as listeners from x {_GENRES_OF}
    group by g order by listeners desc, g limit :limit
""")  # noqa: S608 -- the fragment is ours, the values are bound

# The most listened recordings of one genre since :since (distinct listeners of counted plays).
_POPULAR_IN_GENRE = text(f"""
    with x as (select p.asset_id, p.listener_id from plays p
               where p.counted and p.chain_id = :chain_id and p.played_at >= :since)
    select x.asset_id, count(distinct x.listener_id) as listeners from x {_GENRES_OF}
    where g = :genre and not a.frozen
    group by x.asset_id order by listeners desc, x.asset_id limit :limit
""")  # noqa: S608 -- the fragment is ours, the values are bound


def taste_genres(db: Session, chain_id: int, listener_id: uuid.UUID, limit: int) -> list[str]:
    """The genres of what the listener liked, follows and played, the strongest first."""
    return [g for g, _ in db.execute(_TASTE, {"chain_id": chain_id, "listener": listener_id, "limit": limit})]


def top_genres(db: Session, chain_id: int, since: datetime, limit: int) -> list[str]:
    return [g for g, _ in db.execute(_TOP_GENRES, {"chain_id": chain_id, "since": since, "limit": limit})]


def popular_in_genre(db: Session, chain_id: int, genre: str, since: datetime, limit: int) -> list[tuple[int, int]]:
    rows = db.execute(_POPULAR_IN_GENRE, {"chain_id": chain_id, "genre": genre, "since": since, "limit": limit})
    return [(row[0], row[1]) for row in rows]


def followed_releases(db: Session, chain_id: int, listener_id: uuid.UUID, since: datetime, limit: int
                      ) -> list[tuple[int, datetime]]:
    """Recordings released since `since` by accounts the listener follows, newest first."""
    return [(a, r) for a, r in db.execute(text("""
        select r.asset_id, r.released_at from social_follows f
        join social_releases r on r.artist_id = f.followee_id and r.chain_id = :chain_id
        where f.follower_id = :listener and r.released_at >= :since
        order by r.released_at desc, r.asset_id desc limit :limit"""),
        {"chain_id": chain_id, "listener": listener_id, "since": since, "limit": limit})]
