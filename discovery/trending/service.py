"""Trending: which recordings, artists and editions are gaining trusted listeners now.

Computed by a periodic job into `trending_entries`, never per request. Each formula version keeps its own
lists side by side (`formula_version`), so a new formula can be compared with the one it replaces before the
API's default moves.

`v2` (the default) is `v1` with likes and reposts taken in: each account's likes and reposts of a recording
(never of its own: controller or payee wallets; never a suspended account's) add to its weight, together at most
`ENGAGEMENT_CAP`, inside the same account cap, trust weighting and same-day cohort cap as its plays.

`v1`. For each entity and window:
- an account counts once per entity, as a *distinct listener* of counted plays (the play checks' flags keep
  the rest out), never as a listener of its own recordings (controller or payee wallets);
- its activity weight grows slowly with repeat plays and is capped (`PLAY_CAP`), so 10,000 plays from one account
  weigh what 5 do;
- the weight is multiplied by the account's trust in [0, 1]: age (full at 30 days), activity diversity
  (distinct recordings in 30 days, full at 10), verified e-mail, a wallet, and the share of its plays the
  play checks flagged (each flagged play takes its share off);
- accounts younger than 30 days created on the same day add at most `COHORT_CAP` to one entity together
  (a batch of fresh accounts is one voice);
- contributions decay with the age of the account's newest play (half-life half the window) and a velocity
  term lifts entities whose trusted listeners are concentrated in the newest quarter of the window.

`v0` is plain distinct listeners of counted plays (payees excluded): the yardstick `v1` is judged against.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from discovery.trending import repository, signals
from discovery.trending.repository import Activity, Mint, TrustInputs
from discovery.trending.signals import Engagement

WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
KINDS = ("recording", "artist", "edition")
CURRENT_VERSION = "v2"
VERSIONS = ("v0", "v1", "v2")
LIST_LENGTH = 100
TRUST_HISTORY = timedelta(days=30)
PLAY_CAP = 2.0  # what repeat plays can make of one account's weight (1 + 0.25 per extra play)
ACCOUNT_CAP = 3.0  # plays, likes and reposts of one account for one entity, together
LIKE_WEIGHT, REPOST_WEIGHT = 1.0, 2.0
ENGAGEMENT_CAP = 2.0  # what likes and reposts can add to one account's weight for one entity
COHORT_CAP = 1.0  # young accounts created on one day weigh together at most one fully trusted listener
YOUNG_ACCOUNT = timedelta(days=30)
VELOCITY_BOOST = 0.5  # the most the velocity term adds, as a share of the score
BUYER_WEIGHT = 2.0  # an edition buyer (money spent) against a listener
UNKNOWN_WALLET_TRUST = 0.1  # a buyer wallet that belongs to no account of ours


@dataclass
class _Signal:
    """What one account did for one entity within the window."""

    listener_id: uuid.UUID
    plays: int = 0
    likes: int = 0
    reposts: int = 0
    last_at: datetime | None = None
    recent: bool = False

    def add(self, plays: int, last_at: datetime, recent: bool, likes: int = 0, reposts: int = 0) -> None:
        self.plays += plays
        self.likes += likes
        self.reposts += reposts
        self.last_at = last_at if self.last_at is None else max(self.last_at, last_at)
        self.recent = self.recent or recent


@dataclass(frozen=True)
class Ranked:
    entity: str
    score: float
    listeners: int


def trust(inputs: TrustInputs | None, now: datetime) -> float:
    """An account's trust in [0, 1] (0 for an account we know nothing of)."""
    if inputs is None:
        return 0.0
    age_days = max((now - inputs.created_at) / timedelta(days=1), 0.0)
    base = (0.45 * min(age_days / 30.0, 1.0) + 0.30 * min(inputs.distinct_recordings / 10.0, 1.0)
            + 0.15 * inputs.verified + 0.10 * inputs.has_wallet)
    flagged_share = inputs.flagged / inputs.plays if inputs.plays else 0.0
    return base * (1.0 - flagged_share)


def _play_weight(signal: _Signal) -> float:
    return min(1.0 + 0.25 * (signal.plays - 1), PLAY_CAP) if signal.plays else 0.0


def _weight(signal: _Signal) -> float:
    engaged = min(LIKE_WEIGHT * signal.likes + REPOST_WEIGHT * signal.reposts, ENGAGEMENT_CAP)
    return min(_play_weight(signal) + engaged, ACCOUNT_CAP)


