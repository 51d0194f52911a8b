"""Fast path for one grouping factor: sufficient statistics, REML profiled over lambda.

See the package docstring (:mod:`berakhlak_research.models.multilevel`) for the algebra.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from berakhlak_research.exceptions import EstimationError
from berakhlak_research.models.multilevel._design import design
from berakhlak_research.models.multilevel._profile import profile_intervals
from berakhlak_research.models.multilevel._result import FAST_PATH, LOG2PI, MixedResult, fixed_table

__all__ = [
    "Stats",
    "centre",
    "criterion_value",
    "fit_fast",
    "profile",
    "random_intercept_fast",
    "sufficient_stats",
]


@dataclass
class Stats:
    n: np.ndarray  # (G,) group sizes
    S: np.ndarray  # (G, p) group column sums of X
    t: np.ndarray  # (G,) group sums of y
    XtX: np.ndarray
    Xty: np.ndarray
    yty: float
    N: int
    # The weights w_g depend on n_g only: groups of equal size are pooled once,
    # so a likelihood evaluation costs O(K p^2) for K distinct sizes.
    sizes: np.ndarray = None  # (K,)
    count: np.ndarray = None  # (K,) groups of each size
    SS: np.ndarray = None  # (K, p, p) sum of S_g S_g'
    St: np.ndarray = None  # (K, p) sum of S_g t_g
    tt: np.ndarray = None  # (K,) sum of t_g^2


def sufficient_stats(y: np.ndarray, X: np.ndarray, codes: np.ndarray, G: int) -> Stats:
    n = np.bincount(codes, minlength=G).astype("float64")
    p = X.shape[1]
    S = np.empty((G, p), dtype="float64")
    for j in range(p):  # loop over the few columns, never over groups
        col = X[:, j]
        S[:, j] = n if np.all(col == 1.0) else np.bincount(codes, weights=col, minlength=G)
    t = np.bincount(codes, weights=y, minlength=G)
    sizes, k = np.unique(n, return_inverse=True)
    K = len(sizes)
    SS = np.empty((K, p, p))
    for a in range(p):
        for b in range(a, p):
            v = np.bincount(k, weights=S[:, a] * S[:, b], minlength=K)
            SS[:, a, b] = v
            SS[:, b, a] = v
    St = np.stack([np.bincount(k, weights=S[:, j] * t, minlength=K) for j in range(p)], axis=1)
    tt = np.bincount(k, weights=t * t, minlength=K)
    count = np.bincount(k, minlength=K).astype("float64")
    return Stats(n, S, t, X.T @ X, X.T @ y, float(y @ y), len(y), sizes, count, SS, St, tt)


def profile(lam: float, st: Stats, reml: bool):
    """Deviance, GLS beta, A = X'H^-1 X and residual quadratic form at one lambda."""
    w = lam / (1.0 + lam * st.sizes)
    A = st.XtX - np.tensordot(w, st.SS, axes=1)
    c = st.Xty - w @ st.St
    q = st.yty - float(w @ st.tt)
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return np.inf, None, A, np.nan
    beta = np.linalg.solve(L.T, np.linalg.solve(L, c))
    r = q - float(c @ beta)
    p = A.shape[0]
    logdet_h = float(st.count @ np.log1p(lam * st.sizes))
    if r <= 0:
        return np.inf, beta, A, r
    if reml:
        dof = st.N - p
        dev = dof * (1.0 + LOG2PI + np.log(r / dof)) + logdet_h
        dev += 2.0 * float(np.sum(np.log(np.diag(L))))
    else:
        dev = st.N * (1.0 + LOG2PI + np.log(r / st.N)) + logdet_h
    return float(dev), beta, A, r


