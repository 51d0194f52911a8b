"""Nested random intercepts (any depth) from per-group sums: the criterion and the fast fit.

:func:`random_intercept_nested` fits ``y = X beta + u_gov + u_gov:unit + ... + e``
(lme4 ``(1 | gov) + (1 | gov:unit)``) without statsmodels: the per-group sums
are computed once from the rows, and every evaluation of the profiled criterion
(:class:`NestedCriterion`) costs O(units) with no pass over the rows and no
Python loop over groups. The relative standard deviations are found by
Nelder-Mead, the intervals by :func:`~._profile.mixed_profile_intervals` (the
same profiling as the MixedLM path, on the same criterion).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError
from berakhlak_research.models.multilevel._design import design
from berakhlak_research.models.multilevel._fast import (
    centre,
    criterion_value,
    random_intercept_fast,
    sufficient_stats,
)
from berakhlak_research.models.multilevel._profile import minimise, mixed_profile_intervals
from berakhlak_research.models.multilevel._result import FAST_PATH, MixedResult, fixed_table

__all__ = ["NestedCriterion", "nested_codes", "random_intercept_nested"]


class NestedCriterion:
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
        # Remember the centring (see ``centre``) so that the fast fit can undo it.
        ones = np.flatnonzero(np.all(X == 1.0, axis=0))
        self.shift = None
        if len(ones):
            m = X.mean(axis=0)
            m[int(ones[0])] = 0.0
            self.shift = (int(ones[0]), m, float(y.mean()))
        y, X = centre(y, X)
        self.reml, self.N, self.K = reml, len(y), len(codes)
        self.d = self.N - X.shape[1] if reml else self.N
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        G = int(codes[-1].max()) + 1
        st = sufficient_stats(y, X, codes[-1], G)
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
            # Classes are sorted by parent and every parent has one, so one reduceat of
            # the stacked (a, b, t) columns sums them by parent (faster than p + 2 bincounts).
            self.cls_W = np.column_stack([self.cls_count * self.cls_size, self.cls_S, self.cls_t])
            self.cls_starts = np.flatnonzero(np.r_[True, np.diff(self.cls_parent) != 0])

    def __call__(self, psi: np.ndarray) -> tuple[float, float]:
        return criterion_value(*self.parts(psi), self.N, self.reml)

    def parts(self, psi: np.ndarray):
        """``X'H^-1X, X'H^-1y, y'H^-1y, log|H|`` at ``psi`` (centred data)."""
        lam = np.asarray(psi[: self.K], dtype="float64") ** 2
        st = self.inner
        lam_in = lam[-1]
        w = lam_in / (1.0 + lam_in * st.sizes)
        A = st.XtX - np.tensordot(w, st.SS, axes=1)
        c = st.Xty - w @ st.St
        q = st.yty - float(w @ st.tt)
        logdet = float(st.count @ np.log1p(lam_in * st.sizes))
        if self.K > 1:
            p = A.shape[0]
            shrink = 1.0 / (1.0 + lam_in * self.cls_size)
            W = np.add.reduceat(self.cls_W * shrink[:, None], self.cls_starts, axis=0)
            for k in range(self.K - 2, -1, -1):  # levels above the innermost, inwards out
                a, b, t = W[:, 0], W[:, 1 : p + 1], W[:, p + 1]
                g = 1.0 + lam[k] * a
                bw = b * (lam[k] / g)[:, None]
                A = A - bw.T @ b
                c = c - bw.T @ t
                q -= float(lam[k] * np.sum(t * t / g))
                logdet += float(np.sum(np.log(g)))
                if k:
                    owner, m = self.parents[k - 1], self.n_nodes[k - 1]
                    Wk = W / g[:, None]
                    W = np.stack(
                        [np.bincount(owner, weights=Wk[:, j], minlength=m) for j in range(p + 2)],
                        axis=1,
                    )
        return A, c, q, logdet

    def blups(self, psi: np.ndarray, beta_c: np.ndarray, sigma2: float):
        """Innermost groups' BLUPs (sum of every level's effect) and conditional SDs.

        With ``e_u = t_u - S_u beta`` the innermost residual sums, the children's
        sums ``a`` (of ``1'D^-1 1``) and ``t`` (of ``1'D^-1 e``) are built upwards
        (innermost: ``a = n_u``, ``t = e_u``; a node passes ``(a, t) / (1 +
        lambda a)`` to its parent). Downwards, given its ancestors' summed
        effect ``m`` a node's effect has mean ``lambda (t - a m) / (1 + lambda a)``
        and variance ``sigma^2 lambda / (1 + lambda a)`` (its subtree depends on
        the ancestors through ``m`` only), so the node's total ``m + b`` has
        conditional variance ``Var(m) / (1 + lambda a)^2 + sigma^2 lambda / (1 +
        lambda a)``: lme4's ``condVar`` (beta at its estimate) of the summed
        effects, without forming the joint covariance.
        """
        lam = np.asarray(psi[: self.K], dtype="float64") ** 2
        st = self.inner
        ch_a = [None] * self.K
        ch_t = [None] * self.K
        ch_a[-1], ch_t[-1] = st.n, st.t - st.S @ beta_c
        for k in range(self.K - 1, 0, -1):
            shrink = 1.0 / (1.0 + lam[k] * ch_a[k])
            m = self.n_nodes[k - 1]
            ch_a[k - 1] = np.bincount(self.parents[k - 1], weights=ch_a[k] * shrink, minlength=m)
            ch_t[k - 1] = np.bincount(self.parents[k - 1], weights=ch_t[k] * shrink, minlength=m)
        tot = np.zeros(self.n_nodes[0])
        var = np.zeros(self.n_nodes[0])
        for k in range(self.K):  # levels, outer to inner
            if k:
                tot, var = tot[self.parents[k - 1]], var[self.parents[k - 1]]
            g = 1.0 + lam[k] * ch_a[k]
            tot = tot + lam[k] * (ch_t[k] - ch_a[k] * tot) / g
            var = var / g**2 + sigma2 * lam[k] / g
        return tot, np.sqrt(np.maximum(var, 0.0))


