"""Item matrices and per-group sample moments (the sufficient statistics of every estimator here).

Reliability, item-total correlations and the ML factor analysis all depend on the data only
through each group's number of complete rows and covariance matrix. They are computed here
once, vectorised over groups with :func:`numpy.bincount`, so that thousands of
government-waves cost a few passes over the data rather than a loop over groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from berakhlak_research._segments import segment_sums
from berakhlak_research.exceptions import InputError
from berakhlak_research.framework import VALUE_CODES, behaviours_of

__all__ = [
    "default_value_map",
    "check_value_map",
    "item_matrix",
    "GroupMoments",
    "group_moments",
    "pairwise_moments",
    "pool_moments",
]


def default_value_map() -> dict[str, tuple[str, ...]]:
    """The BerAKHLAK measurement model: value code -> its three behaviour items."""
    return {v: behaviours_of(v) for v in VALUE_CODES}


def check_value_map(value_map: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Validate a factor -> items mapping (default: the seven values) and return it as tuples."""
    if value_map is None:
        return default_value_map()
    out = {str(k): tuple(v) for k, v in dict(value_map).items()}
    if not out:
        raise InputError("value_map is empty; give at least one factor with its items.")
    seen: dict[str, str] = {}
    for factor, items in out.items():
        if len(items) < 2:
            raise InputError(
                f"value_map[{factor!r}] has {len(items)} item(s); a scale needs at least 2."
            )
        for item in items:
            if item in seen:
                raise InputError(
                    f"Item {item!r} is listed under both {seen[item]!r} and {factor!r} in "
                    "value_map; each item must belong to one factor."
                )
            seen[item] = factor
    return out


