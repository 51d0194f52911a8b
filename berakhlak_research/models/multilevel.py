"""Random-intercept and nested multilevel models, with a fast path for national-scale data.

:func:`random_intercept` fits ``y = X beta + u_group + e`` (Gaussian, REML by
default). For a single grouping factor and no random slopes it runs the
*sufficient-statistics* path: the model is profiled over the variance ratio
``lambda = tau^2 / sigma^2`` using only per-group counts and sums computed once
from the data, so each likelihood evaluation costs ``O(G p^2)`` instead of a
pass over the rows. Anything else (nested groups, random slopes) falls back to
statsmodels' :class:`~statsmodels.regression.mixed_linear_model.MixedLM`. The
result says which path ran.

Notes
-----
With ``H_g = I + lambda 1 1'`` (so ``V_g = sigma^2 H_g``) and
``w_g = lambda / (1 + lambda n_g)``, ``H_g^{-1} = I - w_g 1 1'``; therefore

* ``X'H^{-1}X = X'X - S' diag(w) S`` where row ``g`` of ``S`` holds the column
  sums of ``X`` in group ``g``;
* ``X'H^{-1}y = X'y - S' (w * t)`` and ``y'H^{-1}y = y'y - sum w_g t_g^2``,
  ``t_g`` being the group sums of ``y``;
* ``log |H| = sum_g log(1 + lambda n_g)``.

The profiled REML deviance (lme4's ``REMLcrit``) is

``(N - p) (1 + log(2 pi r / (N - p))) + sum log(1 + lambda n_g) + log |X'H^{-1}X|``

with ``r = y'H^{-1}y - b'X'H^{-1}y`` and GLS ``b = (X'H^{-1}X)^{-1} X'H^{-1}y``;
``sigma^2 = r / (N - p)`` and ``Cov(b) = sigma^2 (X'H^{-1}X)^{-1}``. It is
minimised over ``log lambda`` by a coarse grid then a bounded Brent search.
The predicted random effects (BLUPs) are ``u_g = w_g (t_g - S_g b)`` with
conditional variance ``sigma^2 w_g`` (as lme4's ``condVar``).

Because the criterion is profiled over lambda alone, profile-likelihood
intervals are cheap (a few hundred evaluations of the O(K p^2) criterion):
``{lambda : REMLcrit(lambda) - REMLcrit_min <= chi2_1(level)}`` for lambda and
hence the ICC ``lambda / (1 + lambda)``; the intervals of ``tau^2`` and
``sigma^2`` are their ranges over the same likelihood-ratio region of
``(lambda, sigma^2)`` (closed form in sigma^2 at each lambda, Lambert W), i.e.
profile intervals too (see :func:`_profile_intervals`). With ``reml=False``
they equal lme4's ``confint(profile(fit))`` on the variance scale.

On the MixedLM path the same intervals are computed for nested random
intercepts (any depth) and for random slopes of one grouping column (see
:func:`_mixed_profile_intervals`). statsmodels supplies the estimates; the
criterion (profiled over beta and sigma^2) is then re-evaluated exactly from
per-group sums: level by level with Sherman-Morrison for nested intercepts
(the innermost groups pooled by parent and size), by ``q x q`` Woodbury blocks
for random slopes. The profile of a parameter is the criterion minimised over
the others with it held fixed (a Nelder-Mead fit per profile point), and each
interval end is found by Brent's method where the profile crosses ``dev_min +
chi2_1(level)``. ICC intervals are profiled the same way, the ICC held fixed.

The criterion profiled is the fit's own: REML for REML fits (the default), -2
log-likelihood for ML fits, on both paths. lme4's ``profile()`` refits a REML
model by ML and profiles that, so its ``confint`` of a REML fit is the ML fit's
interval: our ML intervals equal lme4's (tests/r/lme4_profile_reference.R,
tests/r/multilevel_nested_reference.R, to ~1e-11), and our REML intervals equal
lme4's profiler run on the REML criterion (the latter script).

References
----------
1. Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects
   models using lme4. J. Stat. Softw. 67(1).
2. Raudenbush SW, Bryk AS (2002). Hierarchical Linear Models, 2nd ed. Sage.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from berakhlak_research.exceptions import EstimationError, InputError

__all__ = ["MixedResult", "random_intercept", "design"]

FAST_PATH = "sufficient_statistics"
FALLBACK_PATH = "mixedlm"
_LOG2PI = float(np.log(2.0 * np.pi))
_SIMPLE_TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class MixedResult:
    """The fit of a multilevel model, as tidy tables plus the raw pieces.

    Attributes
    ----------
    fixed : pandas.DataFrame
        One row per fixed-effect term: ``term, estimate, se, ci_low, ci_high,
        p_value, n`` (Wald z intervals and tests; ``n`` = observations used).
    variance : pandas.DataFrame
        One row per variance component: ``component`` (grouping column name,
        ``"<outer>:<inner>"`` for a nested level, ``"residual"``,
        ``"<outer>:slope:<term>"`` for a random-slope variance), ``estimate``
        (variance), ``ci_low, ci_high`` (profile-likelihood interval of the
        variance at ``level``), ``icc`` (share of the total variance: the
        random-intercept variances plus the residual; NaN for the residual and
        slope rows), ``icc_ci_low, icc_ci_high`` (profile-likelihood interval of
        that ICC), ``n_groups``. Intervals profile the fit's own criterion (REML
        or ML); a lower end of 0 means the boundary lies inside the region (the
        chi2_1 cut-off is then conservative). They are NaN only for models with
        both nested levels and random slopes.
    random_effects : pandas.DataFrame
        Predicted random intercepts (BLUPs) of the innermost grouping level:
        the grouping column(s), ``estimate, se, ci_low, ci_high, n`` where
        ``se`` is the conditional standard deviation.
    converged : bool
        Whether the optimiser reported convergence.
    path : str
        ``"sufficient_statistics"`` (fast path) or ``"mixedlm"`` (statsmodels).
    reml : bool
        REML (True) or maximum likelihood.
    deviance : float
        REML criterion (or -2 log-likelihood for ML), comparable with lme4.
    cov_fixed : numpy.ndarray
        Covariance matrix of the fixed effects.
    singular : bool
        A variance component sits at zero (as lme4's "boundary (singular) fit").
    result : object
        The statsmodels results object on the fallback path, else None.
    """

    fixed: pd.DataFrame
    variance: pd.DataFrame
    random_effects: pd.DataFrame
    converged: bool
    path: str
    reml: bool
    deviance: float
    cov_fixed: np.ndarray
    singular: bool = False
    n_obs: int = 0
    result: Any = field(default=None, repr=False)

    @property
    def params(self) -> pd.Series:
        """Fixed-effect estimates indexed by term."""
        return self.fixed.set_index("term")["estimate"]

    @property
    def icc(self) -> float:
        """ICC of the (outermost + inner) grouping: the total non-residual share."""
        return float(self.variance["icc"].sum(skipna=True))


# --------------------------------------------------------------------------
# design matrices
# --------------------------------------------------------------------------


def _simple_terms(formula: str) -> tuple[str, list[str], bool] | None:
    """Parse ``y ~ a + b [- 1]`` with plain column names; None if the formula is richer."""
    if formula.count("~") != 1:
        return None
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not _SIMPLE_TERM.match(lhs):
        return None
    intercept = True
    terms: list[str] = []
    for raw in re.split(r"(?=[+-])", rhs.replace(" ", "")):
        if not raw:
            continue
        sign, name = raw[0] if raw[0] in "+-" else "+", raw.lstrip("+-")
        if name == "1":
            intercept = sign == "+"
        elif name == "0" and sign == "+":
            intercept = False
        elif sign == "+" and _SIMPLE_TERM.match(name):
            terms.append(name)
        else:
            return None
    return lhs, terms, intercept


def design(data: pd.DataFrame, formula: str, extra: tuple[str, ...] = ()):
    """Response vector, design matrix and term names of a formula; rows with NA dropped.

    Plain numeric columns are read directly (fast at millions of rows); richer
    formulas (``C(x)``, interactions, transforms) go through formulaic.

    Parameters
    ----------
    data : pandas.DataFrame
    formula : str
        ``"y ~ x1 + x2"``; an intercept is included unless ``- 1`` or ``0``.
    extra : tuple of str
        Further columns that must be non-missing (e.g. grouping columns).

    Returns
    -------
    tuple
        ``(y, X, names, keep)``: float arrays, term names and the boolean mask
        of the rows of ``data`` used.
    """
    simple = _simple_terms(formula)
    if simple is not None and all(
        c in data.columns and pd.api.types.is_numeric_dtype(data[c])
        for c in [simple[0], *simple[1]]
    ):
        lhs, terms, intercept = simple
        cols = [lhs, *terms]
        keep = np.ones(len(data), dtype=bool)
        for c in [*cols, *extra]:
            keep &= data[c].notna().to_numpy()
        arrays = [data[c].to_numpy(dtype="float64", na_value=np.nan) for c in cols]
        if not keep.all():
            arrays = [a[keep] for a in arrays]
        n = int(keep.sum())
        y = arrays[0]
        X = np.empty((n, len(terms) + intercept), dtype="float64")
        if intercept:
            X[:, 0] = 1.0
        for j, a in enumerate(arrays[1:]):
            X[:, j + intercept] = a
        names = (["Intercept"] if intercept else []) + terms
        return y, X, names, keep
    try:
        import formulaic

        needed = sorted(formulaic.Formula(formula).required_variables)
        needed = [str(getattr(v, "name", v)) for v in needed]
        missing = [c for c in [*needed, *extra] if c not in data.columns]
        if missing:
            raise InputError(
                f"Formula {formula!r} needs column(s) {missing} that the data lack; "
                f"available: {list(data.columns)[:20]}."
            )
        keep = data[[*needed, *extra]].notna().all(axis=1).to_numpy()
        sub = data.loc[keep]
        mm = formulaic.model_matrix(formula, sub, na_action="raise")
    except InputError:
        raise
    except Exception as err:  # formulaic raises many types
        raise InputError(f"Cannot build the design of formula {formula!r}: {err}") from err
    y = np.asarray(mm.lhs, dtype="float64").ravel()
    X = np.asarray(mm.rhs, dtype="float64")
    return y, X, list(mm.rhs.columns), keep


# --------------------------------------------------------------------------
# fast path: sufficient statistics, profiled REML over lambda
# --------------------------------------------------------------------------


@dataclass
class _Stats:
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


def _sufficient_stats(y: np.ndarray, X: np.ndarray, codes: np.ndarray, G: int) -> _Stats:
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
    return _Stats(n, S, t, X.T @ X, X.T @ y, float(y @ y), len(y), sizes, count, SS, St, tt)


def _profile(lam: float, st: _Stats, reml: bool):
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
        dev = dof * (1.0 + _LOG2PI + np.log(r / dof)) + logdet_h
        dev += 2.0 * float(np.sum(np.log(np.diag(L))))
    else:
        dev = st.N * (1.0 + _LOG2PI + np.log(r / st.N)) + logdet_h
    return float(dev), beta, A, r


def _fit_fast(y, X, codes, G, reml: bool, tol: float, level: float = 0.95):
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
    st = _sufficient_stats(y, X, codes, G)
    if np.linalg.matrix_rank(st.XtX) < X.shape[1]:
        raise EstimationError(
            "The fixed-effects design is rank deficient (collinear or constant columns); "
            "drop a redundant term from the formula."
        )

    def f(phi: float) -> float:
        return _profile(float(np.exp(phi)), st, reml)[0]

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
    dev0 = _profile(0.0, st, reml)[0]
    singular = False
    if dev0 <= dev:
        lam, dev, singular = 0.0, dev0, True
    dev, beta, A, r = _profile(lam, st, reml)
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
    ci = _profile_intervals(st, reml, lam, dev, sigma2, level)
    return beta, cov, sigma2, lam * sigma2, dev, converged, singular, u, u_se, st.n, ci


# --------------------------------------------------------------------------
# fast path: profile-likelihood intervals of the variance components
# --------------------------------------------------------------------------


def _bound(excess, start: float, direction: int) -> float:
    """Root of ``excess`` (a function of log x, <= 0 at ``start``) beyond ``start``.

    Steps of 0.05, 0.1, 0.2, ... in log x bracket the first sign change, then
    Brent's method solves it; ``+/-inf`` when none is found within e^50.
    """
    prev, step = start, 0.05
    while step < 60.0:
        t = start + direction * step
        if excess(t) > 0:
            lo, hi = sorted((prev, t))
            return float(optimize.brentq(excess, lo, hi, xtol=1e-12, rtol=1e-13))
        prev, step = t, step * 2.0
    return direction * np.inf


def _extreme(f, lo: float, hi: float) -> float:
    """Maximum of ``f`` on [lo, hi]: a 25-point grid, then Brent around the best point."""
    grid = np.linspace(lo, hi, 25)
    vals = np.array([f(g) for g in grid])
    k = int(np.nanargmax(vals))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda t: -f(t), bounds=(a, b), method="bounded",
                                   options={"xatol": 1e-10})  # fmt: skip
    return max(float(-res.fun), float(vals[k]))


def _profile_intervals(st: _Stats, reml: bool, lam: float, dev: float, s2: float, level: float):
    """Profile-likelihood intervals of lambda (hence the ICC), tau^2 and sigma^2.

    The confidence region is ``R = {(lambda, sigma^2) : D(lambda, sigma^2) -
    dev_min <= chi2_1(level)}`` with ``D`` the fit's criterion (REML criterion,
    or -2 log-likelihood for ML) with beta profiled out. The profile interval
    of a parameter is its range over ``R``:

    * lambda: ``D`` profiled over sigma^2 is the fast path's own criterion, so
      the ends solve ``profiled(lambda) = dev_min + chi2_1``; the ICC interval
      is ``lambda / (1 + lambda)`` at the ends (the ICC is monotone in lambda);
    * sigma^2 and tau^2 = lambda sigma^2: with ``d = N - p`` (REML) or ``N``,
      ``s(lambda) = r(lambda) / d`` and ``k = (dev_min + chi2_1 -
      profiled(lambda)) / d``, ``D(lambda, sigma^2) = profiled(lambda) + d (q -
      log q - 1)``, ``q = s / sigma^2``; the sigma^2 in ``R`` at a given lambda
      are ``s / q`` for ``q - log q <= 1 + k``, ends ``q = -W(-e^-(1 + k))``
      on Lambert W's two real branches. The ends of the intervals are the
      extremes of ``s / q`` and ``lambda s / q`` over lambda in its interval.

    A lower end of 0 means the boundary lambda = 0 lies inside ``R`` (the
    chi2_1 cut-off is then conservative: the boundary statistic is a 50:50
    mixture of 0 and chi2_1). With ``reml=False`` these equal lme4's
    ``confint(profile(fit))`` (tested); lme4 profiles the ML deviance even for
    REML fits, so REML intervals differ from lme4's.

    Returns
    -------
    dict
        ``lambda``, ``tau2``, ``sigma2``, ``icc``: (low, high) tuples.
    """
    cut = dev + float(stats.chi2.ppf(level, 1))
    d = st.N - st.XtX.shape[0] if reml else st.N

    def excess(t):  # profiled criterion at lambda = e^t, above the cut-off
        return _profile(float(np.exp(t)), st, reml)[0] - cut

    def sigma2_range(t):  # (low, high) sigma^2 in R at lambda = e^t (t = -inf: 0)
        prof, _, _, r = _profile(float(np.exp(t)), st, reml)
        k = max((cut - prof) / d, 0.0)  # the ends of the lambda interval give k ~ 0
        x = -np.exp(-(1.0 + k))
        q_hi = -special.lambertw(x, -1).real  # q >= 1: the smaller sigma^2
        q_lo = -special.lambertw(x, 0).real  # q <= 1: the larger sigma^2
        return (r / d) / q_hi, (r / d) / q_lo

    at_zero = _profile(0.0, st, reml)[0] <= cut
    start = np.log(lam) if lam > 0 else np.log(1e-10)  # singular fit: a negligible lambda
    t_lo = -np.inf if at_zero else _bound(excess, start, -1)
    t_hi = _bound(excess, start, +1)
    lam_lo, lam_hi = float(np.exp(t_lo)), float(np.exp(t_hi))
    # Search range of log lambda for the extremes (lambda = 0 is added separately).
    a = t_lo if np.isfinite(t_lo) else min(start, t_hi) - 30.0
    b = t_hi if np.isfinite(t_hi) else start + 30.0
    s_hi = _extreme(lambda t: sigma2_range(t)[1], a, b)
    s_lo = -_extreme(lambda t: -sigma2_range(t)[0], a, b)
    tau_hi = np.inf if np.isinf(t_hi) else _extreme(lambda t: np.exp(t) * sigma2_range(t)[1], a, b)
    tau_lo = 0.0 if at_zero else -_extreme(lambda t: -np.exp(t) * sigma2_range(t)[0], a, b)
    if at_zero:
        z_lo, z_hi = sigma2_range(-np.inf)
        s_lo, s_hi = min(s_lo, z_lo), max(s_hi, z_hi)
    icc_hi = 1.0 if np.isinf(lam_hi) else lam_hi / (1.0 + lam_hi)
    return {
        "lambda": (lam_lo, lam_hi),
        "tau2": (float(tau_lo), float(tau_hi)),
        "sigma2": (float(s_lo), float(s_hi)),
        "icc": (lam_lo / (1.0 + lam_lo), icc_hi),
    }


# --------------------------------------------------------------------------
# MixedLM path: profile-likelihood intervals from sufficient statistics
# --------------------------------------------------------------------------
#
# Each profile point is a minimisation over the other covariance parameters.
# Running those through statsmodels (a Python loop over groups per likelihood
# evaluation, milliseconds each) would cost minutes; instead the same criterion
# is evaluated exactly from per-group sums (microseconds each), and statsmodels
# only supplies the starting point. Both criteria below are profiled over beta
# (GLS) and sigma^2, as the fast path's ``_profile``: they return
# ``(P(psi), s(psi))``, ``P`` the profiled REML criterion or -2 log-likelihood and
# ``s`` the sigma^2 that attains it, for relative parameters ``psi`` whose first
# ``K`` entries are relative standard deviations (component k has variance
# ``sigma^2 psi_k^2``).


def _centre(y: np.ndarray, X: np.ndarray):
    """Centre y and the non-intercept columns when there is an intercept (see ``_fit_fast``)."""
    ones = np.flatnonzero(np.all(X == 1.0, axis=0))
    if not len(ones):
        return y, X
    m = X.mean(axis=0)
    m[int(ones[0])] = 0.0
    return y - float(y.mean()), X - m


def _criterion_value(A, c, q, logdet_h, N, reml):
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
    dev = dof * (1.0 + _LOG2PI + np.log(r / dof)) + logdet_h
    if reml:
        dev += 2.0 * float(np.sum(np.log(np.diag(L))))
    return float(dev), r / dof


class _NestedCriterion:
    """Nested random intercepts (any depth) from per-group sums; ``psi`` = relative sds.

    ``V = sigma^2 H`` with ``H = I + sum_k lambda_k Z_k Z_k'`` (``lambda_k = psi_k^2``,
    level 1 outermost). ``H`` is block diagonal and each block is a parent's
    children's blocks plus ``lambda_k 1 1'``, so Sherman-Morrison applied from the
    innermost level outwards gives, for a node with children's sums ``a = 1'D^-1 1``,
    ``b = X'D^-1 1``, ``c = y'D^-1 1`` and ``w = lambda / (1 + lambda a)``: the
    updates ``X'H^-1X -= w b b'`` (likewise for ``X'H^-1y``, ``y'H^-1y``), ``log|H| +=
    log(1 + lambda a)``, and the node's own sums are ``(a, b, c) / (1 + lambda a)``.
    Innermost groups enter through their size only, so they are pooled by
    (parent, size): one evaluation costs O(nodes above the innermost level * p^2).
    """

    def __init__(self, y, X, codes: list[np.ndarray], reml: bool):
        y, X = _centre(y, X)
        self.reml, self.N, self.K = reml, len(y), len(codes)
        self.d = self.N - X.shape[1] if reml else self.N
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        G = int(codes[-1].max()) + 1
        st = _sufficient_stats(y, X, codes[-1], G)
        self.inner = st  # innermost groups pooled by size (as the fast path)
        # parents[k][i]: parent (at level k) of node i of level k + 1, 0-based levels.
        self.parents = []
        for k in range(self.K - 1):
            child, par = codes[k + 1], codes[k]
            pmap = np.zeros(int(child.max()) + 1, dtype=np.intp)
            pmap[child] = par
            self.parents.append(pmap)
        self.n_nodes = [int(c.max()) + 1 for c in codes]
        if self.K > 1:
            # Innermost groups pooled by (parent, size): counts and sums of S and t.
            par = self.parents[-1]
            _, size_idx = np.unique(st.n, return_inverse=True)
            key = par * len(st.sizes) + size_idx
            cls, inv = np.unique(key, return_inverse=True)
            self.cls_parent = cls // len(st.sizes)
            self.cls_size = st.sizes[cls % len(st.sizes)]
            nc = len(cls)
            self.cls_count = np.bincount(inv, minlength=nc).astype("float64")
            self.cls_S = np.stack(
                [np.bincount(inv, weights=st.S[:, j], minlength=nc) for j in range(X.shape[1])],
                axis=1,
            )
            self.cls_t = np.bincount(inv, weights=st.t, minlength=nc)

    def __call__(self, psi: np.ndarray) -> tuple[float, float]:
        lam = np.asarray(psi[: self.K], dtype="float64") ** 2
        st = self.inner
        lam_in = lam[-1]
        w = lam_in / (1.0 + lam_in * st.sizes)
        A = st.XtX - np.tensordot(w, st.SS, axes=1)
        c = st.Xty - w @ st.St
        q = st.yty - float(w @ st.tt)
        logdet = float(st.count @ np.log1p(lam_in * st.sizes))
        if self.K > 1:
            shrink = 1.0 / (1.0 + lam_in * self.cls_size)
            a_c = self.cls_count * self.cls_size * shrink
            b_c = self.cls_S * shrink[:, None]
            t_c = self.cls_t * shrink
            owner = self.cls_parent
            for k in range(self.K - 2, -1, -1):  # levels above the innermost, inwards out
                m = self.n_nodes[k]
                a = np.bincount(owner, weights=a_c, minlength=m)
                b = np.stack(
                    [np.bincount(owner, weights=b_c[:, j], minlength=m) for j in range(A.shape[0])],
                    axis=1,
                )
                t = np.bincount(owner, weights=t_c, minlength=m)
                wk = lam[k] / (1.0 + lam[k] * a)
                A = A - (b * wk[:, None]).T @ b
                c = c - (b * wk[:, None]).T @ t
                q -= float(wk @ (t * t))
                logdet += float(np.sum(np.log1p(lam[k] * a)))
                if k:
                    shrink = 1.0 / (1.0 + lam[k] * a)
                    a_c, b_c, t_c = a * shrink, b * shrink[:, None], t * shrink
                    owner = self.parents[k - 1]
        return _criterion_value(A, c, q, logdet, self.N, self.reml)


class _SlopeCriterion:
    """Correlated random intercept and slopes of one grouping factor, from per-group sums.

    ``V_g = sigma^2 (I + Z_g T T' Z_g')`` with ``T = diag(rho) C``, ``C`` unit-lower
    triangular with free entries below the diagonal, rows scaled to length 1 (so
    ``C C'`` is a correlation matrix): ``psi = (rho, entries of C)``. With ``M_g = I
    + T'Z_g'Z_g T`` (q x q, Woodbury), ``log|H_g| = log|M_g|`` and ``X'H^-1X = X'X -
    sum_g B_g' M_g^-1 B_g``, ``B_g = T'Z_g'X_g`` (likewise for y): per-group
    ``Z'Z, Z'X, Z'y`` suffice, and an evaluation is batched q x q algebra.
    """

    def __init__(self, y, X, Z, codes: np.ndarray, reml: bool):
        y, X = _centre(y, X)
        self.reml, self.N, self.q = reml, len(y), Z.shape[1]
        self.K = self.q
        self.d = self.N - X.shape[1] if reml else self.N
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        G = int(codes.max()) + 1

        def gsum(v):
            return np.bincount(codes, weights=v, minlength=G)

        q, p = self.q, X.shape[1]
        self.ZtZ = np.stack(
            [np.stack([gsum(Z[:, a] * Z[:, b]) for b in range(q)], -1) for a in range(q)], 1
        )
        # Z'[X | y] per group: (G, q, p + 1).
        Xy = np.column_stack([X, y])
        self.ZtXy = np.stack(
            [np.stack([gsum(Z[:, a] * Xy[:, j]) for j in range(p + 1)], -1) for a in range(q)], 1
        )
        self.tril = np.tril_indices(q, -1)

    def factor(self, psi: np.ndarray) -> np.ndarray:
        """``T`` of ``psi``: relative covariance ``T T'``."""
        C = np.eye(self.q)
        C[self.tril] = psi[self.q :]
        C /= np.linalg.norm(C, axis=1, keepdims=True)
        return np.asarray(psi[: self.q], dtype="float64")[:, None] * C

    @staticmethod
    def start(rel_cov: np.ndarray) -> np.ndarray:
        """``psi`` of a relative covariance matrix (inverse of :meth:`factor`)."""
        q = rel_cov.shape[0]
        rho = np.sqrt(np.clip(np.diag(rel_cov), 0.0, None))
        z = np.zeros(q * (q - 1) // 2)
        if np.all(rho > 0):
            R = rel_cov / np.outer(rho, rho)
            try:
                C = np.linalg.cholesky(R + 1e-12 * np.eye(q))
                z = (C / np.diag(C)[:, None])[np.tril_indices(q, -1)]
            except np.linalg.LinAlgError:
                pass
        return np.concatenate([rho, z])

    def __call__(self, psi: np.ndarray) -> tuple[float, float]:
        T = self.factor(psi)
        M = np.eye(self.q) + T.T @ self.ZtZ @ T
        try:
            Lm = np.linalg.cholesky(M)
        except np.linalg.LinAlgError:
            return np.inf, np.nan
        # W_g = L_g^-1 T'Z_g'[X | y]; the Gram matrix of the stacked W_g is
        # sum_g [X | y]'Z_g T M_g^-1 T'Z_g'[X | y], the part that H^-1 takes away.
        W = np.linalg.solve(Lm, T.T @ self.ZtXy).reshape(-1, self.ZtXy.shape[2])
        gram = W.T @ W
        p = self.XtX.shape[0]
        A = self.XtX - gram[:p, :p]
        c = self.Xty - gram[:p, p]
        qq = self.yty - float(gram[p, p])
        logdet = 2.0 * float(np.sum(np.log(np.diagonal(Lm, axis1=1, axis2=2))))
        return _criterion_value(A, c, qq, logdet, self.N, self.reml)


def _cross(excess, start: float, direction: int, depth: float) -> float:
    """Root of ``excess`` beyond ``start``, where it is about ``-depth`` (its minimum).

    As :func:`_bound`, but each profile point is a minimisation, so the steps
    are guessed: after a first step of 0.05, a parabola through the minimum
    ``(start, -depth)`` and the last point predicts the crossing, and the next
    step goes 15 % past it (between 1.25 and 8 times the last step), so that one
    or two steps usually bracket the root for Brent's method (to 1e-10 in log
    x). ``+/-inf`` when no crossing is found within e^50.
    """
    prev, step = 0.0, 0.05
    while step < 60.0:
        e = excess(start + direction * step)
        if e > 0:
            lo, hi = sorted((start + direction * prev, start + direction * step))
            return float(optimize.brentq(excess, lo, hi, xtol=1e-10, rtol=1e-13))
        rise = e + depth
        guess = 1.15 * step * np.sqrt(depth / rise) if rise > 0 else 8.0 * step
        prev, step = step, float(np.clip(guess, 1.25 * step, 8.0 * step))
    return direction * np.inf


def _minimise(fun, x0: np.ndarray) -> tuple[float, np.ndarray]:
    """Local minimum of a smooth function near ``x0`` (Nelder-Mead, tight tolerances).

    Derivative-free on purpose: the criterion is ~1e4 with rounding ~1e-10, too
    noisy for finite-difference gradients at the accuracy the profile needs.
    The value at the minimum is what matters, and it is insensitive (to second
    order) to the tolerance on the argument.
    """
    x0 = np.asarray(x0, dtype="float64")
    n = x0.size
    if n == 0:
        return float(fun(x0)), x0
    simplex = np.vstack([x0, x0 + 0.05 * np.eye(n) * np.maximum(np.abs(x0), 0.2)])
    res = optimize.minimize(
        fun,
        x0,
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 1e-4, "fatol": 1e-10, "maxfev": 4000 * n},
    )
    return float(res.fun), np.asarray(res.x)


def _mixed_profile_intervals(crit, psi0: np.ndarray, icc_idx: list[int], level: float):
    """Profile-likelihood intervals of the variance components (and ICCs) of a MixedLM fit.

    ``crit(psi) -> (P, s)`` is the criterion of the fit (REML or ML) profiled over
    beta and sigma^2 (``_NestedCriterion``, ``_SlopeCriterion``); ``psi[:K]`` are the
    relative sds (component ``k`` has variance ``v_k = sigma^2 psi_k^2``), the rest
    are correlation parameters. With ``q = s(psi) / sigma^2`` the criterion at
    ``(psi, sigma^2)`` is ``D = P(psi) + d (q - log q - 1)`` (``d = N - p`` for REML,
    ``N`` for ML), and the profile of a parameter ``x`` is ``min D`` over the other
    parameters with ``x`` held fixed (as lme4's ``profile``):

    * ``v_k = x``: over ``psi_-k`` and ``log sigma^2``, with ``psi_k = sqrt(x / sigma^2)``;
    * ``sigma^2 = x``: over ``psi``;
    * ``ICC_k = v_k / (sum_{i in icc_idx} v_i + sigma^2) = c`` (scale-free): over
      ``psi_-k`` of ``P``, with ``psi_k^2 = c (1 + sum_{i != k} psi_i^2) / (1 - c)``.

    Each end solves ``profile(x) = dev_min + chi2_1(level)`` by Brent's method on
    ``log x`` (logit for the ICC) after bracketing outwards from the estimate
    (:func:`_cross`),
    each profile point a Nelder-Mead minimisation warm-started at the previous
    one. ``dev_min`` is the criterion minimised afresh from ``psi0`` (the MixedLM
    estimate), so the cut-off does not inherit the optimiser's tolerance. A
    lower end is 0 when the profile at 0 (``psi_k = 0``) is within the cut-off.

    Returns
    -------
    tuple
        ``(ci, icc_ci)``: arrays ``(K + 1, 2)`` (components, then the residual)
        and ``(K, 2)`` (NaN outside ``icc_idx``).
    """
    K = crit.K
    d = crit.d

    def P(psi):
        return crit(psi)[0]

    dev_min, psi_hat = _minimise(P, psi0)
    if P(psi0) < dev_min:
        dev_min, psi_hat = P(psi0), np.asarray(psi0, dtype="float64")
    s_hat = crit(psi_hat)[1]
    cut = dev_min + float(stats.chi2.ppf(level, 1))

    def D(psi, log_s2):
        prof, s = crit(psi)
        if not np.isfinite(prof):
            return np.inf
        lq = np.log(s) - log_s2
        return prof + d * (np.expm1(lq) - lq)

    def profile_end(inner, x0, start, direction):
        """End of one interval: ``inner(u, z) -> D`` minimised over ``z``, crossed at cut."""
        state = {"z": np.asarray(x0, dtype="float64")}

        def excess(u):
            val, state["z"] = _minimise(lambda z: inner(u, z), state["z"])
            return val - cut

        return _cross(excess, start, direction, cut - dev_min)

    ci = np.full((K + 1, 2), np.nan)
    icc_ci = np.full((K, 2), np.nan)
    others = [np.arange(len(psi_hat)) != k for k in range(K)]

    def with_k(k, z, value):
        psi = np.empty(len(psi_hat))
        psi[others[k]] = z
        psi[k] = value
        return psi

    for k in range(K):
        z0 = psi_hat[others[k]]
        # The boundary v_k = 0 (and ICC_k = 0): the same minimisation, psi_k = 0.
        at_zero = _minimise(lambda z, k=k: P(with_k(k, z, 0.0)), z0)[0] <= cut
        v_hat = s_hat * max(psi_hat[k] ** 2, 1e-10)

        def comp(u, z, k=k):  # v_k = e^u; z = (psi_-k, log sigma^2)
            return D(with_k(k, z[:-1], np.exp(0.5 * (u - z[-1]))), z[-1])

        zs = np.append(z0, np.log(s_hat))
        lo = 0.0 if at_zero else np.exp(profile_end(comp, zs, np.log(v_hat), -1))
        hi = np.exp(profile_end(comp, zs, np.log(v_hat), +1))
        ci[k] = lo, hi
        if k in icc_idx:
            rest = [i for i in icc_idx if i != k]

            def icc(u, z, k=k, rest=rest):  # ICC_k = expit(u)
                extra = np.sum(z[[i - (i > k) for i in rest]] ** 2) if rest else 0.0
                return P(with_k(k, z, np.sqrt(np.exp(u) * (1.0 + extra))))

            lam_hat = max(psi_hat[k] ** 2, 1e-10)
            tot = 1.0 + sum(psi_hat[i] ** 2 for i in icc_idx) - psi_hat[k] ** 2 + lam_hat
            u_hat = np.log(lam_hat / tot) - np.log1p(-lam_hat / tot)
            # expit(u) / (1 - expit(u)) = e^u: psi_k^2 = e^u (1 + sum of the others).
            lo = 0.0 if at_zero else special.expit(profile_end(icc, z0, u_hat, -1))
            hi = special.expit(profile_end(icc, z0, u_hat, +1))
            icc_ci[k] = lo, hi

    def resid(u, z):  # sigma^2 = e^u; z = psi
        return D(z, u)

    ci[K] = (
        np.exp(profile_end(resid, psi_hat, np.log(s_hat), -1)),
        np.exp(profile_end(resid, psi_hat, np.log(s_hat), +1)),
    )
    return ci, icc_ci


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def _fixed_table(names, beta, cov, n, level=0.95) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(beta / se))
    return pd.DataFrame(
        {
            "term": list(names),
            "estimate": beta,
            "se": se,
            "ci_low": beta - z * se,
            "ci_high": beta + z * se,
            "p_value": p,
            "n": int(n),
        }
    )


