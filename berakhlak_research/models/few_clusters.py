"""Inference with few governments: one policy, the wild cluster bootstrap, randomisation inference.

Programmes are assigned to whole governments, so the government is the
cluster. Cluster-robust (CR1) standard errors with t(G-1) intervals
under-cover when G is small (the demo has 7 governments; many provinces have
under 20 kabupaten/kota). This module holds

* :func:`few_clusters_policy` - the one rule every model family uses to decide
  (fewer than ``threshold`` clusters -> few-cluster inference and a caveat);
* :func:`wild_cluster_bootstrap` - the restricted wild cluster bootstrap
  (WCR, null imposed; Webb 6-point or Rademacher weights) of one linear
  combination of OLS coefficients, p-value and test-inversion interval, as R
  ``fwildclusterboot::boottest`` and Stata ``boottest`` (Roodman, MacKinnon,
  Nielsen and Webb 2019);
* :func:`wild_bootstrap_ols` - the same on a DataFrame (fixed effects nested
  in the clusters absorbed, crossed factors as dummies);
* :func:`did_wild_bootstrap` - WCR for the overall staggered ATT (as a
  linear hypothesis in the stacked 2x2 regression that reproduces it) and for
  the TWFE coefficient;
* :func:`randomization_inference` - permutation of the programme timing across
  governments (exact enumeration when the distinct assignments are few).

The bootstrap never loops over clusters or draws in Python: the restricted
residuals are affine in the hypothesised value, so per cluster two score
vectors and two ``G x G`` matrices carry everything, and a block of draws is
two matrix products (the algebra of Roodman et al. 2019, section 3).

References
----------
1. Cameron AC, Gelbach JB, Miller DL (2008). Bootstrap-based improvements for
   inference with clustered errors. Rev. Econ. Stat. 90(3), 414-427.
2. Webb MD (2023). Reworking wild bootstrap-based inference for clustered
   errors. Canadian Journal of Economics 56(3), 839-858.
3. Roodman D, MacKinnon JG, Nielsen MO, Webb MD (2019). Fast and wild:
   bootstrap inference in Stata using boottest. Stata Journal 19(1), 4-60.
4. MacKinnon JG, Webb MD (2020). Randomization inference for
   difference-in-differences with few treated clusters. J. Econometrics 218(2).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.models._ols import check_columns, codes, demean, group_sums, panel_index

__all__ = [
    "FewClustersPolicy",
    "few_clusters_policy",
    "FEW_CLUSTERS_THRESHOLD",
    "INFERENCE_COLUMNS",
    "wild_cluster_bootstrap",
    "wild_bootstrap_ols",
    "did_wild_bootstrap",
    "randomization_inference",
    "timing_assignments",
    "permutation_p_value",
]

FEW_CLUSTERS_THRESHOLD = 20
"""Fewest clusters (governments) for cluster-robust t(G-1) inference to be trusted."""

INFERENCE_COLUMNS = [
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "n",
    "n_clusters",
    "n_draws",
    "exact",
    "inference",
]
"""Columns of the one-row frames this module returns."""

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
# |t*| >= |t| up to float noise: the identity draw reproduces the observed
# statistic exactly in exact arithmetic, and must count.
_TIE = 1e-10


# ---- the policy ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FewClustersPolicy:
    """Which inference a table with ``n_clusters`` governments should use.

    Attributes
    ----------
    n_clusters : int
        Clusters (governments) in the data.
    threshold : int
        Fewest clusters for cluster-robust inference.
    few : bool
        ``n_clusters < threshold``.
    inference : str
        The inference to report first: ``"wild_cluster_bootstrap"`` when few,
        else ``"cluster_robust"``.
    caveat : str or None
        Text key of the caveat a report prints (``"few_clusters"``), None when
        not few.
    """

    n_clusters: int
    threshold: int
    few: bool
    inference: str
    caveat: str | None

    def note(self) -> str:
        """One English sentence for ``did_excluded``-style notes and logs."""
        if not self.few:
            return (
                f"{self.n_clusters} governments (at least {self.threshold}): cluster-robust "
                "inference by government"
            )
        return (
            f"only {self.n_clusters} governments (fewer than {self.threshold}): cluster-robust "
            "intervals under-cover, so the wild cluster bootstrap (restricted, Webb weights) "
            "is added, and randomisation inference over the governments' programme timing "
            "where that timing varies only between governments; read the rows whose "
            "inference column names them"
        )


def few_clusters_policy(n_clusters: int, *, threshold: int = FEW_CLUSTERS_THRESHOLD):
    """Decide the inference for data with ``n_clusters`` governments.

    One rule for every model family (DiD, mediation, culture links): with
    fewer than ``threshold`` clusters, cluster-robust t(G-1) intervals
    under-cover (7 governments: a placebo check over-rejected), so the
    restricted wild cluster bootstrap is the inference to read, randomisation
    inference is added where the timing varies only between governments, and
    the report prints the ``few_clusters`` caveat.

    Parameters
    ----------
    n_clusters : int
        Number of clusters (governments); at least 1.
    threshold : int, default 20
        Fewest clusters for cluster-robust inference.

    Returns
    -------
    FewClustersPolicy
        ``n_clusters, threshold, few, inference`` ("wild_cluster_bootstrap" or
        "cluster_robust"), ``caveat`` ("few_clusters" or None).

    Raises
    ------
    InputError
        If ``n_clusters`` < 1 or ``threshold`` < 2.
    """
    try:
        g, thr = int(n_clusters), int(threshold)
    except (TypeError, ValueError) as err:
        raise InputError(
            f"n_clusters={n_clusters!r} and threshold={threshold!r} must be integers."
        ) from err
    if g < 1:
        raise InputError(f"n_clusters={n_clusters!r} must be at least 1.")
    if thr < 2:
        raise InputError(f"threshold={threshold!r} must be at least 2.")
    few = g < thr
    return FewClustersPolicy(
        n_clusters=g,
        threshold=thr,
        few=few,
        inference="wild_cluster_bootstrap" if few else "cluster_robust",
        caveat="few_clusters" if few else None,
    )


# ---- bootstrap weights -----------------------------------------------------------------------
def _draws(rng, n_boot: int, G: int, kind: str) -> tuple[np.ndarray, bool]:
    """``(n_draws, G)`` weights; every distinct draw when there are at most ``n_boot``."""
    if kind not in ("webb", "rademacher"):
        raise InputError(f"multipliers={kind!r}; use 'webb' or 'rademacher'.")
    support = _WEBB if kind == "webb" else np.array([-1.0, 1.0])
    n_all = len(support) ** G
    if n_all <= n_boot:
        # Full enumeration (as boottest): the p-value is then exact, not simulated.
        return np.array(list(itertools.product(support, repeat=G))), True
    return support[rng.integers(0, len(support), size=(n_boot, G))], False


# ---- the wild cluster bootstrap on arrays ----------------------------------------------------
def wild_cluster_bootstrap(
    y,
    X,
    cluster,
    restriction,
    *,
    null: float = 0.0,
    n_boot: int = 9999,
    multipliers: str = "webb",
    seed: int = 0,
    level: float = 0.95,
    ci: bool = True,
) -> pd.DataFrame:
    """Restricted wild cluster bootstrap test of ``R'beta = null`` in ``y = X beta + u``.

    WCR (null imposed): the model is refitted under the null, and each draw
    is ``y* = X beta_0 + u_0 * v_g`` with one weight ``v_g`` per cluster;
    the statistic is the CR1 t-statistic of ``R'beta* - null``. The p-value is
    the symmetric one, the share of draws with ``|t*| >= |t|``; the interval
    collects every value the test at ``1 - level`` does not reject (test
    inversion, the same draws for every value).

    Parameters
    ----------
    y : array-like, shape (n,)
        Outcome, already transformed by any fixed effects (see
        :func:`wild_bootstrap_ols`, which does it and checks the nesting).
    X : array-like, shape (n, k)
        Regressors (full column rank).
    cluster : array-like, shape (n,)
        Cluster labels (governments).
    restriction : int or array-like, shape (k,)
        Index of the tested coefficient, or the weights ``R`` of a linear
        combination ``R'beta``.
    null : float, default 0.0
        Hypothesised value of ``R'beta`` for the p-value.
    n_boot : int, default 9999
        Draws; when the weights have at most ``n_boot`` distinct draws (2^G
        Rademacher, 6^G Webb) all are enumerated and the p-value is exact.
    multipliers : {"webb", "rademacher"}
        Distribution of the per-cluster bootstrap weights (not survey
        weights): Webb's 6-point (+-sqrt(1/2), +-1, +-sqrt(3/2)), the
        default, since with few clusters Rademacher has only 2^G distinct
        draws.
    seed : int, default 0
    level : float, default 0.95
        Confidence level of the interval.
    ci : bool, default True
        Compute the test-inversion interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (R'beta-hat), ``se`` (CR1, for reference),
        ``ci_low, ci_high`` (test inversion; NaN when ``ci=False`` or
        unbounded), ``p_value``, ``n``, ``n_clusters``, ``n_draws``,
        ``exact`` (all draws enumerated), ``inference``
        ("wild_cluster_bootstrap"); ``attrs["t_stat"]`` the observed t.

    Raises
    ------
    InputError
        Bad shapes or arguments.
    EstimationError
        Fewer than 2 clusters, collinear regressors, or no variation left.
    """
    if not 0 < level < 1:
        raise InputError(f"level={level!r} must lie strictly between 0 and 1.")
    if n_boot < 19:
        raise InputError(f"n_boot={n_boot!r} is too few; use at least 99 (9999 by default).")
    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    if Xm.ndim == 1:
        Xm = Xm[:, None]
    n, k = Xm.shape
    if yv.shape[0] != n or len(cluster) != n:
        raise InputError(f"y, X and cluster must have the same rows; got {yv.shape[0]}, {n}, "
                         f"{len(cluster)}.")  # fmt: skip
    if np.ndim(restriction) == 0:
        j = int(restriction)
        if not 0 <= j < k:
            raise InputError(f"restriction={restriction!r} is not a column of X (k={k}).")
        R = np.zeros(k)
        R[j] = 1.0
    else:
        R = np.asarray(restriction, dtype=float).ravel()
        if R.shape[0] != k or not np.any(R):
            raise InputError(f"restriction must have {k} weights, not all zero.")
    cc, levels = codes(np.asarray(cluster))
    G = len(levels)
    if G < 2:
        raise EstimationError(f"The wild cluster bootstrap needs at least 2 clusters; got {G}.")
    if not (np.isfinite(yv).all() and np.isfinite(Xm).all()):
        raise InputError("y and X must be finite; drop incomplete rows first.")
    XtX = Xm.T @ Xm
    if n <= k or np.linalg.cond(XtX) > 1e12:
        raise EstimationError(
            f"The regressors are collinear or too many ({k} for {n} rows); the tested "
            "coefficient is not identified."
        )
    XtX_inv = np.linalg.inv(XtX)
    beta = XtX_inv @ (Xm.T @ yv)
    est = float(R @ beta)
    rho = XtX_inv @ R  # (X'X)^-1 R
    denom = float(R @ rho)
    u_hat = yv - Xm @ beta
    # Restricted residuals for R'beta = est - delta: u0(delta) = u_hat + delta * X H.
    u_dir = Xm @ (rho / denom)
    # Per-cluster pieces, each affine in delta (c0 + delta * c1).
    sc0 = group_sums(cc, Xm * u_hat[:, None], G)  # G x k: X_g' u_hat_g
    sc1 = group_sums(cc, Xm * u_dir[:, None], G)
    a0, a1 = sc0 @ rho, sc1 @ rho  # scores of R'beta per cluster
    z = group_sums(cc, Xm * (Xm @ rho)[:, None], G)  # X_g'X_g rho
    # Q[g, h] = rho' X_g'X_g (X'X)^-1 X_h' u_h: how cluster h's weighted residuals
    # move cluster g's bootstrap score once beta* is refitted.
    Q0 = (z @ XtX_inv) @ sc0.T
    Q1 = (z @ XtX_inv) @ sc1.T
    # CR1 factor: identical for observed and bootstrap t, so it cancels in the
    # p-value; kept so that ``se`` is the usual CR1 standard error.
    cfac = G / (G - 1) * (n - 1) / (n - k)
    se = float(np.sqrt(cfac * np.sum(a0**2)))
    if not np.isfinite(se) or se <= 0:
        raise EstimationError("The tested combination has no cluster-level variation.")

    rng = np.random.default_rng(seed)
    V, exact = _draws(rng, n_boot, G, multipliers)
    B = V.shape[0]
    N0, N1 = np.empty(B), np.empty(B)
    D00, D01, D11 = np.empty(B), np.empty(B), np.empty(B)
    chunk = max(1, int(4e6 // max(G, 1)))
    for s in range(0, B, chunk):  # memory-bounded blocks of draws, not one draw at a time
        v = V[s : s + chunk]
        N0[s : s + chunk] = v @ a0
        N1[s : s + chunk] = v @ a1
        S0 = v * a0 - v @ Q0.T
        S1 = v * a1 - v @ Q1.T
        D00[s : s + chunk] = np.einsum("bg,bg->b", S0, S0)
        D01[s : s + chunk] = np.einsum("bg,bg->b", S0, S1)
        D11[s : s + chunk] = np.einsum("bg,bg->b", S1, S1)
    sum_a0sq = float(np.sum(a0**2))

    def pval(delta):
        """Bootstrap p-value of the null ``R'beta = est - delta`` (vectorised over delta)."""
        delta = np.atleast_1d(np.asarray(delta, dtype=float))
        num = N0[None, :] + delta[:, None] * N1[None, :]
        d2 = D00[None, :] + 2 * delta[:, None] * D01[None, :] + delta[:, None] ** 2 * D11[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_b = np.abs(num) / np.sqrt(np.clip(d2, 0, None))
        t_o = np.abs(delta) / np.sqrt(sum_a0sq)
        ok = np.isfinite(t_b)
        hit = (t_b >= t_o[:, None] * (1 - _TIE)) & ok
        return hit.sum(axis=1) / np.maximum(ok.sum(axis=1), 1)

    p = float(pval(est - null)[0])
    lo = hi = np.nan
    if ci:
        alpha = 1 - level
        lo, hi = _invert(pval, est, se, alpha, G)
    out = pd.DataFrame(
        [
            {
                "estimate": est,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
                "n": n,
                "n_clusters": G,
                "n_draws": B,
                "exact": exact,
                "inference": "wild_cluster_bootstrap",
            }
        ]
    )
    out.attrs["t_stat"] = (est - null) / se
    out.attrs["multipliers"] = multipliers
    return out


def _invert(pval, est, se, alpha, G):
    """Ends of ``{theta : p(theta) > alpha}`` by bracketing and bisection on each side.

    ``pval`` takes ``delta = est - theta``; p is 1 at ``delta = 0`` and a step
    function of ``delta``, so bisection finds the step to within 1e-7 SE.
    """
    start = stats.t.ppf(1 - alpha / 2, max(G - 1, 1)) * se
    ends = []
    for sign in (1.0, -1.0):  # +: theta below est (lower end); -: above (upper end)
        inner, outer = 0.0, sign * start
        grow = 0
        while pval(outer)[0] > alpha:
            inner, outer = outer, outer * 2.0
            grow += 1
            if grow > 40:
                # The test never rejects: the interval is unbounded on this side.
                ends.append(np.nan)
                break
        else:
            for _ in range(60):
                mid = 0.5 * (inner + outer)
                if pval(mid)[0] > alpha:
                    inner = mid
                else:
                    outer = mid
                if abs(outer - inner) <= 1e-7 * se:
                    break
            ends.append(est - 0.5 * (inner + outer))
    return float(ends[0]), float(ends[1])


# ---- on a DataFrame --------------------------------------------------------------------------
def _nested(fe_code: np.ndarray, cluster_code: np.ndarray) -> bool:
    return bool((pd.Series(cluster_code).groupby(fe_code).nunique() == 1).all())


def _design(frame, x, controls, dummies):
    """Regressor matrix ``[x, controls, dummies of each factor (first level dropped)]``."""
    cols = [frame[c].to_numpy(dtype="float64") for c in (*x, *controls)]
    for f in dummies:
        levels = np.sort(frame[f].unique())
        cols.extend((frame[f] == lv).to_numpy(dtype="float64") for lv in levels[1:])
    return np.column_stack(cols)


def wild_bootstrap_ols(
    data: pd.DataFrame,
    y: str,
    x: list[str] | tuple[str, ...] | str,
    *,
    cluster: str,
    combination=None,
    controls: list[str] | tuple[str, ...] = (),
    dummies: list[str] | tuple[str, ...] = (),
    fixed_effects: list[str] | tuple[str, ...] = (),
    null: float = 0.0,
    n_boot: int = 9999,
    multipliers: str = "webb",
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Restricted wild cluster bootstrap of a coefficient (or a weighted sum) in a panel regression.

    Fits ``y ~ x + controls + dummies(factors) + fixed effects`` by OLS and
    tests ``sum_j w_j beta_{x_j} = null`` with :func:`wild_cluster_bootstrap`.
    Fixed effects are absorbed by the within transform (Frisch-Waugh-Lovell,
    ``models._ols.demean``), which is exact for the bootstrap only when they
    are nested in the clusters (units within governments); crossed factors
    (waves) go in ``dummies``. Rows with a missing value in a used column are
    dropped.

    Parameters
    ----------
    data : pandas.DataFrame
    y : str
        Outcome column.
    x : str or list of str
        The tested coefficients' columns.
    cluster : str
        Cluster column (the government).
    combination : array-like, optional
        Weights of the ``x`` coefficients (default: 1 for a single ``x``,
        equal weights summing to 1 otherwise).
    controls : list of str
        Further numeric regressors.
    dummies : list of str
        Factors entered as dummy columns (first level dropped), e.g. the wave.
    fixed_effects : list of str
        Factors absorbed; each must be nested in ``cluster``.
    null, n_boot, multipliers, seed, level
        As in :func:`wild_cluster_bootstrap`. Without ``fixed_effects`` an
        intercept is added.

    Returns
    -------
    pandas.DataFrame
        One row with the columns of :func:`wild_cluster_bootstrap`:
        ``estimate, se, ci_low, ci_high, p_value, n, n_clusters, n_draws,
        exact, inference``.

    Raises
    ------
    InputError
        A missing column, or a fixed effect not nested in the clusters.
    """
    x = [x] if isinstance(x, str) else list(x)
    controls, dummies, fixed_effects = list(controls), list(dummies), list(fixed_effects)
    used = [y, *x, *controls, *dummies, *fixed_effects, cluster]
    check_columns(data, {f"column {c}": c for c in used})
    frame = data[list(dict.fromkeys(used))].dropna()
    num = [y, *x, *controls]
    frame = frame.astype(dict.fromkeys(num, "float64"))
    Xm = _design(frame, x, controls, dummies)
    yv = frame[y].to_numpy(dtype="float64")
    cc, _ = codes(frame[cluster])
    if fixed_effects:
        fcodes = [codes(frame[f])[0] for f in fixed_effects]
        for f, fc in zip(fixed_effects, fcodes, strict=True):
            if not _nested(fc, cc):
                raise InputError(
                    f"fixed effect {f!r} is not nested in cluster={cluster!r}; the wild "
                    "bootstrap absorbs only nested effects exactly: pass it in dummies= instead."
                )
        Z = demean(np.column_stack([yv, Xm]), fcodes)
        yv, Xm = Z[:, 0], Z[:, 1:]
    else:
        Xm = np.column_stack([Xm, np.ones(len(Xm))])
    R = np.zeros(Xm.shape[1])
    if combination is None:
        R[: len(x)] = 1.0 / len(x)
    else:
        w = np.asarray(combination, dtype=float).ravel()
        if w.shape[0] != len(x):
            raise InputError(f"combination has {w.shape[0]} weights for {len(x)} x columns.")
        R[: len(x)] = w
    return wild_cluster_bootstrap(
        yv, Xm, frame[cluster].to_numpy(), R, null=null, n_boot=n_boot, multipliers=multipliers,
        seed=seed, level=level,
    )  # fmt: skip


# ---- DiD: unit arrays ------------------------------------------------------------------------
@dataclass
class _Panel:
    Y: np.ndarray  # units x periods (NaN where unobserved)
    g: np.ndarray  # first treated period per unit (0 = never; late ones set to 0)
    cl: np.ndarray  # cluster code per unit
    periods: np.ndarray
    n_clusters: int


def _did_panel(data, y, unit, time, first_treated, cluster) -> _Panel:
    check_columns(
        data, {"y": y, "unit": unit, "time": time, "first_treated": first_treated,
               "cluster": cluster},
    )  # fmt: skip
    uc, ulev, tc, periods = panel_index(data, unit, time)
    nu, nt = len(ulev), len(periods)
    Y = np.full((nu, nt), np.nan)
    Y[uc, tc] = pd.to_numeric(data[y], errors="coerce").to_numpy(dtype=float)
    gnum = pd.to_numeric(data[first_treated], errors="coerce").fillna(0).to_numpy(dtype=float)
    g = pd.Series(gnum).groupby(uc).first().reindex(range(nu)).to_numpy()
    if (pd.Series(gnum).groupby(uc).nunique() > 1).any():
        raise InputError(f"first_treated={first_treated!r} varies within a unit.")
    cl_raw = pd.Series(data[cluster].to_numpy()).groupby(uc)
    if (cl_raw.nunique() > 1).any():
        raise InputError(f"cluster={cluster!r} varies within a unit; units must nest in it.")
    cl, cl_lev = codes(cl_raw.first().reindex(range(nu)))
    g = np.where(g > periods[-1], 0.0, g)  # first treated after the last wave: never treated
    return _Panel(Y=Y, g=g, cl=cl, periods=periods, n_clusters=len(cl_lev))


def _post_cells(periods, g_values, base_period="varying"):
    """(g, j, b) of the post-treatment cells: cohort g, period index j >= g, base b = g - 1."""
    cells = []
    for g in np.unique(g_values):
        if g <= periods[0]:
            continue
        b = int(np.searchsorted(periods, g) - 1)
        cells.extend((g, j, b) for j in range(len(periods)) if periods[j] >= g)
    return cells


def _att_many(P: _Panel, G_assign: np.ndarray, control: str, min_cohort_size: int):
    """Overall (simple) staggered ATT for many cohort assignments at once.

    ``G_assign`` is (draws x units); the cells and the weights follow
    :func:`berakhlak_research.models.did.staggered_att` (cohorts smaller than
    ``min_cohort_size`` and cells without treated or comparison units left
    out, cohort-share weights), vectorised over the draws.
    """
    periods = P.periods
    A = np.asarray(G_assign, dtype=float)
    kept = ~((A > 0) & (A <= periods[0]))
    n_kept = kept.sum(axis=1)
    num = np.zeros(A.shape[0])
    den = np.zeros(A.shape[0])
    for g, j, b in _post_cells(periods, np.unique(A)):  # cells: a handful, not units
        dy = P.Y[:, j] - P.Y[:, b]
        ok = np.isfinite(dy)
        dy0 = np.where(ok, dy, 0.0)
        tr = (A == g) & ok
        horizon = periods[max(j, b)]
        if control == "never":
            ctrl = (A == 0) & ok
        else:
            ctrl = ((A == 0) | ((A > horizon) & (A != g))) & ok
        n1, n0 = tr.sum(axis=1), ctrl.sum(axis=1)
        size = ((A == g) & kept).sum(axis=1)
        valid = (n1 > 0) & (n0 > 0) & (size >= min_cohort_size)
        with np.errstate(divide="ignore", invalid="ignore"):
            att = tr @ dy0 / n1 - ctrl @ dy0 / n0
        pg = np.where(valid, size / np.maximum(n_kept, 1), 0.0)
        num += np.where(valid, pg * att, 0.0)
        den += pg
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _stacked(P: _Panel, control: str, min_cohort_size: int):
    """Stacked 2x2 regression whose weighted treated coefficients give the overall ATT.

    One block per post-treatment cell (cohort g, period t, base g-1): the
    treated and comparison units' changes ``Y_t - Y_b`` on the cell's own
    intercept and treated dummy, so each treated coefficient is ATT(g, t)
    exactly and ``sum_c w_c tau_c`` (cohort-share weights) is the overall ATT
    of ``staggered_att``. The weights are taken as fixed (the influence of the
    estimated cohort shares is not part of the hypothesis).
    """
    g = P.g
    kept = ~((g > 0) & (g <= P.periods[0]))
    n = int(kept.sum())
    sizes = {c: int(((g == c) & kept).sum()) for c in np.unique(g[g > 0])}
    blocks, weights = [], []
    for c, j, b in _post_cells(P.periods, g[g > 0]):
        if sizes.get(c, 0) < min_cohort_size:
            continue
        dy = P.Y[:, j] - P.Y[:, b]
        ok = np.isfinite(dy)
        tr = (g == c) & ok
        horizon = P.periods[max(j, b)]
        if control == "never":
            ctrl = (g == 0) & ok
        else:
            ctrl = ((g == 0) | ((g > horizon) & (g != c))) & ok
        if tr.sum() == 0 or ctrl.sum() == 0:
            continue
        rows = np.flatnonzero(tr | ctrl)
        blocks.append((rows, dy[rows], tr[rows].astype(float)))
        weights.append(sizes[c] / n)
    if not blocks:
        raise EstimationError("No post-treatment cell has both treated and comparison units.")
    C = len(blocks)
    nrow = sum(len(r) for r, _, _ in blocks)
    X = np.zeros((nrow, 2 * C))
    yv = np.empty(nrow)
    cl = np.empty(nrow, dtype=np.int64)
    at = 0
    for c, (rows, dy, d) in enumerate(blocks):  # one block per cell
        m = len(rows)
        X[at : at + m, c] = 1.0
        X[at : at + m, C + c] = d
        yv[at : at + m] = dy
        cl[at : at + m] = P.cl[rows]
        at += m
    w = np.asarray(weights)
    R = np.concatenate([np.zeros(C), w / w.sum()])
    return yv, X, cl, R


def did_wild_bootstrap(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    cluster: str,
    estimator: str = "staggered_att",
    control: str = "notyet",
    treated: str | None = None,
    min_cohort_size: int = 2,
    n_boot: int = 9999,
    multipliers: str = "webb",
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Wild cluster bootstrap (WCR) p-value and interval of the overall DiD effect.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    y, unit, time, first_treated : str
        Outcome, unit key, numeric period, first treated period (0 or missing
        = never; constant within unit).
    cluster : str
        Cluster column, constant within unit (the government).
    estimator : {"staggered_att", "twfe"}
        ``staggered_att``: the overall (simple) group-time ATT with
        ``control`` comparisons, tested as the cohort-share-weighted sum of
        the treated coefficients of the stacked 2x2 regression (one block per
        post-treatment cell) that reproduces it exactly. ``twfe``: the static
        coefficient of ``treated`` with unit effects absorbed (nested in the
        clusters) and wave dummies.
    control : {"notyet", "never"}
    treated : str, optional
        Treatment indicator for ``twfe`` (default: derived from
        ``first_treated``).
    min_cohort_size : int, default 2
    n_boot, multipliers, seed, level
        As in :func:`wild_cluster_bootstrap`.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate, se, ci_low, ci_high, p_value, n, n_clusters,
        n_draws, exact, inference`` ("wild_cluster_bootstrap"); ``n`` is the
        number of regression rows (stacked unit changes, or unit-periods).
    """
    if estimator not in ("staggered_att", "twfe"):
        raise InputError(f"estimator={estimator!r}; use 'staggered_att' or 'twfe'.")
    if control not in ("never", "notyet"):
        raise InputError(f"control={control!r}; use 'never' or 'notyet'.")
    if estimator == "twfe":
        df = data
        if treated is None:
            gnum = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
            df = data.assign(_treated=((gnum > 0) & (data[time] >= gnum)).astype("float64"))
            treated = "_treated"
        df = df[pd.to_numeric(df[y], errors="coerce").notna()]
        return wild_bootstrap_ols(
            df, y, treated, cluster=cluster, dummies=[time], fixed_effects=[unit],
            n_boot=n_boot, multipliers=multipliers, seed=seed, level=level,
        )  # fmt: skip
    P = _did_panel(data, y, unit, time, first_treated, cluster)
    yv, X, cl, R = _stacked(P, control, min_cohort_size)
    return wild_cluster_bootstrap(
        yv, X, cl, R, n_boot=n_boot, multipliers=multipliers, seed=seed, level=level
    )


# ---- randomisation inference -----------------------------------------------------------------
def _multiset_permutations(values: np.ndarray):
    """Every distinct ordering of ``values`` (a multiset), lexicographic."""
    items = sorted(values.tolist())
    counts: dict = {}
    for v in items:
        counts[v] = counts.get(v, 0) + 1
    keys = sorted(counts)
    out, cur = [], []

    def rec():  # depth = number of governments (under 20), not units
        if len(cur) == len(items):
            out.append(list(cur))
            return
        for kv in keys:
            if counts[kv]:
                counts[kv] -= 1
                cur.append(kv)
                rec()
                cur.pop()
                counts[kv] += 1

    rec()
    return np.array(out, dtype=float)


def _n_distinct(values: np.ndarray) -> int:
    _, m = np.unique(values, return_counts=True)
    return math.factorial(len(values)) // math.prod(math.factorial(int(c)) for c in m)


def timing_assignments(timings, *, n_perm: int = 999, seed: int = 0) -> tuple[np.ndarray, bool]:
    """The governments' programme timings to compare in a randomisation test.

    Parameters
    ----------
    timings : array-like
        One first treated period per government (0 = never treated).
    n_perm : int, default 999
        With at most ``n_perm + 1`` distinct orderings of ``timings`` all are
        enumerated (an exact test); otherwise ``n_perm`` random permutations
        are drawn and the observed ordering is added as the first row.
    seed : int, default 0

    Returns
    -------
    tuple of (numpy.ndarray, bool)
        ``(assignments, exact)``: an array of shape ``(draws, governments)``,
        one timing per government in each row (the observed one among them),
        and whether the rows are every distinct assignment.
    """
    g_gov = np.asarray(timings, dtype=float)
    if n_perm < 19:
        raise InputError(f"n_perm={n_perm!r} is too few; use at least 99.")
    if _n_distinct(g_gov) <= n_perm + 1:
        return _multiset_permutations(g_gov), True
    rng = np.random.default_rng(seed)
    idx = np.argsort(rng.random((n_perm, len(g_gov))), axis=1)
    return np.vstack([g_gov[None, :], g_gov[idx]]), False


def permutation_p_value(draws: np.ndarray, observed: float) -> float:
    """Two-sided randomisation p-value: share of finite ``draws`` with ``|d| >= |observed|``.

    A relative tolerance keeps the observed draw counted when floating-point
    noise makes its refit a hair smaller than itself.

    Parameters
    ----------
    draws : numpy.ndarray
        The statistic under every compared assignment, the observed one
        included; NaN (an assignment with no estimable effect) is left out.
    observed : float
        The statistic under the observed assignment.

    Returns
    -------
    float
        The p-value, NaN when no draw is finite.
    """
    d = np.asarray(draws, dtype=float)
    d = d[np.isfinite(d)]
    return float(np.mean(np.abs(d) >= abs(observed) * (1 - _TIE))) if len(d) else np.nan


def randomization_inference(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    cluster: str,
    estimator: str = "staggered_att",
    control: str = "notyet",
    min_cohort_size: int = 2,
    n_perm: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Randomisation inference over the governments' programme timing.

    When every unit of a government shares its first treated period (the
    timing varies only between governments), the governments' timings are
    permuted among the governments, the DiD effect is recomputed for every
    assignment, and the p-value is the share of assignments whose
    ``|effect| >= |observed|`` (the observed assignment included). With at
    most ``n_perm`` distinct assignments all are enumerated (exact test of
    the sharp null of no effect anywhere); otherwise ``n_perm`` random ones
    are drawn and the observed one added.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    y, unit, time, first_treated : str
        As in :func:`berakhlak_research.models.did.staggered_att`.
    cluster : str
        The government column; ``first_treated`` must be constant within it.
    estimator : {"staggered_att", "twfe"}
        The overall (simple) staggered ATT, or the static TWFE coefficient.
    control : {"notyet", "never"}
    min_cohort_size : int, default 2
    n_perm : int, default 999
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (the observed effect), ``se, ci_low, ci_high``
        (NaN: the test gives a p-value only), ``p_value``, ``n`` (units),
        ``n_clusters``, ``n_draws`` (assignments compared), ``exact``,
        ``inference`` ("randomization_inference").

    Raises
    ------
    InputError
        Timing that varies within a government.
    EstimationError
        A single government, or no assignment with an estimable effect.
    """
    if estimator not in ("staggered_att", "twfe"):
        raise InputError(f"estimator={estimator!r}; use 'staggered_att' or 'twfe'.")
    P = _did_panel(data, y, unit, time, first_treated, cluster)
    per_gov = pd.Series(P.g).groupby(P.cl)
    if (per_gov.nunique() > 1).any():
        raise InputError(
            f"first_treated={first_treated!r} varies within some {cluster!r}: randomisation "
            "over governments' timing needs one timing per government (use it on the "
            "government panel, or where programmes are government-wide)."
        )
    g_gov = per_gov.first().to_numpy()
    G = len(g_gov)
    if G < 2:
        raise EstimationError("Randomisation inference needs at least 2 governments.")
    perms, exact = timing_assignments(g_gov, n_perm=n_perm, seed=seed)
    assign = perms[:, P.cl]  # draws x units
    if estimator == "staggered_att":
        eff = _att_many(P, assign, control, min_cohort_size)
        obs = float(_att_many(P, P.g[None, :], control, min_cohort_size)[0])
    else:
        eff = _twfe_many(P, assign)
        obs = float(_twfe_many(P, P.g[None, :])[0])
    if not np.isfinite(obs):
        raise EstimationError("The observed assignment has no estimable effect.")
    ok = np.isfinite(eff)
    if ok.sum() < 2:
        raise EstimationError("No permuted assignment gives an estimable effect.")
    p = permutation_p_value(eff, obs)
    return pd.DataFrame(
        [
            {
                "estimate": obs,
                "se": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": p,
                "n": int(((P.g <= 0) | (P.g > P.periods[0])).sum()),
                "n_clusters": G,
                "n_draws": int(ok.sum()),
                "exact": exact,
                "inference": "randomization_inference",
            }
        ]
    )


def _twfe_many(P: _Panel, G_assign: np.ndarray) -> np.ndarray:
    """Static TWFE coefficient for many assignments: one demeaning of all treatment columns."""
    ui, ti = np.nonzero(np.isfinite(P.Y))
    yv = P.Y[ui, ti]
    t = P.periods[ti]
    A = np.asarray(G_assign, dtype=float)[:, ui]  # draws x rows
    D = ((A > 0) & (t[None, :] >= A)).astype(float).T  # rows x draws
    # Units never observed have no rows: recode so every factor level is present.
    fac = [pd.factorize(ui)[0].astype(np.int64), pd.factorize(ti)[0].astype(np.int64)]
    Z = demean(np.column_stack([yv, D]), fac)
    yt, Dt = Z[:, 0], Z[:, 1:]
    dd = np.einsum("rd,rd->d", Dt, Dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dd > 1e-10 * len(yt), (Dt.T @ yt) / dd, np.nan)
