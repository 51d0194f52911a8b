"""Shared plumbing of the intervention models: codes, demeaning, cluster sums.

Private module. Fixed effects are absorbed by the within transform computed
with alternating projections (subtract group means factor by factor until the
columns stop changing); group sums use sparse indicator matrices, so thousands
of units never become thousands of dummy columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from berakhlak_research.exceptions import EstimationError, InputError

__all__ = [
    "check_columns",
    "codes",
    "group_sums",
    "demean",
    "unit_constant",
]


def check_columns(data: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """Raise :class:`InputError` naming the argument whose column is missing."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    for arg, col in columns.items():
        if col is not None and col not in data.columns:
            raise InputError(
                f"{arg}={col!r} is not a column of data; columns are {list(data.columns)}."
            )


def codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 and the sorted unique levels of ``values``."""
    vals = pd.Series(values)
    if vals.isna().any():
        raise InputError(f"Column {vals.name!r} has missing values; drop or fill them first.")
    code, levels = pd.factorize(vals, sort=True)
    return code.astype(np.int64), np.asarray(levels)


def _indicator(code: np.ndarray, n_levels: int) -> sparse.csr_matrix:
    n = code.shape[0]
    return sparse.csr_matrix((np.ones(n), (code, np.arange(n))), shape=(n_levels, n))


def group_sums(code: np.ndarray, values: np.ndarray, n_levels: int | None = None) -> np.ndarray:
    """Column sums of ``values`` (rows x k) within the groups given by ``code``."""
    n_levels = int(code.max()) + 1 if n_levels is None else n_levels
    values = np.asarray(values, dtype=float)
    return np.asarray(_indicator(code, n_levels) @ values)


def demean(
    x: np.ndarray, factors: list[np.ndarray], tol: float = 1e-10, max_iter: int = 1000
) -> np.ndarray:
    """Within transform of the columns of ``x`` for several fixed-effect factors.

    Alternating projections (the method of Gaure 2013, as in R's lfe and
    fixest): subtract the group means of each factor in turn and repeat until
    the largest change is below ``tol`` times the columns' scale. A balanced
    two-way panel converges after one sweep.

    Raises
    ------
    EstimationError
        If the projections have not converged after ``max_iter`` sweeps.
    """
    out = np.array(x, dtype=float, copy=True)
    if out.ndim == 1:
        out = out[:, None]
    mats = []
    for f in factors:
        k = int(f.max()) + 1
        ind = _indicator(f, k)
        counts = np.asarray(ind.sum(axis=1)).ravel()
        mats.append((ind, counts))
    scale = max(float(np.abs(out).max()) if out.size else 0.0, 1.0)
    for _ in range(max_iter):
        before = out.copy()
        for ind, counts in mats:
            means = np.asarray(ind @ out) / counts[:, None]
            out -= np.asarray(ind.T @ means)
        if np.abs(out - before).max(initial=0.0) <= tol * scale:
            return out
    raise EstimationError(
        f"Fixed-effect demeaning did not converge in {max_iter} sweeps; the panel may be "
        "too fragmented (check units observed in a single period)."
    )


def unit_constant(data: pd.DataFrame, unit_code: np.ndarray, n_units: int, col: str, arg: str):
    """The value of ``col`` per unit, checking that it does not vary within a unit."""
    s = data[col]
    first = pd.Series(s.to_numpy()).groupby(unit_code).first()
    nun = pd.Series(s.to_numpy()).groupby(unit_code).nunique(dropna=False)
    if (nun > 1).any():
        bad = int((nun > 1).sum())
        raise InputError(
            f"{arg}={col!r} varies within {bad} unit(s); it must be constant per unit "
            "(e.g. the year a unit was first treated, or the government it belongs to)."
        )
    out = first.reindex(range(n_units)).to_numpy()
    return out
