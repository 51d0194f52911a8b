"""Mediation of a programme's effect on satisfaction through culture, with a cluster bootstrap.

The product-of-coefficients model (Baron and Kenny; MacKinnon 2008):

* a path: ``m = a x + covariates + e1``
* b path and direct effect: ``y = b m + c' x + covariates + e2``
* total effect: ``y = c x + covariates + e3`` (``c = c' + a b`` exactly in OLS)
* indirect effect: ``a b``

Fixed effects (e.g. unit and wave) can be absorbed by the within transform.
The indirect effect's interval is a percentile cluster bootstrap: whole
clusters (governments or units) are resampled. The bootstrap is vectorised:
per-cluster cross products are computed once and every replicate is a
multinomial-weighted sum of them followed by a batched solve.

References
----------
1. MacKinnon DP (2008). Introduction to Statistical Mediation Analysis. Erlbaum.
2. Cameron AC, Gelbach JB, Miller DL (2008). Bootstrap-based improvements for
   inference with clustered errors. Rev. Econ. Stat. 90(3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.keys import UNIT, check_unit
from berakhlak_research.models._ols import (
    absorb,
    bootstrap_moments,
    cluster_moments,
    demean,
    ols_cr1,
    solve_moments,
)
from berakhlak_research.models.few_clusters import permutation_p_value, timing_assignments

__all__ = ["mediation", "mediation_randomization", "PATHS", "PROGRAMME_PATHS"]

PATHS = ("a", "b", "direct", "indirect", "total")
PROGRAMME_PATHS = ("a", "direct", "indirect", "total")
"""The paths that are effects of the programme (``b`` is culture's effect on IKM, not the programme's)."""


def _check(data, cols: dict):
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    for arg, col in cols.items():
        for c in [col] if isinstance(col, str) else col:
            if c not in data.columns:
                raise InputError(f"{arg}={c!r} is not a column of data; columns: {list(data)}.")


def _cells(frame: pd.DataFrame, x: str, cohort: str, time: str):
    """Dummy columns of the treated (cohort, time) cells and their share of treated rows."""
    xv = frame[x].to_numpy(dtype="float64")
    if not np.isin(xv, (0.0, 1.0)).all():
        raise InputError(f"x={x!r} must be 0/1 (treated) when cohort= is given.")
    treated = xv == 1
    key = frame[cohort].astype("int64").astype(str) + ":" + frame[time].astype("int64").astype(str)
    names = np.sort(key[treated].unique())
    cols = {f"_cell_{k}": (treated & (key == k).to_numpy()).astype("float64") for k in names}
    w = np.array([v.sum() for v in cols.values()])
    return pd.DataFrame(cols, index=frame.index), w / w.sum(), list(names)


def mediation(
    data: pd.DataFrame,
    x: str,
    m: str,
    y: str,
    cluster: str,
    *,
    covariates: list[str] | None = None,
    fixed_effects: list[str] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    cohort: str | None = None,
    time: str | None = None,
    mediators: list[str] | None = None,
) -> pd.DataFrame:
    """Paths a, b, direct, indirect and total of ``x -> m -> y`` with cluster inference.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation (e.g. unit-wave); rows with NA in any used
        column are dropped.
    x, m, y : str
        Treatment (e.g. ``"treated"`` or ``"hours"``), mediator
        (``"culture_overall"``) and outcome (``"ikm"``) columns.
    cluster : str
        Cluster column for the standard errors and the bootstrap
        (``"gov_code"`` or a unit key). ``"unit_code"`` here or in
        ``fixed_effects`` is refused if a code repeats across governments.
    covariates : list of str, optional
        Numeric control columns.
    fixed_effects : list of str, optional
        Factors absorbed by demeaning, e.g. ``["unit_code", "wave"]``. Without
        them an intercept is included. The bootstrap reuses the demeaned data,
        which is exact for effects nested in the clusters (units within
        governments) and a close approximation for crossed ones (waves).
    n_boot : int, default 2000
        Cluster bootstrap replicates for the indirect effect.
    seed : int, default 0
    level : float, default 0.95
    cohort, time : str, optional
        For a staggered 0/1 treatment: the first-treated year column and the
        period column. The effect of ``x`` on ``m`` and ``y`` then gets its own
        coefficient in every treated (cohort, time) cell, with time dummies as
        regressors (pass only the unit key in ``fixed_effects``), and the a,
        direct and total paths are the averages over treated observations,
        each weighted equally (Wooldridge's saturated two-way design, which
        avoids the bias of a single TWFE coefficient when effects differ by
        cohort or grow over time).
    mediators : list of str, optional
        Parallel mediators whose combination is ``m`` (e.g. the seven value
        indices, whose mean is ``culture_overall``). The b-path regression then
        holds all of them, the indirect effect is ``sum_v a_v b_v`` (each value
        with its own weight on the outcome) and the reported ``b`` is the
        effective ``indirect / a`` per point of ``m``, with a bootstrap
        interval.

    Returns
    -------
    pandas.DataFrame
        One row per path, in the order a, b, direct, indirect, total, with
        columns ``path, estimate, se, ci_low, ci_high, p_value, n,
        n_clusters, method``. a, b, direct and total use CR1 cluster-robust
        standard errors and t(G-1) intervals (``method = "cr1"``); the
        indirect effect uses the bootstrap standard deviation, percentile
        interval and two-sided bootstrap p-value
        (``method = "cluster_bootstrap"``).

    Notes
    -----
    ``total = direct + indirect`` holds exactly (same rows, OLS).

    Examples
    --------
    R equivalent of the point estimates: ``mediation::mediate`` with linear
    models ``lm(m ~ x)`` and ``lm(y ~ m + x)``.
    """
    covariates = list(covariates or [])
    fixed_effects = list(fixed_effects or [])
    if (cohort is None) != (time is None):
        raise InputError("Give both cohort= and time= (or neither).")
    _check(data, {"x": x, "m": m, "y": y, "cluster": cluster, "covariates": covariates,
                  "mediators": list(mediators or []),
                  "fixed_effects": fixed_effects,
                  "cohort": [cohort] if cohort else [], "time": [time] if time else []})  # fmt: skip
    # A unit code clusters or absorbs units of different governments as one.
    for arg, col in [("cluster", cluster), *(("fixed_effects", c) for c in fixed_effects)]:
        if col == UNIT:
            check_unit(data, col, func="mediation", arg=arg,
                       fix="Use the unit key (keys.unit_key(df)) as the unit column.")  # fmt: skip
    if n_boot < 50:
        raise InputError(f"n_boot={n_boot} is too few for a percentile interval; use >= 200.")
    extra = [c for c in (cohort, time) if c]
    used = [x, m, y, *(mediators or []), *covariates]
    frame = data[[*dict.fromkeys([*used, cluster, *fixed_effects, *extra])]].dropna()
    if len(frame) < 10:
        raise EstimationError(f"Only {len(frame)} complete rows for the mediation model.")
    frame = frame.astype(dict.fromkeys(used, "float64"))
    if cohort is None:
        xcols, w = [x], np.array([1.0])
        work, xnames = frame, [x]
    else:
        cells, w, _ = _cells(frame, x, cohort, time)
        times = np.sort(frame[time].unique())[1:]
        tdum = pd.DataFrame(
            {f"_t_{int(t)}": (frame[time] == t).to_numpy(dtype="float64") for t in times},
            index=frame.index,
        )
        work = pd.concat([frame, cells, tdum], axis=1)
        xcols = list(cells.columns)
        covariates = [*covariates, *tdum.columns]
        xnames = xcols
    meds = list(mediators or [])
    cols = [*xnames, m, y, *meds, *covariates]
    Z = absorb(work, cols, fixed_effects)
    if not fixed_effects:
        Z = np.column_stack([Z, np.ones(len(Z))])
    k = Z.shape[1]
    nx = len(xnames)
    ix = list(range(nx))
    im, iy = nx, nx + 1
    imeds = list(range(nx + 2, nx + 2 + len(meds)))
    ic = list(range(nx + 2 + len(meds), k))  # covariates (+ intercept)
    # The b-path regression holds the mediator, or all parallel mediators.
    ib = imeds if meds else [im]
    cl = frame[cluster].to_numpy()

    fa = ols_cr1(Z[:, im], Z[:, [*ix, *ic]], cl, level)
    fb = ols_cr1(Z[:, iy], Z[:, [*ib, *ix, *ic]], cl, level)
    ft = ols_cr1(Z[:, iy], Z[:, [*ix, *ic]], cl, level)
    nb = len(ib)

    def combo(f, sel):
        """Weighted average of the x coefficients (positions sel) with CR1 inference."""
        est = float(w @ f["beta"][sel])
        se = float(np.sqrt(w @ f["cov"][np.ix_(sel, sel)] @ w))
        t = stats.t.ppf(0.5 + level / 2, f["n_clusters"] - 1)
        p = float(2 * stats.t.sf(abs(est / se), f["n_clusters"] - 1)) if se > 0 else np.nan
        return {"estimate": est, "se": se, "ci_low": est - t * se, "ci_high": est + t * se,
                "p_value": p, "method": "cr1"}  # fmt: skip

    def indirect_of(M_or_none):
        """Indirect effect (and a) from cross products, or from the point fits when None."""
        if M_or_none is None:
            a_m = w @ fa["beta"][:nx]
            a_v = [w @ ols_cr1(Z[:, j], Z[:, [*ix, *ic]], cl, level)["beta"][:nx] for j in ib]
            return a_m, float(np.dot(a_v, fb["beta"][:nb]))
        M = M_or_none
        a_m = solve_moments(M, [*ix, *ic], im)[:, :nx] @ w
        bv = solve_moments(M, [*ib, *ix, *ic], iy)[:, :nb]
        a_v = np.stack([solve_moments(M, [*ix, *ic], j)[:, :nx] @ w for j in ib], axis=1)
        return a_m, (a_v * bv).sum(axis=1)

    a = combo(fa, list(range(nx)))
    direct = combo(fb, list(range(nb, nb + nx)))
    total = combo(ft, list(range(nx)))
    _, indirect = indirect_of(None)

    rng = np.random.default_rng(seed)
    mom = cluster_moments(Z, cl)
    boots_ind, boots_b = [], []
    for M in bootstrap_moments(mom, n_boot, rng):
        a_m, ind_b = indirect_of(M)
        boots_ind.append(ind_b)
        boots_b.append(ind_b / a_m)
    ind = np.concatenate(boots_ind)
    ok = np.isfinite(ind)
    ind = ind[ok]
    alpha = 1 - level
    lo, hi = np.quantile(ind, [alpha / 2, 1 - alpha / 2])
    p_ind = min(1.0, 2 * min((ind <= 0).mean(), (ind >= 0).mean()) + 1 / (len(ind) + 1))
    if meds:
        # Effective b = indirect / a (IKM points per point of the composite mediator).
        bb = np.concatenate(boots_b)
        bb = bb[np.isfinite(bb)]
        b_est = indirect / a["estimate"]
        b_lo, b_hi = np.quantile(bb, [alpha / 2, 1 - alpha / 2])
        b = {
            "estimate": float(b_est),
            "se": float(np.std(bb, ddof=1)),
            "ci_low": float(b_lo),
            "ci_high": float(b_hi),
            "p_value": float(min(1.0, 2 * min((bb <= 0).mean(), (bb >= 0).mean())
                                 + 1 / (len(bb) + 1))),
            "method": "cluster_bootstrap",
        }  # fmt: skip
    else:
        b = {
            "estimate": float(fb["beta"][0]),
            "se": float(fb["se"][0]),
            "ci_low": float(fb["ci_low"][0]),
            "ci_high": float(fb["ci_high"][0]),
            "p_value": float(fb["p_value"][0]),
            "method": "cr1",
        }
    rows = [
        {"path": "a", **a},
        {"path": "b", **b},
        {"path": "direct", **direct},
        {
            "path": "indirect",
            "estimate": float(indirect),
            "se": float(np.std(ind, ddof=1)),
            "ci_low": float(lo),
            "ci_high": float(hi),
            "p_value": float(p_ind),
            "method": "cluster_bootstrap",
        },
        {"path": "total", **total},
    ]
    out = pd.DataFrame(rows)
    out["n"] = len(frame)
    out["n_clusters"] = fa["n_clusters"]
    return out[
        ["path", "estimate", "se", "ci_low", "ci_high", "p_value", "n", "n_clusters", "method"]
    ]


def _programme_paths(Zb, tv, ft, factors, n_meds):
    """a, direct, indirect and total of the saturated cohort x period design for one timing.

    ``Zb`` holds the demeaned ``m, y, mediators..., covariates..., period dummies`` (and
    an intercept when nothing is absorbed); the treated-cell dummies of the timing
    ``ft`` (one first treated period per row) are built, demeaned and put in front,
    as :func:`mediation` orders its columns.
    """
    treated = (ft > 0) & (tv >= ft)
    if not treated.any():
        return np.full(4, np.nan)
    # periods are years, so cohort * 1e4 + period is a unique cell key
    _, inv, counts = np.unique(ft[treated] * 1e4 + tv[treated], return_inverse=True,
                               return_counts=True)  # fmt: skip
    cells = np.zeros((len(ft), len(counts)))
    cells[np.flatnonzero(treated), inv.ravel()] = 1.0
    w = counts / counts.sum()
    Z = np.column_stack([demean(cells, factors) if factors else cells, Zb])
    M = (Z.T @ Z)[None]
    nx, k = len(counts), Z.shape[1]
    ix = list(range(nx))
    im, iy = nx, nx + 1
    ib = list(range(nx + 2, nx + 2 + n_meds)) if n_meds else [im]
    ic = list(range(nx + 2 + n_meds, k))
    nb = len(ib)
    with np.errstate(all="ignore"):
        a = solve_moments(M, [*ix, *ic], im)[0, :nx] @ w
        fb = solve_moments(M, [*ib, *ix, *ic], iy)[0]
        total = solve_moments(M, [*ix, *ic], iy)[0, :nx] @ w
        a_v = np.array([solve_moments(M, [*ix, *ic], j)[0, :nx] @ w for j in ib])
        return np.array([a, fb[nb : nb + nx] @ w, a_v @ fb[:nb], total])


def mediation_randomization(
    data: pd.DataFrame,
    m: str,
    y: str,
    cluster: str,
    *,
    time: str,
    first_treated: str,
    covariates: list[str] | None = None,
    fixed_effects: list[str] | None = None,
    mediators: list[str] | None = None,
    n_perm: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Randomisation inference for the programme's paths over the governments' timing.

    The programme is a staggered 0/1 treatment, ``treated = first_treated > 0
    and time >= first_treated``, with one timing per government (``cluster``).
    Under the sharp null that the programme changed nobody's culture or IKM,
    any permutation of the timings among the governments was as likely as the
    one observed. For every assignment (all distinct ones when there are at
    most ``n_perm + 1``, else ``n_perm`` random ones plus the observed) the
    model of :func:`mediation` with ``cohort=first_treated`` is refitted (the
    saturated cohort x period design, the same absorbed effects and parallel
    mediators) and a, direct, indirect and total are recomputed. The p-value
    of a path is the share of assignments whose ``|effect| >= |observed|``.

    The test needs no cluster-robust variance, so it stays valid with a
    handful of governments, where CR1 intervals under-cover and the pairs
    bootstrap of the indirect effect is unreliable (MacKinnon and Webb 2020).
    It gives p-values only; ``b`` is not a programme effect and is not
    tested.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit and period; rows with NA in a used column are dropped.
    m, y : str
        Mediator (``"culture_overall"``) and outcome (``"ikm"``) columns.
    cluster : str
        The government column; ``first_treated`` must be constant within it.
    time, first_treated : str
        Period column and first treated period (0 = never treated).
    covariates, fixed_effects, mediators : list of str, optional
        As in :func:`mediation` (e.g. ``fixed_effects=["_unit"]`` with a unit
        key, ``mediators`` the seven value columns).
    n_perm : int, default 999
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row per path a, direct, indirect, total: ``path, estimate`` (the
        observed effect, equal to :func:`mediation`'s), ``se, ci_low,
        ci_high`` (NaN: a p-value only), ``p_value, n, n_clusters,
        method`` ("randomization_inference"), ``n_draws`` (assignments with
        an estimable effect), ``exact`` (every distinct assignment compared).

    Raises
    ------
    InputError
        A missing column, or timing that varies within a government.
    EstimationError
        Fewer than 2 governments or 10 rows, or no estimable observed effect.
    """
    covariates = list(covariates or [])
    fixed_effects = list(fixed_effects or [])
    meds = list(mediators or [])
    _check(data, {"m": m, "y": y, "cluster": cluster, "covariates": covariates,
                  "fixed_effects": fixed_effects, "mediators": meds, "time": time,
                  "first_treated": first_treated})  # fmt: skip
    for col in fixed_effects:
        if col == UNIT:
            check_unit(data, col, func="mediation_randomization", arg="fixed_effects",
                       fix="Use the unit key (keys.unit_key(df)) as the unit column.")  # fmt: skip
    used = [m, y, *meds, *covariates]
    frame = data[[*dict.fromkeys([*used, cluster, *fixed_effects, time, first_treated])]].dropna()
    if len(frame) < 10:
        raise EstimationError(f"Only {len(frame)} complete rows for the mediation model.")
    ft = frame[first_treated].to_numpy(dtype="float64")
    tv = frame[time].to_numpy(dtype="float64")
    gov = pd.factorize(frame[cluster])[0]
    per_gov = pd.Series(ft).groupby(gov)
    if (per_gov.nunique() > 1).any():
        raise InputError(
            f"first_treated={first_treated!r} varies within some {cluster!r}: randomisation "
            "over governments' timing needs one timing per government (programmes that are "
            "government-wide); use the wild cluster bootstrap instead."
        )
    g_gov = per_gov.first().to_numpy()
    if len(g_gov) < 2:
        raise EstimationError("Randomisation inference needs at least 2 governments.")
    perms, exact = timing_assignments(g_gov, n_perm=n_perm, seed=seed)
    periods = np.unique(tv)[1:]  # period dummies, the first period the reference
    base = np.column_stack([frame[used].to_numpy(dtype="float64"),
                            (tv[:, None] == periods[None, :]).astype("float64")])  # fmt: skip
    factors = [pd.factorize(frame[f])[0].astype(np.int64) for f in fixed_effects]
    Zb = demean(base, factors) if factors else np.column_stack([base, np.ones(len(base))])
    observed = _programme_paths(Zb, tv, ft, factors, len(meds))
    if not np.isfinite(observed).all():
        raise EstimationError("The observed timing gives no estimable programme effect.")
    # one refit per assignment: at most n_perm + 1 of them, never one per unit or row
    draws = np.stack([_programme_paths(Zb, tv, p[gov], factors, len(meds)) for p in perms])
    ok = np.isfinite(draws).all(axis=1)
    rows = [
        {
            "path": path,
            "estimate": float(observed[j]),
            "se": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": permutation_p_value(draws[ok, j], observed[j]),
            "n": len(frame),
            "n_clusters": len(g_gov),
            "method": "randomization_inference",
            "n_draws": int(ok.sum()),
            "exact": bool(exact),
        }  # fmt: skip
        for j, path in enumerate(PROGRAMME_PATHS)
    ]
    return pd.DataFrame(rows)
