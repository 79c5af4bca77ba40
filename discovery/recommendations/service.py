"""Related recordings and artists, and personal recommendations.

Related recordings come from listening sessions (plays of one listener split at 30-minute gaps): two
recordings are related by how many distinct listeners played both in one session, as a cosine. A recording
too new or too rarely played for that has the artist's other recordings as a fallback (genre and tags join the
fallback when the vocabulary exists). Related artists: the same cosine over listeners of each artist.

Recommendations rank recordings with an implicit-feedback ALS model trained by a periodic job (each model a
new version row; the newest serves). Every list is filtered the same way: nothing the listener played in the
last 60 days, at most 2 per artist in any 20 in a row, nothing frozen, hidden or exclusive, recordings only.
Listeners the model does not know (or with less history than `MIN_HISTORY`) get what is popular in their genres:
the genres of what they liked, the artists they follow and the little they played, or else the catalog's most
listened genres; the genres' popular recordings take turns, and what is popular overall fills the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from discovery.recommendations import als, repository
from discovery.recommendations.models import RecommendationModel
from discovery.trending import signals
from harmoni.errors import NotFound
from ledger import catalog
from ledger.models import Asset

SESSION_GAP = timedelta(minutes=30)
RELATED_KEEP = 50  # related recordings/artists kept per item
RELATED_MIN_LISTENERS = 1
NOT_AGAIN_WITHIN = timedelta(days=60)
PER_ARTIST, PER_SPAN = 2, 20
MIN_HISTORY = 3  # distinct recordings before a listener's own history ranks anything
POPULAR_SINCE = timedelta(days=30)
BECAUSE_SEEDS = 3
COLD_GENRES = 3  # genres a cold-start list draws from
CANDIDATES = 500  # model scores taken before filtering
NEW_RELEASES_WITHIN = timedelta(days=30)  # "new from artists you follow"
_models: dict[tuple[int, int], als.Factors] = {}  # (chain id, version) -> factors; versions never change


class RecordingNotFound(NotFound):
    slug = "recording-not-found"
    title = "No such recording"


class ArtistNotFound(NotFound):
    slug = "artist-not-found"
    title = "No such artist"


@dataclass(frozen=True)
class Item:
    asset_id: int
    artist: str
    title: str | None
    score: float
    source: str = "model"


@dataclass(frozen=True)
class ForYou:
    model_version: int | None
    cold_start: bool
    for_you: list[Item]
    because: list[tuple[Item, list[Item]]]
    genres: list[str] = field(default_factory=list)  # cold start: the genres `for_you` is popular in
    new_from_followed: list[Item] = field(default_factory=list)


def _now(db: Session) -> datetime:
    return db.scalar(select(func.now()))


def _items(db: Session, chain_id: int, scored: Iterable[tuple[int, float, str]]) -> list[Item]:
    scored = list(scored)
    assets = repository.recordings(db, chain_id, [a for a, _, _ in scored])
    titles = catalog.titles_of(db, [a.metadata_uri for a in assets.values()])
    return [Item(a, assets[a].controller, titles.get(assets[a].metadata_uri), score, source)
            for a, score, source in scored if a in assets]


def diversify(candidates: Iterable[Item], limit: int, per_artist: int = PER_ARTIST, span: int = PER_SPAN
              ) -> list[Item]:
    """The best candidates in order, skipping one whose artist already has `per_artist` in the last `span` - 1."""
    picked: list[Item] = []
    for item in candidates:
        recent = picked[-(span - 1):] if span > 1 else []
        if sum(1 for p in recent if p.artist == item.artist) < per_artist:
            picked.append(item)
            if len(picked) == limit:
                break
    return picked


def related_recordings(db: Session, chain_id: int, asset_id: int, limit: int) -> list[Item]:
    """Recordings played in the same sessions, then (for cold ones) the artist's others: streamable only."""
    asset = repository.recordings(db, chain_id, [asset_id]).get(asset_id)
    hidden = signals.hidden_recordings(db, chain_id)
    if asset is None or asset.frozen or asset_id in hidden:
        raise RecordingNotFound(f"no recording {asset_id}", field="asset_id")
    rows = [(r.related_asset_id, r.score, "sessions")
            for r in repository.related_recordings(db, chain_id, asset_id, RELATED_KEEP)]
    seen = {a for a, _, _ in rows} | {asset_id}
    if len(rows) < limit:
        rows += [(a, 0.0, "artist") for a in repository.same_artist(db, chain_id, asset.controller, asset_id,
                                                                     limit) if a not in seen]
    ok = repository.streamable(db, chain_id, [a for a, _, _ in rows]) - hidden
    return _items(db, chain_id, [r for r in rows if r[0] in ok])[:limit]


