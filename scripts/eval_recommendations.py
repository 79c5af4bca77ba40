"""Offline evaluation of the recommender on a generated listening history, against popularity and item-kNN.

    python scripts/eval_recommendations.py [--listeners 20000] [--tracks 50000] [--genres 25] [--seed 16]

The history (seeded, so every run is the same): tracks in genres, each by an artist of the genre, with Zipf
popularity inside the genre; each listener has a mixture of 1-3 genres and listens in sessions (one genre per
session, 3-15 plays); a tenth of the plays are of globally popular tracks whatever the genre. Split by time:
each listener's last 20% of plays are held out; the relevant items are the held-out tracks not heard before.
Every model recommends 20 tracks the listener did not hear in training:

- `recommender`: the platform's ALS (`discovery.recommendations.als`, the parameters the job uses) and its
  diversity rule (at most 2 per artist in any 20);
- `popularity`: the most played tracks of the training period;
- `item_knn`: cosine item-item similarity over who played what, 50 neighbours per track.

Prints one JSON line: per model `ndcg_at_10`, `recall_at_20`, `map_at_10`, `coverage`, `train_s` (the
recommender also `ndcg_at_10_without_artist_rule`), and `ndcg_vs_popularity` (target >= 1.5). Metrics are
`discovery.recommendations.metrics`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from discovery.recommendations import als, metrics
from discovery.recommendations.service import PER_ARTIST, PER_SPAN

TOP = 20
BATCH = 500


def generate(listeners: int, tracks: int, genres: int, seed: int):
    """(user, item, time) plays, the genre and artist of each track."""
    rng = np.random.default_rng(seed)
    genre_of = rng.integers(0, genres, tracks)
    members = [np.flatnonzero(genre_of == g) for g in range(genres)]
    cdfs = []
    for items in members:
        rng.shuffle(items)
        weights = 1.0 / np.arange(1, len(items) + 1) ** 1.05
        cdfs.append(np.cumsum(weights) / weights.sum())
    artist_of = np.empty(tracks, dtype=np.int64)
    next_artist = 0
    for items in members:  # artists of ~8 tracks each inside a genre
        artist_of[items] = next_artist + np.arange(len(items)) // 8
        next_artist += len(items) // 8 + 1
    global_weights = 1.0 / np.arange(1, tracks + 1) ** 0.9
    global_order = rng.permutation(tracks)
    global_cdf = np.cumsum(global_weights) / global_weights.sum()

    users, items, times = [], [], []
    for user in range(listeners):
        k = rng.integers(1, 4)
        tastes = rng.choice(genres, k, replace=False)
        mixture = rng.dirichlet(np.ones(k))
        sessions = max(2, int(rng.lognormal(1.4, 0.6)))
        clock = rng.uniform(0, 30)
        for _ in range(sessions):
            g = tastes[rng.choice(k, p=mixture)]
            length = rng.integers(3, 16)
            picks = members[g][np.minimum(np.searchsorted(cdfs[g], rng.random(length)), len(members[g]) - 1)]
            noise = rng.random(length) < 0.1
            picks[noise] = global_order[np.minimum(np.searchsorted(global_cdf, rng.random(noise.sum())), tracks - 1)]
            users.append(np.full(length, user))
            items.append(picks)
            times.append(clock + np.arange(length) * 0.002)  # minutes apart, in days
            clock += rng.exponential(2.0)
    return np.concatenate(users), np.concatenate(items), np.concatenate(times), genre_of, artist_of


def split(users, items, times, listeners: int, tracks: int, holdout: float = 0.2):
    """Train matrix (counts) and held-out relevant items per listener: each listener's last plays by time."""
    order = np.lexsort((times, users))
    users, items = users[order], items[order]
    starts = np.searchsorted(users, np.arange(listeners))
    ends = np.append(starts[1:], len(users))
    test_mask = np.zeros(len(users), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        n = end - start
        cut = end - max(1, round(n * holdout))
        test_mask[cut:end] = True
    train = sp.coo_matrix((np.ones((~test_mask).sum(), dtype=np.float32), (users[~test_mask], items[~test_mask])),
                          shape=(listeners, tracks)).tocsr()
    train.sum_duplicates()
    held_out = {}
    for user, item in zip(users[test_mask], items[test_mask], strict=True):
        held_out.setdefault(int(user), set()).add(int(item))
    for user, relevant in held_out.items():
        seen = set(train.indices[train.indptr[user]:train.indptr[user + 1]].tolist())
        relevant -= seen
    return train, held_out


def top_unseen(scores: np.ndarray, train: sp.csr_matrix, rows: range, k: int) -> list[np.ndarray]:
    """Per row, the k best items the listener did not play in training, best first."""
    scores = scores.copy()
    for offset, user in enumerate(rows):
        scores[offset, train.indices[train.indptr[user]:train.indptr[user + 1]]] = -np.inf
    part = np.argpartition(-scores, k, axis=1)[:, :k]
    picked = np.take_along_axis(scores, part, axis=1)
    return [row[np.argsort(-vals, kind="stable")] for row, vals in zip(part, picked, strict=True)]


def diversified(ranked: np.ndarray, artist_of: np.ndarray, k: int) -> list[int]:
    picked: list[int] = []
    for item in ranked.tolist():
        recent = picked[-(PER_SPAN - 1):]
        if sum(1 for p in recent if artist_of[p] == artist_of[item]) < PER_ARTIST:
            picked.append(item)
            if len(picked) == k:
                break
    return picked


def evaluate_als(train, held_out, artist_of, params: als.AlsParams):
    counts = train.copy()
    counts.data = np.log1p(counts.data).astype(np.float32)
    started = time.perf_counter()
    user_factors, item_factors = als.train(counts, params)
    train_s = time.perf_counter() - started
    recommendations, plain = {}, {}
    users = sorted(held_out)
    for i in range(0, len(users), BATCH):
        rows = users[i:i + BATCH]
        scores = user_factors[rows] @ item_factors.T
        for user, ranked in zip(rows, top_unseen(scores, train, rows, TOP * 3), strict=True):
            recommendations[user] = diversified(ranked, artist_of, TOP)
            plain[user] = ranked[:TOP].tolist()
    return recommendations, train_s, plain


def evaluate_popularity(train, held_out):
    started = time.perf_counter()
    plays = np.asarray(train.sum(axis=0)).ravel()
    order = np.argsort(-plays, kind="stable")[:TOP + 500]
    train_s = time.perf_counter() - started
    recommendations = {}
    for user in held_out:
        seen = set(train.indices[train.indptr[user]:train.indptr[user + 1]].tolist())
        recommendations[user] = [int(i) for i in order if i not in seen][:TOP]
    return recommendations, train_s, None


def evaluate_item_knn(train, held_out, neighbours: int = 50):
    started = time.perf_counter()
    binary = train.copy()
    binary.data[:] = 1.0
    norms = np.sqrt(np.asarray(binary.sum(axis=0)).ravel())
    co = (binary.T @ binary).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    co = sp.diags(1.0 / np.maximum(norms, 1e-9)) @ co @ sp.diags(1.0 / np.maximum(norms, 1e-9))
    co = co.tocsr()
    rows, cols, vals = [], [], []
    for item in range(co.shape[0]):  # keep each item's strongest neighbours
        start, end = co.indptr[item], co.indptr[item + 1]
        if end - start > neighbours:
            keep = start + np.argpartition(-co.data[start:end], neighbours)[:neighbours]
        else:
            keep = np.arange(start, end)
        rows.append(np.full(len(keep), item))
        cols.append(co.indices[keep])
        vals.append(co.data[keep])
    similarity = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=co.shape)
    train_s = time.perf_counter() - started
    recommendations = {}
    users = sorted(held_out)
    for i in range(0, len(users), BATCH):
        rows_ = users[i:i + BATCH]
        scores = (binary[rows_] @ similarity).toarray()
        for user, ranked in zip(rows_, top_unseen(scores, train, rows_, TOP), strict=True):
            recommendations[user] = ranked.tolist()
    return recommendations, train_s, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=20_000)
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--genres", type=int, default=25)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--factors", type=int, default=als.AlsParams.factors)
    parser.add_argument("--iterations", type=int, default=als.AlsParams.iterations)
    args = parser.parse_args()

    users, items, times, _genre_of, artist_of = generate(args.listeners, args.tracks, args.genres, args.seed)
    train, held_out = split(users, items, times, args.listeners, args.tracks)
    held_out = {u: r for u, r in held_out.items() if r}
    results = {}
    params = als.AlsParams(factors=args.factors, iterations=args.iterations)
    for name, run in (("recommender", lambda: evaluate_als(train, held_out, artist_of, params)),
                      ("popularity", lambda: evaluate_popularity(train, held_out)),
                      ("item_knn", lambda: evaluate_item_knn(train, held_out))):
        recommendations, train_s, undiversified = run()
        scores = metrics.evaluate(recommendations, held_out, args.tracks)
        results[name] = {k: round(v, 4) for k, v in scores.items()} | {"train_s": round(train_s, 2)}
        if undiversified is not None:  # what the 2-per-artist rule costs
            plain = metrics.evaluate(undiversified, held_out, args.tracks)
            results[name]["ndcg_at_10_without_artist_rule"] = round(plain["ndcg_at_10"], 4)
    popularity = results["popularity"]["ndcg_at_10"]
    print(json.dumps({
        **results,
        "ndcg_vs_popularity": round(results["recommender"]["ndcg_at_10"] / popularity, 2) if popularity else None,
        "listeners": args.listeners, "tracks": args.tracks, "plays": len(users),
        "evaluated_listeners": len(held_out), "seed": args.seed, "params": params.__dict__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
