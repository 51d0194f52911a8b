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
    ols_cr1,
    solve_moments,
)

__all__ = ["mediation", "PATHS"]

PATHS = ("a", "b", "direct", "indirect", "total")


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