def _as_groups(groups) -> list[str]:
    if isinstance(groups, str):
        return [groups]
    out = list(groups)
    if not out or not all(isinstance(g, str) for g in out):
        raise InputError(f"groups must be a column name or a list of column names, got {groups!r}.")
    return out


def random_intercept(
    data: pd.DataFrame,
    formula: str,
    groups: str | list[str] | tuple[str, ...],
    *,
    re_formula: str | None = None,
    reml: bool = True,
    method: str = "auto",
    level: float = 0.95,
    tol: float = 1e-10,
) -> MixedResult:
    """Fit a Gaussian random-intercept (or nested random-intercept) model.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation (e.g. respondent or unit-wave).
    formula : str
        Fixed part, e.g. ``"ikm ~ culture_overall + C(wave)"``.
    groups : str or list of str
        Grouping column; a list gives nested levels from outer to inner, e.g.
        ``["gov_code", "unit_code"]`` (units within governments; inner codes
        need only be unique within their outer group).
    re_formula : str, optional
        Random slopes, e.g. ``"~ culture_overall"`` (statsmodels syntax); forces
        the MixedLM path.
    reml : bool, default True
        REML (as lme4's default) or maximum likelihood.
    method : {"auto", "fast", "mixedlm"}
        ``"auto"`` takes the fast path whenever the model allows (one grouping
        column, no random slopes); ``"fast"`` raises if it cannot;
        ``"mixedlm"`` always uses statsmodels.
    level : float, default 0.95
        Confidence level of the Wald intervals (fixed effects, BLUPs) and of the
        profile-likelihood intervals of the variance components and the ICCs.
    tol : float, default 1e-10
        Tolerance on ``log lambda`` of the fast path's Brent search.

    Returns
    -------
    MixedResult
        ``fixed`` (``term, estimate, se, ci_low, ci_high, p_value, n``: Wald).
        ``variance``: one row per random-intercept level (outer to inner), per
        random-slope variance, then ``"residual"``, with columns ``component,
        estimate`` (variance), ``ci_low, ci_high`` (profile-likelihood interval
        of the variance at ``level``: the range of values whose profiled
        criterion is within ``chi2_1(level)`` of the minimum, lme4's
        ``confint(profile(fit))`` squared; a lower end of 0 when the profile at
        0 is within the cut-off), ``icc`` (the row's variance over the sum of
        the random-intercept variances and the residual), ``icc_ci_low,
        icc_ci_high`` (profile-likelihood interval of that ICC, profiled with
        the ICC held fixed), ``n_groups``. The criterion profiled is the fit's
        own (REML when ``reml=True``; lme4's ``profile`` uses ML even then, so
        REML intervals differ from lme4's default output). NaN: the ICC columns
        of the residual and of random-slope rows (a slope variance has no
        share of a total that does not depend on the covariate); all four
        interval columns when nested levels and random slopes are combined
        (not implemented), or if profiling fails (with a warning).
        ``random_effects`` (group column(s), ``estimate, se, ci_low, ci_high,
        n``; for nested levels the innermost group's BLUP is the sum of its own,
        its ancestors' and the outer group's effects, and ``se`` its conditional
        standard deviation from their joint conditional covariance), ``converged``,
        ``path``, ``deviance``, ``singular``.

    Raises
    ------
    InputError
        Unknown columns, bad ``groups`` or ``method``.
    EstimationError
        Too few groups or observations, or a rank-deficient design.

    Notes
    -----
    Profile intervals on the MixedLM path cost a few thousand evaluations of an
    exact per-group-sum criterion (about 1 s for units in governments on a few
    thousand rows; random slopes somewhat more), on top of the MixedLM fit.

    Examples
    --------
    Equivalent R call: ``lmer(y ~ x + (1 | unit), data, REML = TRUE)``; nested:
    ``groups=["gov", "unit"]`` is ``lmer(y ~ x + (1 | gov) + (1 | gov:unit))``, and
    its variance intervals with ``reml=False`` are ``confint(profile(fit))^2``.
    """
    gcols = _as_groups(groups)
    if method not in {"auto", "fast", "mixedlm"}:
        raise InputError(f"method must be 'auto', 'fast' or 'mixedlm', got {method!r}.")
    missing = [g for g in gcols if g not in data.columns]
    if missing:
        raise InputError(f"Grouping column(s) {missing} not in the data.")
    fast_ok = len(gcols) == 1 and re_formula is None
    if method == "fast" and not fast_ok:
        raise InputError(
            "The fast path fits one grouping column without random slopes; "
            f"got groups={gcols!r}, re_formula={re_formula!r}. Use method='auto'."
        )
    if fast_ok and method != "mixedlm":
        return _random_intercept_fast(data, formula, gcols[0], reml, level, tol)
    return _random_intercept_mixedlm(data, formula, gcols, re_formula, reml, level)


