"""Profile-likelihood intervals of variance components and ICCs (both paths)."""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

__all__ = ["cross", "minimise", "mixed_profile_intervals", "profile_intervals", "run_all"]

# Jobs of the running ``run_all``: forked workers inherit them (closures need no pickling).
_JOBS: list = []


def _run_job(i: int) -> float:
    return _JOBS[i]()


def run_all(jobs: list, n_jobs: int = 1) -> list[float]:
    """Results of the zero-argument callables ``jobs``, in order.

    With ``n_jobs > 1`` (and the ``fork`` start method, i.e. Linux) they run in a
    pool of forked processes that inherit the jobs (so the criterion's per-group
    sums are shared copy-on-write, not pickled); otherwise one after another.
    Results are identical either way: each job is deterministic.
    """
    import multiprocessing as mp

    if n_jobs <= 1 or len(jobs) < 2 or "fork" not in mp.get_all_start_methods():
        return [job() for job in jobs]
    global _JOBS
    _JOBS = list(jobs)
    try:
        with mp.get_context("fork").Pool(min(n_jobs, len(jobs))) as pool:
            # One job at a time per worker: the searches differ in cost.
            return pool.map(_run_job, range(len(jobs)), chunksize=1)
    finally:
        _JOBS = []


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


def profile_intervals(crit, d: int, lam: float, dev: float, level: float):
    """Profile-likelihood intervals of lambda (hence the ICC), tau^2 and sigma^2.

    The confidence region is ``R = {(lambda, sigma^2) : D(lambda, sigma^2) -
    dev_min <= chi2_1(level)}`` with ``D`` the fit's criterion (REML criterion,
    or -2 log-likelihood for ML) with beta profiled out. The profile interval
    of a parameter is its range over ``R``. ``crit(lambda)`` returns the fast
    path's ``(criterion, beta, X'H^-1X, r)`` at one lambda (``r`` the residual
    quadratic form) and ``d`` is ``N - p`` (REML) or ``N`` (ML):

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

    def excess(t):  # profiled criterion at lambda = e^t, above the cut-off
        return crit(float(np.exp(t)))[0] - cut

    def sigma2_range(t):  # (low, high) sigma^2 in R at lambda = e^t (t = -inf: 0)
        prof, _, _, r = crit(float(np.exp(t)))
        k = max((cut - prof) / d, 0.0)  # the ends of the lambda interval give k ~ 0
        x = -np.exp(-(1.0 + k))
        q_hi = -special.lambertw(x, -1).real  # q >= 1: the smaller sigma^2
        q_lo = -special.lambertw(x, 0).real  # q <= 1: the larger sigma^2
        return (r / d) / q_hi, (r / d) / q_lo

    at_zero = crit(0.0)[0] <= cut
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
# (GLS) and sigma^2, as the fast path's ``profile``: they return
# ``(P(psi), s(psi))``, ``P`` the profiled REML criterion or -2 log-likelihood and
# ``s`` the sigma^2 that attains it, for relative parameters ``psi`` whose first
# ``K`` entries are relative standard deviations (component k has variance
# ``sigma^2 psi_k^2``).


def cross(excess, start: float, direction: int, depth: float) -> float:
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


def minimise(fun, x0: np.ndarray) -> tuple[float, np.ndarray]:
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


def mixed_profile_intervals(
    crit, psi0: np.ndarray, icc_idx: list[int], level: float, n_jobs: int = 1
):
    """Profile-likelihood intervals of the variance components (and ICCs) of a MixedLM fit.

    ``crit(psi) -> (P, s)`` is the criterion of the fit (REML or ML) profiled over
    beta and sigma^2 (``NestedCriterion``, ``SlopeCriterion``); ``psi[:K]`` are the
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
    (:func:`cross`),
    each profile point a Nelder-Mead minimisation warm-started at the previous
    one. ``dev_min`` is the criterion minimised afresh from ``psi0`` (the MixedLM
    estimate), so the cut-off does not inherit the optimiser's tolerance. A
    lower end is 0 when the profile at 0 (``psi_k = 0``) is within the cut-off.
    The ends are independent searches; ``n_jobs = 2`` runs them in two forked
    processes (:func:`run_all`).

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

    dev_min, psi_hat = minimise(P, psi0)
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
            val, state["z"] = minimise(lambda z: inner(u, z), state["z"])
            return val - cut

        return cross(excess, start, direction, cut - dev_min)

    ci = np.full((K + 1, 2), np.nan)
    icc_ci = np.full((K, 2), np.nan)
    others = [np.arange(len(psi_hat)) != k for k in range(K)]

    def with_k(k, z, value):
        psi = np.empty(len(psi_hat))
        psi[others[k]] = z
        psi[k] = value
        return psi

    # Each interval end is an independent root search: collect them, then run them
    # (in two processes for large data, see ``run_all``). (array, row, col, map, job)
    ends = []
    for k in range(K):
        z0 = psi_hat[others[k]]
        # The boundary v_k = 0 (and ICC_k = 0): the same minimisation, psi_k = 0.
        at_zero = minimise(lambda z, k=k: P(with_k(k, z, 0.0)), z0)[0] <= cut
        v_hat = s_hat * max(psi_hat[k] ** 2, 1e-10)

        def comp(u, z, k=k):  # v_k = e^u; z = (psi_-k, log sigma^2)
            return D(with_k(k, z[:-1], np.exp(0.5 * (u - z[-1]))), z[-1])

        zs = np.append(z0, np.log(s_hat))
        if at_zero:
            ci[k, 0] = 0.0
        else:
            ends.append((ci, k, 0, np.exp, (comp, zs, np.log(v_hat), -1)))
        ends.append((ci, k, 1, np.exp, (comp, zs, np.log(v_hat), +1)))
        if k in icc_idx:
            rest = [i for i in icc_idx if i != k]

            def icc(u, z, k=k, rest=rest):  # ICC_k = expit(u)
                extra = np.sum(z[[i - (i > k) for i in rest]] ** 2) if rest else 0.0
                return P(with_k(k, z, np.sqrt(np.exp(u) * (1.0 + extra))))

            lam_hat = max(psi_hat[k] ** 2, 1e-10)
            tot = 1.0 + sum(psi_hat[i] ** 2 for i in icc_idx) - psi_hat[k] ** 2 + lam_hat
            u_hat = np.log(lam_hat / tot) - np.log1p(-lam_hat / tot)
            # expit(u) / (1 - expit(u)) = e^u: psi_k^2 = e^u (1 + sum of the others).
            if at_zero:
                icc_ci[k, 0] = 0.0
            else:
                ends.append((icc_ci, k, 0, special.expit, (icc, z0, u_hat, -1)))
            ends.append((icc_ci, k, 1, special.expit, (icc, z0, u_hat, +1)))

    def resid(u, z):  # sigma^2 = e^u; z = psi
        return D(z, u)

    for direction, col in ((-1, 0), (+1, 1)):
        ends.append((ci, K, col, np.exp, (resid, psi_hat, np.log(s_hat), direction)))
    roots = run_all([lambda args=e[4]: profile_end(*args) for e in ends], n_jobs)
    for (arr, row, col, fn, _), root in zip(ends, roots, strict=True):
        arr[row, col] = fn(root)
    return ci, icc_ci