def nested_codes(data: pd.DataFrame, gcols: list[str], keep: np.ndarray) -> list[np.ndarray]:
    """Integer codes of each nesting level (0-based, dense), outer to inner.

    Level ``k`` is keyed by the whole path ``gcols[0] / ... / gcols[k]``, so an inner
    code repeated across outer groups (a unit code reused by two governments) is two
    groups. Built from integer codes (no string concatenation at millions of rows).
    """
    codes, prev = [], None
    for c in gcols:
        vals = data[c].to_numpy()
        if not keep.all():
            vals = vals[keep]
        own, uniq = pd.factorize(vals)
        own = own.astype(np.int64)
        if prev is None:
            cur = own
        else:
            cur = pd.factorize(prev * (len(uniq) + 1) + own)[0].astype(np.int64)
        codes.append(cur.astype(np.intp))
        prev = cur
    return codes


def _start(crit: NestedCriterion) -> np.ndarray:
    """Starting relative sds: a moment estimate of the innermost lambda, split across levels."""
    st = crit.inner  # centred data; X is ignored (a start only)
    tbar = st.t / st.n
    within = (crit.yty - float(st.t @ tbar)) / max(crit.N - len(st.n), 1)
    between = float(np.var(tbar))
    lam = max(between - within * float(np.mean(1.0 / st.n)), 1e-4 * within) / within
    return np.full(crit.K, np.sqrt(lam / crit.K))


def _jobs(n_rows: int) -> int:
    """Processes for the profile searches: two on large data (each search then takes
    seconds, far more than a fork), one otherwise."""
    import os

    if n_rows < 200_000:
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0))))


