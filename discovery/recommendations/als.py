"""Implicit-feedback matrix factorisation (ALS, Hu, Koren & Volinsky 2008) through `implicit`, and its storage.

The interaction matrix is listeners x recordings with log-damped counted plays (a listener's 200th play of a
track says little more than the 20th); `implicit` turns each value r into the confidence 1 + alpha·r.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

ALGORITHM = "implicit-als-0.7"


@dataclass(frozen=True)
class AlsParams:
    factors: int = 64
    regularization: float = 0.05
    alpha: float = 10.0
    iterations: int = 15
    seed: int = 42


@dataclass
class Factors:
    """A trained model: one row of factors per listener key and per item key."""

    user_keys: np.ndarray  # str
    item_keys: np.ndarray  # int64
    user_factors: np.ndarray  # float32, users x factors
    item_factors: np.ndarray  # float32, items x factors

    def __post_init__(self) -> None:
        self._user_index = {key: i for i, key in enumerate(self.user_keys.tolist())}
        self._item_index = {int(key): i for i, key in enumerate(self.item_keys.tolist())}
        norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
        self._unit_items = self.item_factors / np.maximum(norms, 1e-9)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(out, user_keys=self.user_keys, item_keys=self.item_keys,
                            user_factors=self.user_factors, item_factors=self.item_factors)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Factors:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            return cls(data["user_keys"], data["item_keys"], data["user_factors"], data["item_factors"])

    def user_scores(self, user_key: str) -> np.ndarray | None:
        """A score per item for the listener (None when the model has not seen them)."""
        index = self._user_index.get(user_key)
        return None if index is None else self.item_factors @ self.user_factors[index]

    def similar_items(self, item_key: int) -> np.ndarray | None:
        """Cosine similarity of every item's factors to the item's (None when the model has not seen it)."""
        index = self._item_index.get(item_key)
        return None if index is None else self._unit_items @ self._unit_items[index]


def interaction_matrix(user_index: np.ndarray, item_index: np.ndarray, plays: np.ndarray, users: int,
                       items: int) -> sp.csr_matrix:
    """Users x items, each value log1p(plays) (duplicates summed first)."""
    counts = sp.coo_matrix((plays.astype(np.float32), (user_index, item_index)), shape=(users, items)).tocsr()
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data).astype(np.float32)
    return counts


def train(matrix: sp.csr_matrix, params: AlsParams) -> tuple[np.ndarray, np.ndarray]:
    """(user factors, item factors) of the users x items matrix."""
    from implicit.cpu.als import AlternatingLeastSquares

    # implicit runs its own threads; a BLAS pool inside each of them only oversubscribes the cores.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(factors=params.factors, regularization=params.regularization,
                                        alpha=params.alpha, iterations=params.iterations, random_state=params.seed)
        model.fit(matrix, show_progress=False)
    return np.asarray(model.user_factors, dtype=np.float32), np.asarray(model.item_factors, dtype=np.float32)
