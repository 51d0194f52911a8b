"""Two-way fixed-effects difference-in-differences and event study.

Kept for comparison with the group-time estimator of :mod:`.staggered`: with
staggered adoption and effects that differ by cohort or grow over time the
static two-way fixed-effects coefficient is a weighted average of 2x2
comparisons some of which use already-treated units as controls, and can be
badly biased, even of the wrong sign (Goodman-Bacon 2021).

Fixed effects are absorbed by the within transform (alternating projections,
``models._ols``); standard errors are clustered (default: by unit; pass
the level at which treatment was assigned, e.g. the government).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg, stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.keys import resolve_unit
from berakhlak_research.models._ols import check_columns, codes, demean, group_sums
from berakhlak_research.vocabulary import alpha_of, renamed

__all__ = ["twfe", "event_study"]

_SMALL_SAMPLE = ("nested", "full", "none")


def _prepare(data, y, unit, time, extra, cluster):
    check_columns(data, {"y": y, "unit": unit, "time": time, "cluster": cluster, **extra})
    cols = [y, unit, time, *[c for c in extra.values() if c], *([cluster] if cluster else [])]
    df = data[list(dict.fromkeys(cols))]
    yv = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(yv)
    df = df[keep]
    if len(df) == 0:
        raise EstimationError(f"y={y!r} has no finite values.")
    if df.duplicated([unit, time]).any():
        raise InputError(
            f"data has more than one row per ({unit!r}, {time!r}); aggregate to one row per "
            "unit and period first."
        )
    return df


def _fe_ols(yv, X, unit_code, time_code, cluster_code, small_sample):
    """OLS of ``yv`` on ``X`` with unit and time effects absorbed; clustered vcov."""
    if small_sample not in _SMALL_SAMPLE:
        raise InputError(f"small_sample={small_sample!r}; use one of {_SMALL_SAMPLE}.")
    Z = demean(np.column_stack([yv, X]), [unit_code, time_code])
    yt, Xt = Z[:, 0], Z[:, 1:]
    n, p = Xt.shape
    xtx = Xt.T @ Xt
    # Drop regressors that the fixed effects absorb (columns that demean to zero).
    rank = np.linalg.matrix_rank(xtx)
    if rank < p:
        raise EstimationError(
            f"{p - rank} regressor(s) are collinear with the unit and time effects "
            "(e.g. no variation in treatment within units, or no never-treated units "
            "in a fully dynamic event study)."
        )
    bread = linalg.inv(xtx)
    beta = bread @ (Xt.T @ yt)
    resid = yt - Xt @ beta
    scores = group_sums(cluster_code, Xt * resid[:, None])
    meat = scores.T @ scores
    G = scores.shape[0]
    n_units = int(unit_code.max()) + 1
    n_times = int(time_code.max()) + 1
    nested = _nested(unit_code, cluster_code)
    if small_sample == "none":
        adj = 1.0
        k = p
    else:
        # "full": every absorbed level counts, as lm() with factor dummies and
        # sandwich::vcovCL(type = "HC1"). "nested": unit effects nested in the
        # clusters are not counted (Stata's xtreg/reghdfe, fixest's default).
        k = p + n_times + (0 if (small_sample == "nested" and nested) else n_units - 1)
        adj = G / (G - 1) * (n - 1) / (n - k) if G > 1 else np.nan
    vcov = adj * bread @ meat @ bread
    return beta, vcov, n, G, k


def _nested(unit_code, cluster_code) -> bool:
    per_unit = pd.Series(cluster_code).groupby(unit_code).nunique()
    return bool((per_unit == 1).all())


def _tidy(names, beta, vcov, n_obs, G, alpha, extra=None):
    se = np.sqrt(np.diag(vcov))
    dfree = max(G - 1, 1)
    q = stats.t.ppf(1 - alpha / 2, dfree)
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = beta / se
    out = pd.DataFrame(
        {
            "term": names,
            "estimate": beta,
            "se": se,
            "ci_low": beta - q * se,
            "ci_high": beta + q * se,
            "p_value": 2 * stats.t.sf(np.abs(tval), dfree),
            "n": n_obs,
            "n_clusters": G,
        }
    )
    if extra is not None:
        for k, v in extra.items():
            out.insert(1, k, v)
    return out


@renamed(alpha="level")
def twfe(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treated: str,
    *,
    cluster: str | None = None,
    level: float = 0.95,
    small_sample: str = "nested",
    gov: str | None = None,
) -> pd.DataFrame:
    """Static two-way fixed-effects difference-in-differences.

    Fits ``y_it = a_i + l_t + beta * D_it + e_it`` by OLS on the within-
    transformed data and clusters the standard error.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period; rows with missing ``y`` are
        dropped (unbalanced panels are fine).
    y, unit, time, treated : str
        Column names: outcome, unit identifier, period, and the treatment
        indicator (0/1 or bool; 1 from the first treated period on).
    cluster : str, optional
        Column to cluster on: the level at which treatment was assigned
        (default: ``unit``).
    level : float, default 0.95
        Confidence level of the intervals.
    small_sample : {"nested", "full", "none"}
        Small-sample factor ``G/(G-1) * (N-1)/(N-K)``. ``"full"`` counts every
        unit and period effect in K (R: ``lm(y ~ D + factor(unit) +
        factor(time))`` with ``sandwich::vcovCL(type = "HC1")``); ``"nested"``
        leaves out unit effects nested within clusters (Stata ``xtreg, fe
        vce(cluster)``, reghdfe, fixest); ``"none"`` uses the plain sandwich.
    gov : str, optional
        Government column. Unit codes are unique only within a government:
        with ``gov`` the unit is the pair (government, unit); without it, a
        unit code repeated across governments is refused
        (:func:`berakhlak_research.keys.resolve_unit`).

    Returns
    -------
    pandas.DataFrame
        One row, columns ``term`` (the treated column's name), ``estimate``,
        ``se``, ``ci_low``, ``ci_high`` (t quantile with G-1 df), ``p_value``
        (two-sided, t with G-1 df), ``n`` (observations), ``n_clusters``.

    Notes
    -----
    With staggered adoption and heterogeneous effects ``beta`` is not an
    average treatment effect (Goodman-Bacon 2021; de Chaisemartin and
    D'Haultfoeuille 2020); use :func:`berakhlak_research.models.did.staggered_att`.
    """
    data, unit = resolve_unit(data, unit, gov=gov, func="twfe")
    cluster = cluster or unit
    df = _prepare(data, y, unit, time, {"treated": treated}, cluster)
    uc, _ = codes(df[unit])
    tc, _ = codes(df[time])
    cc, _ = codes(df[cluster])
    d = pd.to_numeric(df[treated].astype("float64"), errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(d).all():
        raise InputError(f"treated={treated!r} has missing or non-numeric values.")
    yv = df[y].to_numpy(dtype=float)
    beta, vcov, n, G, _ = _fe_ols(yv, d[:, None], uc, tc, cc, small_sample)
    return _tidy([treated], beta, vcov, n, G, alpha_of(level))


@renamed(alpha="level")
def event_study(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    cluster: str | None = None,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    level: float = 0.95,
    small_sample: str = "nested",
    gov: str | None = None,
) -> pd.DataFrame:
    """Two-way fixed-effects event study with leads and lags.

    Fits ``y_it = a_i + l_t + sum_{e != ref} b_e 1{t - g_i = e} + e_it`` where
    ``g_i`` is the unit's first treated period (never-treated units have all
    indicators zero).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    y, unit, time : str
        Outcome, unit identifier, period columns.
    first_treated : str
        Column with the unit's first treated period; 0 or missing = never.
    cluster : str, optional
        Cluster column (default: ``unit``).
    window : (int, int), optional
        Lowest and highest event time kept; event times beyond are binned
        into the end points. Default: every event time in the data.
    reference : int
        The omitted event time (default -1, the period before treatment).
    level : float, default 0.95
        Confidence level of the intervals.
    small_sample : {"nested", "full", "none"}
        As in :func:`twfe`.
    gov : str, optional
        As in :func:`twfe`.

    Returns
    -------
    pandas.DataFrame
        One row per event time, sorted: ``term`` ("event_time"),
        ``event_time``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n`` (treated unit-periods at that event time),
        ``n_clusters``. The reference period is included with estimate 0 and
        missing se. ``attrs["dropped"]`` lists event times dropped for
        collinearity (when no unit is never treated, the earliest lead is
        dropped as a second normalisation).
    """
    data, unit = resolve_unit(data, unit, gov=gov, func="event_study")
    cluster = cluster or unit
    df = _prepare(data, y, unit, time, {"first_treated": first_treated}, cluster)
    uc, _ = codes(df[unit])
    tc, _ = codes(df[time])
    cc, _ = codes(df[cluster])
    g = pd.to_numeric(df[first_treated], errors="coerce").fillna(0).to_numpy(dtype=float)
    t = pd.to_numeric(df[time], errors="coerce").to_numpy(dtype=float)
    ever = g > 0
    rel = np.where(ever, t - g, np.nan)
    if window is not None:
        lo, hi = window
        if lo > reference or hi < reference:
            raise InputError(f"window={window!r} must contain the reference {reference}.")
        rel = np.where(ever, np.clip(rel, lo, hi), np.nan)
    levels = np.unique(rel[ever]).astype(int)
    dropped = []
    keep_levels = [e for e in levels if e != reference]
    if (~ever).sum() == 0 and len(keep_levels) > 0:
        # Without never-treated units, unit and time effects plus a full set of
        # relative-time indicators are collinear: drop the earliest lead too.
        dropped.append(int(min(keep_levels)))
        keep_levels = keep_levels[1:]
    if not keep_levels:
        raise EstimationError("No event times besides the reference to estimate.")
    X = np.column_stack([(rel == e).astype(float) for e in keep_levels])
    beta, vcov, n, G, _ = _fe_ols(df[y].to_numpy(dtype=float), X, uc, tc, cc, small_sample)
    out = _tidy(["event_time"] * len(keep_levels), beta, vcov, n, G, alpha_of(level))
    out.insert(1, "event_time", np.asarray(keep_levels, dtype=int))
    out["n"] = X.sum(axis=0).astype(int)
    ref = pd.DataFrame(
        {
            "term": ["event_time"],
            "event_time": [reference],
            "estimate": [0.0],
            "se": [np.nan],
            "ci_low": [np.nan],
            "ci_high": [np.nan],
            "p_value": [np.nan],
            "n": [int((rel == reference).sum())],
            "n_clusters": [G],
        }
    )
    out = pd.concat([out, ref], ignore_index=True).sort_values("event_time", ignore_index=True)
    out.attrs["dropped"] = dropped
    return out