def random_intercept_nested(data, formula, gcols, reml, level, tol) -> MixedResult:
    """Nested random intercepts on the fast path (see the module docstring).

    Returns
    -------
    MixedResult
        As :func:`~berakhlak_research.models.multilevel.random_intercept` for
        nested ``groups``: ``variance`` rows ``gcols[0]``, ``"gcols[0]:gcols[1]"``,
        ..., ``"residual"`` (``component, estimate, ci_low, ci_high, icc,
        icc_ci_low, icc_ci_high, n_groups``), ``random_effects`` of the innermost
        groups (``*gcols, estimate, se, ci_low, ci_high, n``), ``path`` =
        ``"sufficient_statistics"``, ``deviance`` = the REML criterion (or -2
        log-likelihood), as lme4's.
    """
    if len(gcols) == 1:
        return random_intercept_fast(data, formula, gcols[0], reml, level, tol)
    y, X, names, keep = design(data, formula, extra=tuple(gcols))
    N, p = X.shape
    codes = nested_codes(data, gcols, keep)
    n_groups = [int(c.max()) + 1 if len(c) else 0 for c in codes]
    if n_groups[0] < 2 or N <= p + 1:
        raise EstimationError(
            f"Need at least 2 groups of {gcols[0]!r} and more than {p + 1} observations; "
            f"got {n_groups[0]} groups and {N} rows."
        )
    crit = NestedCriterion(y, X, codes, reml)
    if np.linalg.matrix_rank(crit.XtX) < p:
        raise EstimationError(
            "The fixed-effects design is rank deficient (collinear or constant columns); "
            "drop a redundant term from the formula."
        )

    def P(psi):
        return crit(np.abs(psi))[0]

    dev, psi = minimise(P, _start(crit))
    # One restart from the optimum guards against a collapsed simplex.
    dev2, psi2 = minimise(P, psi)
    if dev2 < dev:
        dev, psi = dev2, psi2
    psi = np.abs(psi)
    converged = bool(np.isfinite(dev))
    A, c, q, logdet = crit.parts(psi)
    L = np.linalg.cholesky(A)
    beta_c = np.linalg.solve(L.T, np.linalg.solve(L, c))
    s2 = crit(psi)[1]
    Ainv = np.linalg.inv(A)
    cov = s2 * Ainv
    u, u_se = crit.blups(psi, beta_c, s2)
    beta = beta_c.copy()
    if crit.shift is not None:
        j0, m, ybar = crit.shift
        # beta_c = M beta with M = I + e_j0 m' (see ``fit_fast``); M^-1 = I - e_j0 m'.
        M_inv = np.eye(p)
        M_inv[j0, :] -= m
        beta[j0] += ybar
        beta = M_inv @ beta
        cov = M_inv @ cov @ M_inv.T
    ests = list(s2 * psi**2)
    total = sum(ests) + s2
    try:
        with np.errstate(all="ignore"):
            ci, icc_ci = mixed_profile_intervals(
                crit, psi, list(range(len(psi))), level, n_jobs=_jobs(N)
            )
    except (np.linalg.LinAlgError, ValueError, RuntimeError) as err:
        import warnings

        warnings.warn(f"Profile intervals failed ({err}); reported as NaN.", stacklevel=3)
        ci = np.full((len(psi) + 1, 2), np.nan)
        icc_ci = np.full((len(psi), 2), np.nan)
    comps = [":".join(gcols[: k + 1]) for k in range(len(gcols))]
    variance = pd.DataFrame(
        {
            "component": [*comps, "residual"],
            "estimate": [*ests, s2],
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "icc": [*(e / total for e in ests), np.nan],
            "icc_ci_low": [*icc_ci[:, 0], np.nan],
            "icc_ci_high": [*icc_ci[:, 1], np.nan],
            "n_groups": [*n_groups, N],
        }
    )
    # Innermost groups: their columns' values (first row of each), size, BLUP.
    inner = codes[-1]
    # Any row of a group will do: every row of it has the same path of codes.
    first = np.empty(n_groups[-1], dtype=np.int64)
    first[inner] = np.arange(len(inner))
    rows = np.flatnonzero(keep)[first]
    z = stats.norm.ppf(0.5 + level / 2)
    re_tab = data.iloc[rows][gcols].reset_index(drop=True)
    re_tab["estimate"] = u
    re_tab["se"] = u_se
    re_tab["ci_low"] = u - z * u_se
    re_tab["ci_high"] = u + z * u_se
    re_tab["n"] = crit.inner.n.astype("int64")
    fixed = fixed_table(names, beta, cov, N, level)
    singular = any(e <= 1e-10 * max(total, 1e-300) for e in ests)
    return MixedResult(fixed, variance, re_tab, converged, FAST_PATH, reml, dev, cov, singular, N)