def fit_fast(y, X, codes, G, reml: bool, tol: float, level: float = 0.95):
    # Centre y and the non-intercept columns when there is an intercept: the model
    # is the same (det of the reparametrisation is 1, so the REML criterion too),
    # and the sums of squares lose far less precision to cancellation.
    ones = np.flatnonzero(np.all(X == 1.0, axis=0))
    M_inv = None
    if len(ones):
        j0 = int(ones[0])
        m = X.mean(axis=0)
        m[j0] = 0.0
        ybar = float(y.mean())
        X = X - m
        y = y - ybar
        # beta_c = M beta with M = I + e_j0 m'; its inverse is I - e_j0 m'.
        M_inv = np.eye(X.shape[1])
        M_inv[j0, :] -= m
    st = sufficient_stats(y, X, codes, G)
    if np.linalg.matrix_rank(st.XtX) < X.shape[1]:
        raise EstimationError(
            "The fixed-effects design is rank deficient (collinear or constant columns); "
            "drop a redundant term from the formula."
        )

    def f(phi: float) -> float:
        return profile(float(np.exp(phi)), st, reml)[0]

    grid = np.linspace(-18.0, 12.0, 31)
    devs = np.array([f(g) for g in grid])
    k = int(np.argmin(devs))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    opt = optimize.minimize_scalar(
        f, bounds=(lo, hi), method="bounded", options={"xatol": tol, "maxiter": 500}
    )
    lam = float(np.exp(opt.x))
    dev = float(opt.fun)
    # The boundary lambda = 0 (no between-group variance) is a valid optimum.
    dev0 = profile(0.0, st, reml)[0]
    singular = False
    if dev0 <= dev:
        lam, dev, singular = 0.0, dev0, True
    dev, beta, A, r = profile(lam, st, reml)
    p = X.shape[1]
    sigma2 = r / (st.N - p) if reml else r / st.N
    cov = sigma2 * np.linalg.inv(A)
    w = lam / (1.0 + lam * st.n)
    u = w * (st.t - st.S @ beta)
    u_se = np.sqrt(sigma2 * w)
    if M_inv is not None:
        beta = beta.copy()
        beta[j0] += ybar
        beta = M_inv @ beta
        cov = M_inv @ cov @ M_inv.T
    converged = bool(opt.success) and np.isfinite(dev)
    d = st.N - p if reml else st.N
    ci = profile_intervals(lambda v: profile(v, st, reml), d, lam, dev, level)
    return beta, cov, sigma2, lam * sigma2, dev, converged, singular, u, u_se, st.n, ci


def centre(y: np.ndarray, X: np.ndarray):
    """Centre y and the non-intercept columns when there is an intercept (see ``fit_fast``)."""
    ones = np.flatnonzero(np.all(X == 1.0, axis=0))
    if not len(ones):
        return y, X
    m = X.mean(axis=0)
    m[int(ones[0])] = 0.0
    return y - float(y.mean()), X - m


def criterion_value(A, c, q, logdet_h, N, reml):
    """Profiled criterion and sigma^2 from X'H^-1X, X'H^-1y, y'H^-1y and log|H|."""
    p = A.shape[0]
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return np.inf, np.nan
    z = np.linalg.solve(L, c)
    r = q - float(z @ z)  # y'H^-1y - c'A^-1c
    dof = N - p if reml else N
    if not r > 0:
        return np.inf, np.nan
    dev = dof * (1.0 + LOG2PI + np.log(r / dof)) + logdet_h
    if reml:
        dev += 2.0 * float(np.sum(np.log(np.diag(L))))
    return float(dev), r / dof


def random_intercept_fast(data, formula, gcol, reml, level, tol) -> MixedResult:
    y, X, names, keep = design(data, formula, extra=(gcol,))
    gvals = data[gcol].to_numpy()
    if not keep.all():
        gvals = gvals[keep]
    codes, uniques = pd.factorize(gvals, sort=False)
    G = len(uniques)
    N, p = X.shape
    if G < 2 or N <= p + 1:
        raise EstimationError(
            f"Need at least 2 groups of {gcol!r} and more than {p + 1} observations; "
            f"got {G} groups and {N} rows."
        )
    beta, cov, s2, tau2, dev, conv, singular, u, u_se, n_g, ci = fit_fast(
        y, X, codes.astype(np.intp), G, reml, tol, level
    )
    fixed = fixed_table(names, beta, cov, N, level)
    total = tau2 + s2
    variance = pd.DataFrame(
        {
            "component": [gcol, "residual"],
            "estimate": [tau2, s2],
            "ci_low": [ci["tau2"][0], ci["sigma2"][0]],
            "ci_high": [ci["tau2"][1], ci["sigma2"][1]],
            "icc": [tau2 / total if total > 0 else np.nan, np.nan],
            "icc_ci_low": [ci["icc"][0], np.nan],
            "icc_ci_high": [ci["icc"][1], np.nan],
            "n_groups": [G, N],
        }
    )
    z = stats.norm.ppf(0.5 + level / 2)
    re_tab = pd.DataFrame(
        {
            gcol: uniques,
            "estimate": u,
            "se": u_se,
            "ci_low": u - z * u_se,
            "ci_high": u + z * u_se,
            "n": n_g.astype("int64"),
        }
    )
    return MixedResult(fixed, variance, re_tab, conv, FAST_PATH, reml, dev, cov, singular, N, None)