def related_artists(db: Session, chain_id: int, artist: str, limit: int) -> list[tuple[str, float, int]]:
    if db.scalar(select(Asset.asset_id).where(Asset.chain_id == chain_id, Asset.kind == "recording",
                                             Asset.controller == artist).limit(1)) is None:
        raise ArtistNotFound(f"no recording is controlled by {artist}", field="address")
    return [(r.related_artist, r.score, r.listeners) for r in repository.related_artists(db, chain_id, artist, limit)]


def rebuild_related(db: Session, chain_id: int, history: timedelta) -> tuple[int, int]:
    return repository.rebuild_related(db, chain_id, _now(db) - history, int(SESSION_GAP.total_seconds()),
                                      RELATED_KEEP, RELATED_MIN_LISTENERS)


def train(db: Session, chain_id: int, history: timedelta, params: als.AlsParams) -> RecommendationModel | None:
    """Train on counted plays of `history` and store the model as the newest version (None: too little data)."""
    rows = repository.listening_history(db, chain_id, _now(db) - history)
    users = sorted({str(u) for u, _, _ in rows})
    items = sorted({a for _, a, _ in rows})
    if len(users) < 2 or len(items) < 2:
        return None
    user_index = {u: i for i, u in enumerate(users)}
    item_index = {a: i for i, a in enumerate(items)}
    matrix = als.interaction_matrix(np.array([user_index[str(u)] for u, _, _ in rows]),
                                    np.array([item_index[a] for _, a, _ in rows]),
                                    np.array([p for _, _, p in rows]), len(users), len(items))
    # More factors than items or listeners fit nothing but noise.
    fitted = als.AlsParams(**{**params.__dict__, "factors": max(2, min(params.factors, len(items), len(users)))})
    user_factors, item_factors = als.train(matrix, fitted)
    factors = als.Factors(np.array(users), np.array(items, dtype=np.int64), user_factors, item_factors)
    model = RecommendationModel(chain_id=chain_id, algorithm=als.ALGORITHM, trained_at=_now(db),
                                params={**fitted.__dict__, "listeners": len(users), "items": len(items),
                                        "interactions": len(rows)},
                                blob=factors.to_bytes())
    db.add(model)
    db.flush()
    return model


def _model(db: Session, chain_id: int) -> tuple[int, als.Factors] | None:
    latest = repository.latest_model_version(db, chain_id)
    if latest is None:
        return None
    version = latest[0]
    if (chain_id, version) not in _models:
        row = db.get(RecommendationModel, version)
        if len(_models) >= 4:
            _models.clear()
        _models[(chain_id, version)] = als.Factors.from_bytes(row.blob)
    return version, _models[(chain_id, version)]


def _ranked(factors: als.Factors, scores: np.ndarray, exclude: set[int]) -> list[tuple[int, float, str]]:
    top = np.argsort(-scores)[:CANDIDATES + len(exclude)]
    return [(int(factors.item_keys[i]), float(scores[i]), "model") for i in top
            if int(factors.item_keys[i]) not in exclude]


