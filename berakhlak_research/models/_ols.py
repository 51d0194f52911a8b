"""Shared least-squares plumbing of the model families (DiD and value chain).

Private module of :mod:`berakhlak_research.models`: integer codes, fixed
effects, cluster sums, OLS with cluster-robust (CR1) covariance, and a cluster
bootstrap on moments.

Fixed effects are absorbed by the within transform computed
with alternating projections (subtract group means factor by factor until the
columns stop changing); group sums use sparse indicator matrices, so thousands
of units never become thousands of dummy columns.

A regression needs only the cross products ``Z'Z`` of its variables; summed
per cluster once (``C x k x k``), a cluster bootstrap replicate is a weighted
sum of those blocks, so thousands of replicates become one matrix product and
a batched solve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from berakhlak_research.exceptions import EstimationError, InputError

__all__ = [
    "check_columns",
    "codes",
    "panel_index",
    "group_sums",
    "demean",
    "unit_constant",
    "absorb",
    "ols_cr1",
    "cluster_moments",
    "bootstrap_moments",
    "solve_moments",
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


def panel_index(data: pd.DataFrame, unit: str, time: str):
    """Unit and period codes of a unit-period panel, one row per (unit, period) checked.

    Returns ``(unit_codes, unit_levels, period_codes, periods)``; ``periods`` as float.
    Shared by the DiD estimators and their few-cluster refits so both refuse the same
    panels with the same messages.
    """
    if data.duplicated([unit, time]).any():
        raise InputError(
            f"data has more than one row per ({unit!r}, {time!r}); aggregate to one row per "
            "unit and period first."
        )
    tnum = pd.to_numeric(data[time], errors="coerce")
    if tnum.isna().any():
        raise InputError(f"time={time!r} must be numeric (e.g. the survey year).")
    uc, ulev = codes(data[unit])
    tc, periods = codes(tnum.to_numpy())
    periods = periods.astype(float)
    if len(periods) < 2:
        raise EstimationError(f"time={time!r} has a single period; need at least two.")
    return uc, ulev, tc, periods


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


def absorb(frame: pd.DataFrame, columns: list[str], fixed_effects: list[str]) -> np.ndarray:
    """Within transform of ``columns`` for the fixed-effect factors (alternating projections)."""
    X = frame[columns].to_numpy(dtype="float64")
    if not fixed_effects:
        return X
    factors = [pd.factorize(frame[f])[0].astype(np.int64) for f in fixed_effects]
    return demean(X, factors)


def ols_cr1(y: np.ndarray, X: np.ndarray, cluster: np.ndarray, level: float = 0.95):
    """OLS with CR1 cluster-robust covariance and t(G - 1) inference.

    The small-sample factor is ``G/(G-1) * (N-1)/(N-K)`` with ``K`` the columns
    of ``X`` (absorbed fixed effects nested in clusters are not counted, as
    Stata's ``xtreg, fe vce(cluster)``).

    Returns
    -------
    dict
        ``beta, se, cov, ci_low, ci_high, p_value, n, n_clusters``.
    """
    N, K = X.shape
    codes, uniq = pd.factorize(cluster)
    G = len(uniq)
    if G < 2 or N <= K:
        raise EstimationError(
            f"Need at least 2 clusters and more rows than regressors; got {G} clusters, "
            f"{N} rows, {K} regressors."
        )
    XtX = X.T @ X
    try:
        XtX_inv = np.linalg.inv(XtX)
    except np.linalg.LinAlgError as err:
        raise EstimationError("The regressors are collinear (singular X'X).") from err
    if np.linalg.cond(XtX) > 1e12:
        raise EstimationError(
            "The regressors are (nearly) collinear, e.g. a variable constant within the "
            "absorbed fixed effects."
        )
    beta = XtX_inv @ (X.T @ y)
    e = y - X @ beta
    score = np.zeros((G, K))
    np.add.at(score, codes, X * e[:, None])
    meat = score.T @ score
    c = G / (G - 1) * (N - 1) / (N - K)
    cov = c * XtX_inv @ meat @ XtX_inv
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    t = stats.t.ppf(0.5 + level / 2, G - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(beta / se), G - 1)
    return {
        "beta": beta,
        "se": se,
        "cov": cov,
        "ci_low": beta - t * se,
        "ci_high": beta + t * se,
        "p_value": p,
        "n": N,
        "n_clusters": G,
    }


def cluster_moments(Z: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Per-cluster cross products ``Z_c'Z_c`` flattened to ``(C, k*k)``."""
    codes, uniq = pd.factorize(cluster)
    C, k = len(uniq), Z.shape[1]
    iu, ju = np.triu_indices(k)
    out = np.empty((C, k, k))
    for a, b in zip(iu, ju, strict=True):  # k(k+1)/2 columns, not clusters
        s = np.bincount(codes, weights=Z[:, a] * Z[:, b], minlength=C)
        out[:, a, b] = s
        out[:, b, a] = s
    return out.reshape(C, k * k)


def bootstrap_moments(moments: np.ndarray, n_boot: int, rng: np.random.Generator, chunk: int = 256):
    """Yield blocks of bootstrap cross-product matrices ``(b, k, k)``.

    Each replicate draws ``C`` clusters with replacement: multinomial counts
    times the per-cluster moments.
    """
    C, kk = moments.shape
    k = int(round(np.sqrt(kk)))
    if C < 2:
        raise InputError("The cluster bootstrap needs at least 2 clusters.")
    p = np.full(C, 1.0 / C)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        W = rng.multinomial(C, p, size=b).astype("float64")
        yield (W @ moments).reshape(b, k, k)
        done += b


def solve_moments(M: np.ndarray, xi: list[int], yi: int) -> np.ndarray:
    """Least-squares coefficients of column ``yi`` on columns ``xi`` from cross products.

    ``M`` is ``(..., k, k)``; returns ``(..., len(xi))``. Singular replicates
    (a resample without variation) give NaN.
    """
    A = M[..., xi, :][..., :, xi]
    c = M[..., xi, yi]
    out = np.full(c.shape, np.nan)
    ok = np.linalg.cond(A) < 1e12
    if ok.any():
        out[ok] = np.linalg.solve(A[ok], c[ok][..., None])[..., 0]
    return out