def score_v1(signals: Iterable[_Signal], trusts: Mapping[uuid.UUID, TrustInputs], now: datetime,
             window: timedelta, weight_of: Callable[[_Signal], float] = _play_weight) -> tuple[float, int]:
    """(score, listeners that counted) of one entity under `v1` (`v2` with `weight_of=_weight`)."""
    half_life = window / 2
    cohorts: dict[object, float] = defaultdict(float)
    recent, listeners = 0.0, 0
    for signal in signals:
        inputs = trusts.get(signal.listener_id)
        weight = trust(inputs, now) * weight_of(signal)
        if weight <= 0 or signal.last_at is None:
            continue
        listeners += 1
        decay = 0.5 ** (max((now - signal.last_at) / half_life, 0.0))
        contribution = weight * (0.5 + 0.5 * decay)
        young = inputs is not None and now - inputs.created_at < YOUNG_ACCOUNT
        cohorts[inputs.created_at.date() if young else signal.listener_id] += contribution
        if signal.recent:
            recent += contribution
    capped = {day: min(total, COHORT_CAP) for day, total in cohorts.items()}
    base = sum(capped.values())
    if base <= 0:
        return 0.0, 0
    raw = sum(cohorts.values())
    velocity = min(max((recent / raw - 0.25) / 0.75, 0.0), 1.0)  # 0: as many recent as an even spread gives
    return base * (1.0 + VELOCITY_BOOST * velocity), listeners


def score_v0(signals: Iterable[_Signal], trusts: Mapping[uuid.UUID, TrustInputs], now: datetime,
             window: timedelta) -> tuple[float, int]:
    count = sum(1 for s in signals if s.plays)
    return float(count), count


def score_v2(signals: Iterable[_Signal], trusts: Mapping[uuid.UUID, TrustInputs], now: datetime,
             window: timedelta) -> tuple[float, int]:
    return score_v1(signals, trusts, now, window, _weight)


FORMULAS: dict[str, Callable[..., tuple[float, int]]] = {"v0": score_v0, "v1": score_v1, "v2": score_v2}
ENGAGED = frozenset({"v2"})  # versions that read likes and reposts


def _rank(by_entity: Mapping[str, Mapping[uuid.UUID, _Signal]], formula, trusts, now, window,
          extra: Mapping[str, tuple[float, int]] | None = None) -> list[Ranked]:
    """`extra`: entity -> (score, listeners) scored outside the formula (edition buyers)."""
    ranked = []
    for entity in set(by_entity) | set(extra or {}):
        score, listeners = formula(by_entity.get(entity, {}).values(), trusts, now, window)
        extra_score, extra_listeners = (extra or {}).get(entity, (0.0, 0))
        score, listeners = score + extra_score, listeners + extra_listeners
        if score > 0:
            ranked.append(Ranked(entity, score, listeners))
    # Ties: more listeners first, then the entity's key, so a list never reshuffles between equal runs.
    ranked.sort(key=lambda r: (-r.score, -r.listeners, r.entity))
    return ranked[:LIST_LENGTH]


def _edition_scores(mints: Sequence[Mint], recordings: Sequence[Ranked], trusts, now
                    ) -> dict[str, tuple[float, int]]:
    """Trusted distinct buyers of each edition, plus a share of its recording's trending score."""
    by_asset = {int(r.entity): r.score for r in recordings}
    editions: dict[int, int] = {}
    buyers: dict[int, set[tuple[str, uuid.UUID | None]]] = defaultdict(set)
    for mint in mints:
        editions[mint.edition_id] = mint.asset_id
        buyers[mint.edition_id].add((mint.recipient.lower(), mint.user_id))
    scores = {}
    for edition_id, asset_id in editions.items():
        bought = sum(trust(trusts.get(user_id), now) if user_id else UNKNOWN_WALLET_TRUST
                     for _, user_id in buyers[edition_id])
        scores[str(edition_id)] = (BUYER_WEIGHT * bought + 0.5 * by_asset.get(asset_id, 0.0), len(buyers[edition_id]))
    return scores


Buckets = dict[str, dict[uuid.UUID, _Signal]]


def _buckets(acts: Sequence[Activity], likes: Sequence[Engagement], now: datetime, window: timedelta
             ) -> tuple[Buckets, Buckets]:
    """(recordings, artists): what each account did for each entity, plays and likes/reposts alike."""
    recordings: Buckets = defaultdict(dict)
    artists: Buckets = defaultdict(dict)
    artist_of = {a.asset_id: a.artist for a in acts}
    for a in acts:
        for bucket, key in ((recordings, str(a.asset_id)), (artists, a.artist)):
            bucket[key].setdefault(a.listener_id, _Signal(a.listener_id)).add(a.plays, a.last_at, a.recent > 0)
    for e in likes:
        recent = e.last_at >= now - window / 4
        artist = e.artist or artist_of.get(e.asset_id)
        keys = [(recordings, str(e.asset_id))] + ([(artists, artist)] if artist else [])
        for bucket, key in keys:
            bucket[key].setdefault(e.listener_id, _Signal(e.listener_id)).add(0, e.last_at, recent, e.likes,
                                                                              e.reposts)
    return recordings, artists