def _filtered(db: Session, chain_id: int, listener_id: uuid.UUID, scored: list[tuple[int, float, str]], limit: int
              ) -> list[Item]:
    ok = (repository.streamable(db, chain_id, [a for a, _, _ in scored])
          - signals.hidden_recordings(db, chain_id, listener_id))
    return diversify(_items(db, chain_id, [s for s in scored if s[0] in ok]), limit)


def _cold_start(db: Session, chain_id: int, listener_id: uuid.UUID, now: datetime, exclude: set[int], limit: int
                ) -> tuple[list[Item], list[str]]:
    """Popular in the listener's genres (or the catalog's top genres), taking turns, then popular overall."""
    since = now - POPULAR_SINCE
    genres = (repository.taste_genres(db, chain_id, listener_id, COLD_GENRES)
              or repository.top_genres(db, chain_id, since, COLD_GENRES))
    lists = [[(a, float(n), f"popular:{g}") for a, n in repository.popular_in_genre(db, chain_id, g, since, CANDIDATES)
              if a not in exclude] for g in genres]
    turns = [row for rank in range(max(map(len, lists), default=0)) for row in
             (ranked[rank] for ranked in lists if rank < len(ranked))]
    popular = [(a, float(n), "popular") for a, n in repository.popular(db, chain_id, since, CANDIDATES + len(exclude))
               if a not in exclude]
    first: dict[int, tuple[int, float, str]] = {}
    for row in turns + popular:
        first.setdefault(row[0], row)
    return _filtered(db, chain_id, listener_id, list(first.values()), limit), genres


def recommend(db: Session, chain_id: int, listener_id: uuid.UUID, limit: int = 20) -> ForYou:
    now = _now(db)
    recent = repository.played_since(db, chain_id, listener_id, now - NOT_AGAIN_WITHIN)
    exclude = set(recent)
    loaded = _model(db, chain_id)
    scores = loaded[1].user_scores(str(listener_id)) if loaded else None
    history = repository.played_since(db, chain_id, listener_id, now - timedelta(days=365))
    cold = scores is None or sum(1 for plays in history.values() if plays) < MIN_HISTORY
    genres: list[str] = []
    if cold:
        for_you, genres = _cold_start(db, chain_id, listener_id, now, exclude, limit)
    else:
        for_you = _filtered(db, chain_id, listener_id, _ranked(loaded[1], scores, exclude), limit)
    because = []
    seeds = sorted((a for a, plays in history.items() if plays), key=lambda a: (-history[a], a))[:BECAUSE_SEEDS]
    for seed in seeds:
        similar = loaded[1].similar_items(seed) if loaded else None
        if similar is not None:
            scored = _ranked(loaded[1], similar, exclude | {seed})
        else:
            scored = [(r.related_asset_id, r.score, "sessions")
                      for r in repository.related_recordings(db, chain_id, seed, RELATED_KEEP)
                      if r.related_asset_id not in exclude]
        items = _filtered(db, chain_id, listener_id, scored, 10)
        seed_item = _items(db, chain_id, [(seed, 0.0, "history")])
        if items and seed_item:
            because.append((seed_item[0], items))
    return ForYou(None if cold or loaded is None else loaded[0], cold, for_you, because, genres,
                  new_from_followed(db, chain_id, listener_id, now, limit))


def new_from_followed(db: Session, chain_id: int, listener_id: uuid.UUID, now: datetime, limit: int) -> list[Item]:
    """Releases of the last 30 days by followed accounts, newest first (score: how fresh, 1 = now), through the
    same filters as every list: streamable, nothing hidden or blocked, at most 2 per artist per 20."""
    since = now - NEW_RELEASES_WITHIN
    rows = repository.followed_releases(db, chain_id, listener_id, since, CANDIDATES)
    span = NEW_RELEASES_WITHIN.total_seconds()
    scored = [(a, max(0.0, (released - since).total_seconds() / span), "followed") for a, released in rows]
    return _filtered(db, chain_id, listener_id, scored, limit)