def _random_intercept_fast(data, formula, gcol, reml, level, tol) -> MixedResult:
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
    beta, cov, s2, tau2, dev, conv, singular, u, u_se, n_g, ci = _fit_fast(
        y, X, codes.astype(np.intp), G, reml, tol, level
    )
    fixed = _fixed_table(names, beta, cov, N, level)
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


def _random_intercept_mixedlm(data, formula, gcols, re_formula, reml, level) -> MixedResult:
    import statsmodels.formula.api as smf

    y, X, names, keep = design(data, formula, extra=tuple(gcols))
    outer = gcols[0]
    sub = data.loc[keep, [outer]].copy()
    sub["_y"] = y
    vc = None
    inner_codes = None
    if len(gcols) > 1:
        # Nested levels: one variance component per inner level, coded within its parent.
        vc = {}
        for k in range(1, len(gcols)):
            key = data.loc[keep, gcols[0]].astype(str)
            for c in gcols[1 : k + 1]:
                key = key + "/" + data.loc[keep, c].astype(str)
            col = f"_lvl{k}"
            sub[col] = pd.factorize(key)[0]
            vc[":".join(gcols[: k + 1])] = f"0 + C({col})"
        inner_codes = sub[f"_lvl{len(gcols) - 1}"].to_numpy()
    if re_formula is not None:
        re_vars = [c for c in data.columns if re.search(rf"\b{re.escape(c)}\b", re_formula)]
        for c in re_vars:
            sub[c] = data.loc[keep, c].to_numpy()
    xcols = [f"_x{j}" for j in range(len(names))]
    for j, c in enumerate(xcols):
        sub[c] = X[:, j]
    try:
        # The design is built once (above); statsmodels sees plain columns in the same order.
        model = smf.mixedlm(
            "_y ~ 0 + " + " + ".join(xcols),
            sub,
            groups=sub[outer],
            vc_formula=vc,
            re_formula=re_formula if re_formula is not None else "1",
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # BFGS with a tight gradient tolerance reaches lme4's optimum to ~1e-6;
            # statsmodels' default L-BFGS stops earlier (differences ~1e-4).
            try:
                res = model.fit(reml=reml, method="bfgs", gtol=1e-8)
            except (np.linalg.LinAlgError, ValueError):
                res = model.fit(reml=reml, method=["lbfgs", "cg"])
    except (np.linalg.LinAlgError, ValueError) as err:
        raise EstimationError(f"MixedLM failed for {formula!r} by {gcols}: {err}") from err
    conv_warn = any("converge" in str(w.message).lower() for w in caught)
    k_fe = len(names)
    beta = np.asarray(res.fe_params, dtype="float64")
    cov = np.asarray(res.cov_params())[:k_fe, :k_fe]
    N = len(y)
    fixed = _fixed_table(names, beta, cov, N, level)
    s2 = float(res.scale)
    comps = [outer]
    ests = [float(np.asarray(res.cov_re)[0, 0])]
    ngroups = [int(sub[outer].nunique())]
    if vc is not None:
        for k, name in enumerate(vc, start=1):
            comps.append(name)
            ests.append(float(res.vcomp[k - 1]))
            ngroups.append(int(sub[f"_lvl{k}"].nunique()))
    total = sum(ests) + s2
    icc = [e / total for e in ests]
    cov_re = res.cov_re
    for j in range(1, cov_re.shape[0]):
        # Random-slope variances: no ICC (they scale with the covariate).
        comps.append(f"{outer}:slope:{cov_re.index[j]}")
        ests.append(float(cov_re.iloc[j, j]))
        icc.append(np.nan)
        ngroups.append(ngroups[0])
    ci, icc_ci = _mixedlm_intervals(res, y, X, sub, gcols, vc, re_formula, reml, level)
    variance = pd.DataFrame(
        {
            "component": [*comps, "residual"],
            "estimate": [*ests, s2],
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "icc": [*icc, np.nan],
            "icc_ci_low": [*icc_ci[:, 0], np.nan],
            "icc_ci_high": [*icc_ci[:, 1], np.nan],
            "n_groups": [*ngroups, N],
        }
    )
    re_tab = _mixedlm_random_effects(res, sub, data.loc[keep, gcols], gcols, inner_codes, level)
    deviance = -2.0 * float(res.llf)
    singular = any(e <= 1e-10 * max(total, 1e-300) for e in ests)
    return MixedResult(
        fixed,
        variance,
        re_tab,
        bool(res.converged) and not conv_warn,
        FALLBACK_PATH,
        reml,
        deviance,
        cov,
        singular,
        N,
        res,
    )


def _mixedlm_intervals(res, y, X, sub, gcols, vc, re_formula, reml, level):
    """Profile intervals of a MixedLM fit's variance rows (see ``_mixed_profile_intervals``).

    Nested random intercepts (any depth) and random slopes of one grouping
    column are profiled; random slopes with nested levels are not (NaN rows).
    Returns ``(ci, icc_ci)`` aligned with the ``variance`` rows (residual last in
    ``ci``; ``icc_ci`` without the residual).
    """
    cov_re = np.asarray(res.cov_re, dtype="float64")
    n_rows = cov_re.shape[0] + (len(vc) if vc else 0)
    ci = np.full((n_rows + 1, 2), np.nan)
    icc_ci = np.full((n_rows, 2), np.nan)
    scale = float(res.scale)
    if re_formula is None:
        codes = [pd.factorize(sub[gcols[0]])[0]]
        codes += [sub[f"_lvl{k}"].to_numpy() for k in range(1, len(gcols))]
        crit = _NestedCriterion(y, X, [np.asarray(c, dtype=np.intp) for c in codes], reml)
        rel = np.array([cov_re[0, 0], *np.asarray(res.vcomp, dtype="float64")]) / scale
        psi0 = np.sqrt(np.clip(rel, 0.0, None))
        icc_idx = list(range(len(psi0)))
    elif vc is None:
        Z = np.asarray(res.model.exog_re, dtype="float64")
        crit = _SlopeCriterion(y, X, Z, pd.factorize(sub[gcols[0]])[0].astype(np.intp), reml)
        psi0 = crit.start(cov_re / scale)
        # ICC of the intercept only (the slope variances scale with their covariate).
        icc_idx = [0] if np.all(Z[:, 0] == 1.0) else []
    else:
        return ci, icc_ci
    try:
        with np.errstate(all="ignore"):
            ci, icc_part = _mixed_profile_intervals(crit, psi0, icc_idx, level)
    except (np.linalg.LinAlgError, ValueError, RuntimeError) as err:
        warnings.warn(f"Profile intervals failed ({err}); reported as NaN.", stacklevel=3)
        return ci, icc_ci
    return ci, icc_part


def _mixedlm_random_effects(res, sub, keys, gcols, inner_codes, level) -> pd.DataFrame:
    """BLUPs of the innermost level from a MixedLM fit (outer + every nested level's effect),
    with conditional SDs and Wald intervals."""
    z = stats.norm.ppf(0.5 + level / 2)
    outer = gcols[0]
    re_dict = res.random_effects
    if inner_codes is None:
        groups = list(re_dict)
        est = np.array([float(np.asarray(re_dict[g])[0]) for g in groups])
        cv = res.random_effects_cov
        se = np.array([float(np.sqrt(np.asarray(cv[g])[0, 0])) for g in groups])
        n = sub.groupby(outer).size().reindex(groups).to_numpy()
        out = pd.DataFrame({outer: groups})
    else:
        # statsmodels names vc effects "<name>[C(_lvlK)[code]]"; map back to the keys.
        # An innermost BLUP is the sum of its own effect, its ancestors' and the outer
        # group's; its conditional variance (given the data, beta at its estimate, as
        # lme4's condVar) is e' C e over the outer group's conditional covariance C
        # (statsmodels' random_effects_cov covers the variance components too).
        depth = len(gcols) - 1
        labels = [":".join(gcols[: k + 1]) for k in range(1, depth + 1)]
        inner_col = f"_lvl{depth}"
        # Innermost code -> its code at each level above it (codes nest, so "first" is it).
        lineage = sub.groupby(inner_col)[[f"_lvl{k}" for k in range(1, depth + 1)]].first()
        cov_all = res.random_effects_cov
        rows = []
        for g, eff in re_dict.items():  # loop over outer groups only (few)
            eff = pd.Series(eff)
            names = eff.index
            sel = names.str.startswith(labels[-1] + "[")
            codes = names[sel].str.extract(r"\[(\d+)\]\]?$")[0].astype(int).to_numpy()
            # Incidence of each innermost BLUP on the group's effects.
            pos = {name: i for i, name in enumerate(names)}
            E = np.zeros((len(codes), len(names)))
            E[:, 0] = 1.0  # the outer group's intercept
            for k, lab in enumerate(labels, start=1):  # levels, not groups
                anc = lineage.loc[codes, f"_lvl{k}"].to_numpy()
                cols = [pos[f"{lab}[C(_lvl{k})[{a}]]"] for a in anc]
                E[np.arange(len(codes)), cols] = 1.0
            C = np.asarray(pd.DataFrame(cov_all[g]).loc[names, names], dtype="float64")
            var = np.einsum("ij,jk,ik->i", E, C, E)
            rows.append(
                pd.DataFrame(
                    {
                        "_code": codes,
                        "estimate": E @ eff.to_numpy(dtype="float64"),
                        "se": np.sqrt(np.maximum(var, 0.0)),
                    }
                )
            )
        est_tab = pd.concat(rows, ignore_index=True)
        first = (
            pd.DataFrame({"_code": inner_codes})
            .join(keys.reset_index(drop=True))
            .groupby("_code", as_index=False)
            .agg(**{c: (c, "first") for c in gcols}, n=(gcols[0], "size"))
        )
        out = first.merge(est_tab, on="_code", how="left").drop(columns="_code")
        out["ci_low"] = out["estimate"] - z * out["se"]
        out["ci_high"] = out["estimate"] + z * out["se"]
        return out[[*gcols, "estimate", "se", "ci_low", "ci_high", "n"]]
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = est - z * se
    out["ci_high"] = est + z * se
    out["n"] = n.astype("int64")
    return out