def _by_territory(acts: Sequence[Activity], likes: Sequence[Engagement]
                  ) -> dict[str, tuple[list[Activity], list[Engagement]]]:
    """Plays split by the country they were played from; an account's likes and reposts go to the country it
    played from most in the window (none: they count in the lists over every territory only)."""
    split: dict[str, tuple[list[Activity], list[Engagement]]] = defaultdict(lambda: ([], []))
    home: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in acts:
        if a.country:
            split[a.country][0].append(a)
            home[a.listener_id][a.country] += a.plays
    for e in likes:
        countries = home.get(e.listener_id)
        if countries:
            split[max(countries, key=lambda c: (countries[c], c))][1].append(e)
    return split


def _rows(version: str, window: str, chain_id: int, lists: Mapping[tuple[str, str, str], list[Ranked]]
          ) -> list[dict]:
    return [{"formula_version": version, "kind": kind, "window": window, "genre": genre, "territory": territory,
             "rank": rank, "chain_id": chain_id, "entity": r.entity, "score": r.score, "listeners": r.listeners}
            for (kind, genre, territory), ranked in lists.items() for rank, r in enumerate(ranked, start=1)]


def compute(db: Session, chain_id: int, now: datetime, *, genres: Mapping[int, Sequence[str]],
            engagement: Callable[[datetime], list[Engagement]]) -> dict[str, list[dict]]:
    """Every list of every formula version as rows of `trending_entries` (not written): over everything, per
    genre (recordings) and per territory (recordings and artists)."""
    out: dict[str, list[dict]] = {version: [] for version in VERSIONS}
    hidden = {str(a) for a in signals.hidden_recordings(db, chain_id)}
    for window_name, window in WINDOWS.items():
        since = now - window
        acts = [a for a in repository.activity(db, chain_id, since, now, now - window / 4)
                if str(a.asset_id) not in hidden]
        likes = [e for e in engagement(since) if e.last_at < now and str(e.asset_id) not in hidden]
        mints = repository.mints(db, chain_id, since, now)
        listener_ids = {a.listener_id for a in acts} | {e.listener_id for e in likes}
        listener_ids |= {m.user_id for m in mints if m.user_id}
        trusts = repository.trust_inputs(db, sorted(listener_ids), now - TRUST_HISTORY, now)
        territories = _by_territory(acts, likes)
        for version, formula in FORMULAS.items():
            engaged = likes if version in ENGAGED else []
            recordings, artists = _buckets(acts, engaged, now, window)
            lists: dict[tuple[str, str, str], list[Ranked]] = {}
            lists[("recording", "", "")] = _rank(recordings, formula, trusts, now, window)
            lists[("artist", "", "")] = _rank(artists, formula, trusts, now, window)
            lists[("edition", "", "")] = _rank({}, formula, trusts, now, window,
                                               _edition_scores(mints, lists[("recording", "", "")], trusts, now))
            for genre in sorted({g for gs in genres.values() for g in gs}):
                in_genre = {k: v for k, v in recordings.items() if genre in genres.get(int(k), ())}
                lists[("recording", genre, "")] = _rank(in_genre, formula, trusts, now, window)
            for territory, (local_acts, local_likes) in sorted(territories.items()):
                local = _buckets(local_acts, local_likes if version in ENGAGED else [], now, window)
                lists[("recording", "", territory)] = _rank(local[0], formula, trusts, now, window)
                lists[("artist", "", territory)] = _rank(local[1], formula, trusts, now, window)
            out[version] += _rows(version, window_name, chain_id, lists)
    return out


def refresh(db: Session, chain_id: int, *, genres: Mapping[int, Sequence[str]],
            engagement: Callable[[datetime], list[Engagement]], now: datetime | None = None) -> dict[str, int]:
    """Recompute and swap in every list of every version; entries per version. The caller commits."""
    now = now or db.scalar(select(func.now()))
    lists = compute(db, chain_id, now, genres=genres, engagement=engagement)
    for version, rows in lists.items():
        repository.replace_lists(db, version, rows, now)
    return {version: len(rows) for version, rows in lists.items()}


def is_due(db: Session, every: timedelta) -> bool:
    run = repository.last_run(db, CURRENT_VERSION)
    return run is None or db.scalar(select(func.now())) - run.computed_at >= every


