"""Group-wise building blocks: label factorisation and grouped sums without Python loops."""

from __future__ import annotations

import numpy as np

# Above this many bins per row a dense lookup table wastes memory; fall back to sorting.
_DENSE_FACTOR = 16


def factorize(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (sorted unique labels, code per row) with codes in 0..len(uniques)-1.

    Small non-negative integer labels (the usual database ids) take an O(n) path through a
    presence table instead of a sort.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError("labels must be one-dimensional")
    if labels.size and labels.dtype.kind in "iu":
        low, high = int(labels.min()), int(labels.max())
        if low >= 0 and high < _DENSE_FACTOR * labels.size + 1024:
            present = np.zeros(high + 1, dtype=bool)
            present[labels] = True
            uniques = np.flatnonzero(present)
            lookup = np.cumsum(present, dtype=np.int32) - 1
            return uniques.astype(labels.dtype), lookup[labels].astype(np.int64)
    uniques, codes = np.unique(labels, return_inverse=True)
    return uniques, codes.reshape(-1).astype(np.int64)


def group_sum(codes: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=n_groups).astype(np.float64)


def key_counts(keys: np.ndarray) -> np.ndarray:
    """Number of rows sharing each row's key."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]