def item_matrix(data: pd.DataFrame, items: Sequence[str], dtype: str = "float64") -> np.ndarray:
    """Return the item columns as a float array (``dtype``) with ``NaN`` for missing answers.

    Raises
    ------
    InputError
        If ``data`` is not a DataFrame, an item column is missing, or a column is not numeric.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    items = list(items)
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise InputError(
            f"Item column(s) {missing} not found in data; available columns: "
            f"{list(map(str, data.columns))[:30]}."
        )
    try:
        return data[items].to_numpy(dtype=dtype, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise InputError(
            f"Item columns {items} must hold numeric answers (e.g. Int8 1..5): {err}"
        ) from err


@dataclass(frozen=True)
class GroupMoments:
    """Per-group moments of the listwise-complete rows of some items.

    Attributes
    ----------
    n : ndarray, shape (G,)
        Complete rows per group.
    mean : ndarray, shape (G, k)
        Item means (NaN where n == 0).
    cov : ndarray, shape (G, k, k)
        Unbiased covariance matrices (divisor n - 1; NaN where n < 2).
    answered : ndarray, shape (G, k)
        Rows per group with an answer to each item (before listwise deletion), used to say
        which item is all-missing.
    n_pair : ndarray, shape (G, k, k), optional
        Pairwise moments only (:func:`pairwise_moments`): rows answering both items of
        each pair (the diagonal: rows answering the item). None for listwise moments.
    """

    n: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    answered: np.ndarray
    n_pair: np.ndarray | None = None


def group_moments(
    x: np.ndarray, codes: np.ndarray, n_groups: int, chunk_rows: int = 500_000
) -> GroupMoments:
    """Counts, means and covariance matrices of the complete rows of ``x`` within each group.

    Parameters
    ----------
    x : ndarray, shape (N, k)
        Items, NaN = missing (float32 is enough for Likert answers and halves the memory;
        all sums are accumulated in float64).
    codes : ndarray of int, shape (N,)
        Group index 0..n_groups-1 of each row (negative = row belongs to no group).
    n_groups : int
        Number of groups.

    chunk_rows : int, default 500,000
        Rows converted to float64 at a time (memory bound of the pass).

    Notes
    -----
    The sums and cross-products of the complete rows are
    :func:`berakhlak_research._segments.segment_sums` (batched BLAS products over
    padded segments of each group), taken about (roughly) the overall mean of
    the complete rows (numerically safer than raw sums) and corrected to each
    group's own mean.
    """
    x = np.asarray(x)
    codes = np.asarray(codes)
    k = x.shape[1]
    valid = codes >= 0
    miss = np.isnan(x)
    incomplete = miss.any(axis=1)
    # answers per item = rows - missing answers, counted on the (few) incomplete rows
    part = np.flatnonzero(valid & incomplete)
    r, j = np.nonzero(miss[part])
    n_miss = np.bincount(codes[part][r] * k + j, minlength=n_groups * k).reshape(n_groups, k)
    answered = np.bincount(codes[valid], minlength=n_groups)[:, None] - n_miss
    keep = valid & ~incomplete
    del miss
    kept = np.flatnonzero(keep)
    # any centre close to the mean keeps the sums small; a strided sample of at most
    # ~100,000 rows gives one at a fraction of the cost of a float64 mean over all rows
    step = max(1, kept.size // 100_000)
    overall = x[kept[::step]].mean(axis=0, dtype="float64") if kept.size else np.zeros(k)
    n, sums, cross = segment_sums(x, codes, n_groups, rows=kept, center=overall,
                                  chunk_rows=chunk_rows)  # fmt: skip
    nf = n.astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = sums / nf[:, None]
        cov = (cross - nf[:, None, None] * mean_c[:, :, None] * mean_c[:, None, :]) / (
            nf[:, None, None] - 1
        )
    cov[n < 2] = np.nan
    return GroupMoments(n=n, mean=mean_c + overall, cov=cov, answered=answered)


def pairwise_moments(x: np.ndarray, codes: np.ndarray, n_groups: int) -> GroupMoments:
    """Per-group pairwise-complete covariances, as R's ``cov(x, use = "pairwise")``.

    Each covariance uses the rows of the group that answered both items, centred on those
    rows' own means of the two items (R's pairwise convention); a variance uses the rows
    that answered the item.

    Parameters
    ----------
    x : ndarray, shape (N, k)
        Items, NaN = missing.
    codes : ndarray of int, shape (N,)
        Group index 0..n_groups-1 of each row (negative = no group).
    n_groups : int
        Number of groups.

    Returns
    -------
    GroupMoments
        ``n``: rows with at least one answer (the n of alpha's SE and Feldt interval; psych
        counts every row it is given, the same when no row is entirely empty); ``mean``:
        each item's mean over its answers; ``cov``: the pairwise covariances (NaN where a
        pair has fewer than 2 rows); ``answered``; ``n_pair``.

    Notes
    -----
    One pass per pair of items (k (k + 1) / 2 bincounts of five sums), each over all rows:
    vectorised over respondents and groups. Values are centred on the overall item means
    first, so the sums of products stay small.
    """
    x = np.asarray(x, dtype="float64")
    codes = np.asarray(codes)
    k = x.shape[1]
    valid = codes >= 0
    avail = ~np.isnan(x) & valid[:, None]
    xc = np.where(avail, x - np.nanmean(np.where(avail, x, np.nan), axis=0), 0.0)
    answered = np.stack([np.bincount(codes[avail[:, j]], minlength=n_groups) for j in range(k)], 1)
    n = np.bincount(codes[avail.any(axis=1)], minlength=n_groups)
    n_pair = np.zeros((n_groups, k, k))
    cov = np.full((n_groups, k, k), np.nan)
    for i in range(k):  # pairs of items (a scale has a handful), all rows at once
        for j in range(i, k):
            both = avail[:, i] & avail[:, j]
            c = codes[both]
            xi, xj = xc[both, i], xc[both, j]
            m = np.bincount(c, minlength=n_groups).astype("float64")
            si = np.bincount(c, xi, minlength=n_groups)
            sj = np.bincount(c, xj, minlength=n_groups)
            sij = np.bincount(c, xi * xj, minlength=n_groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                v = np.where(m > 1, (sij - si * sj / m) / (m - 1), np.nan)
            n_pair[:, i, j] = n_pair[:, j, i] = m
            cov[:, i, j] = cov[:, j, i] = v
    sums = np.stack([np.bincount(codes[avail[:, j]], x[avail[:, j], j], minlength=n_groups)
                     for j in range(k)], 1)  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / answered
    return GroupMoments(n=n.astype("int64"), mean=mean, cov=cov,
                        answered=answered.astype("int64"), n_pair=n_pair)  # fmt: skip


def pool_moments(m: GroupMoments, parent: np.ndarray, n_parent: int) -> GroupMoments:
    """Combine groups' moments into their parents' (exact, no second pass over the data)."""
    n = np.bincount(parent, weights=m.n, minlength=n_parent)
    k = m.mean.shape[1]
    w = m.n.astype(float)
    mean_g = np.where(w[:, None] > 0, m.mean, 0.0)
    tot = np.stack([np.bincount(parent, weights=w * mean_g[:, j], minlength=n_parent)
                    for j in range(k)], 1)  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot / n[:, None]
    # within-group scatter plus between-group scatter around the parent mean
    cov_g = np.where((w > 1)[:, None, None], m.cov, 0.0)
    dev = np.where(w[:, None] > 0, mean_g - mean[parent], 0.0)
    scatter = (w - 1).clip(0)[:, None, None] * cov_g + w[:, None, None] * (
        dev[:, :, None] * dev[:, None, :]
    )
    cross = np.zeros((n_parent, k, k))
    np.add.at(cross, parent, scatter)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = cross / (n[:, None, None] - 1)
    cov[n < 2] = np.nan
    answered = np.zeros((n_parent, k), dtype="int64")
    np.add.at(answered, parent, m.answered)
    return GroupMoments(n=n.astype("int64"), mean=mean, cov=cov, answered=answered)
