"""Group-time average treatment effects for staggered adoption (Callaway and Sant'Anna 2021).

Every ATT(g, t) is a 2x2 difference in mean changes between the units first
treated in period g and a comparison group (never treated, or not yet treated
by period t), computed at once for all units from a wide unit x period array.
Inference uses the estimators' influence functions: a multiplier bootstrap
(a matrix product of random weights with the cluster-summed influence
functions) gives standard errors and simultaneous (uniform) bands; the
aggregated effects (overall, by cohort, by event time) carry the extra
influence of their estimated weights, as in R's ``did`` package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, special, stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.keys import resolve_unit
from berakhlak_research.models._ols import (
    check_columns,
    codes,
    group_sums,
    panel_index,
    unit_constant,
)
from berakhlak_research.vocabulary import alpha_of, renamed

__all__ = [
    "StaggeredResult",
    "staggered_att",
    "estimate_group_time",
    "TABLE_COLUMNS",
    "EXCLUDED_COLUMNS",
]

TABLE_COLUMNS = [
    "aggregation",
    "cohort",
    "event_time",
    "time",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "n",
]
EXCLUDED_COLUMNS = ["kind", "cohort", "time", "n", "reason"]
_Z_IQR = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass
class StaggeredResult:
    """What :func:`staggered_att` fitted; ``table`` is the tidy summary.

    Attributes
    ----------
    table : pandas.DataFrame
        ``aggregation`` ("overall", "cohort", "event_time", "group_time"),
        ``cohort``, ``event_time``, ``time``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``n``, then ``n_control`` (comparison
        units, group-time rows), ``band`` ("uniform" or "pointwise") and
        ``crit`` (the critical value used for the interval).
    group_time : pandas.DataFrame
        The ``group_time`` rows of ``table`` plus ``base_time``.
    overall : pandas.DataFrame
        Three overall summaries: ``aggregation`` "simple" (each treated
        unit-period weighted equally; the ``overall`` row of ``table``),
        "group" (cohort effects weighted by cohort size), "dynamic" (mean of
        the post-treatment event-time effects).
    pretrend : pandas.DataFrame
        One row: ``statistic`` (Wald statistic W of all pre-treatment
        ATT(g, t) = 0, influence-function covariance summed by cluster),
        ``df`` (q, the covariance's rank), ``p_value`` (Hotelling's form
        ``W (G-q) / (q (G-1)) ~ F(q, G-q)`` with G clusters, which tends to
        the chi-square(q) test as G grows and does not over-reject with few
        clusters), ``n_cells``, ``n_clusters``.
    excluded : pandas.DataFrame
        What was left out or treated specially, and why: ``kind`` ("units",
        "cohort", "cell"), ``cohort``, ``time``, ``n``, ``reason``.
    influence : numpy.ndarray
        Unit-level influence functions (units x estimates), columns in the
        order of ``table`` (reference rows excluded).
    boot : numpy.ndarray or None
        Bootstrap draws of the estimates' deviations (n_boot x estimates).
    settings : dict
        The arguments used.
    """

    table: pd.DataFrame
    group_time: pd.DataFrame
    overall: pd.DataFrame
    pretrend: pd.DataFrame
    excluded: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    boot: np.ndarray | None = field(repr=False)
    settings: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The tidy summary, :attr:`table` (columns as listed there)."""
        return self.table

    def __repr__(self) -> str:  # pragma: no cover - convenience
        ov = self.table[self.table["aggregation"] == "overall"].iloc[0]
        return (
            f"StaggeredResult(overall ATT={ov['estimate']:.4g} (se {ov['se']:.3g}), "
            f"{(self.table['aggregation'] == 'group_time').sum()} group-time cells, "
            f"pre-trend p={self.pretrend['p_value'].iloc[0]:.3g})"
        )


def _multipliers(rng, shape, kind):
    """Multiplier weights as float32 (mean 0, variance 1)."""
    size = shape[0] * shape[1]
    if kind == "rademacher":
        # One random bit per weight: 8 weights per random byte.
        raw = np.frombuffer(rng.bytes((size + 7) // 8), dtype=np.uint8)
        v = np.unpackbits(raw)[:size].reshape(shape).astype(np.float32)
        v *= 2.0
        v -= 1.0
        return v
    if kind == "mammen":
        s5 = np.sqrt(5.0)
        lo, hi = (1 - s5) / 2, (1 + s5) / 2
        p_lo = (s5 + 1) / (2 * s5)
        return np.where(rng.random(shape, dtype=np.float32) < p_lo, lo, hi).astype(np.float32)
    raise InputError(f"multipliers={kind!r}; use 'rademacher' or 'mammen'.")


def _bootstrap(inf_c, n, n_boot, seed, kind):
    """Deviations of the estimates, ``V @ IF_c / n``, in memory-bounded chunks.

    The product runs in float32 (the draws only feed standard errors and
    critical values; single precision changes them by far less than the
    bootstrap's own noise) and is returned in float64.
    """
    if kind not in ("rademacher", "mammen"):
        raise InputError(f"multipliers={kind!r}; use 'rademacher' or 'mammen'.")
    rng = np.random.default_rng(seed)
    n_clusters, k = inf_c.shape
    scale = np.abs(inf_c).max(initial=0.0) or 1.0
    f32 = (inf_c / scale).astype(np.float32)
    out = np.empty((n_boot, k))
    chunk = max(1, min(n_boot, int(2e7 // max(n_clusters, 1))))
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        v = _multipliers(rng, (stop - start, n_clusters), kind)
        out[start:stop] = (v @ f32).astype(float) * (scale / n)
    return out


def _wif(keep_g, pg, g_unit):
    """Influence of estimating the cohort-share weights (R did's ``wif``)."""
    ind = (g_unit[:, None] == keep_g[None, :]).astype(float)
    s = pg.sum()
    if1 = (ind - pg[None, :]) / s
    if2 = (ind - pg[None, :]).sum(axis=1)[:, None] * (pg / s**2)[None, :]
    return if1 - if2


def _wide(df, y, uc, tc, n_units, n_times):
    w = np.full((n_units, n_times), np.nan)
    w[uc, tc] = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    return w


@renamed(alpha="level", weights="multipliers")
def staggered_att(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treated: str,
    *,
    control: str = "never",
    covariates: list[str] | None = None,
    n_boot: int = 999,
    seed: int = 0,
    cluster: str | None = None,
    level: float = 0.95,
    uniform: bool = True,
    multipliers: str = "rademacher",
    base_period: str = "varying",
    min_cohort_size: int = 2,
    gov: str | None = None,
) -> StaggeredResult:
    """Group-time average treatment effects and their aggregations.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period. Missing outcomes are allowed
        (a unit enters a 2x2 comparison only where both of its periods are
        observed).
    y, unit, time : str
        Outcome, unit identifier and (numeric) period columns.
    first_treated : str
        The unit's first treated period (constant within unit); 0 or missing
        means never treated. Units first treated after the last period count
        as never treated; units treated in or before the first period (no
        pre-treatment observation) are excluded. Both are reported in
        ``excluded``.
    control : {"never", "notyet"}
        Comparison group: never-treated units only, or never-treated plus
        units not yet treated by period max(t, base period).
    covariates : list of str, optional
        Unit covariates for conditional parallel trends, taken at the base
        period of each comparison; adjusted by outcome regression on the
        comparison units (Heckman, Ichimura and Todd 1997; Sant'Anna and Zhao
        2020, "reg").
    n_boot : int
        Multiplier-bootstrap draws; 0 gives analytic (influence-function)
        standard errors and pointwise intervals.
    seed : int
        Seed of the bootstrap weights.
    cluster : str, optional
        Column (constant within unit) whose clusters are resampled together:
        the level at which treatment was assigned. Default: the unit.
    level : float, default 0.95
        Confidence level of the intervals and bands.
    uniform : bool
        Simultaneous bands over each family (all group-time cells; all event
        times; all cohorts) from the bootstrap sup-t critical value; the single
        overall effect always gets a pointwise interval.
    multipliers : {"rademacher", "mammen"}
        Distribution of the bootstrap multipliers.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare period t with t-1 ("varying", the ``did``
        default, so each is a short placebo) or with the last pre-treatment
        period g-1 ("universal"). Post-treatment cells always use g-1.
    min_cohort_size : int
        Cohorts with fewer treated units are not estimated as treated groups
        (a one-unit cohort has no estimable within-cohort variance, so its
        standard error would be too small); their units may still serve as
        not-yet-treated comparisons. Reported in ``excluded``.
    gov : str, optional
        Government column. Unit codes are unique only within a government:
        with ``gov`` the unit is the pair (government, unit); without it, a
        unit code repeated across governments is refused
        (:func:`berakhlak_research.keys.resolve_unit`).

    Returns
    -------
    StaggeredResult
        ``.table`` has columns ``aggregation, cohort, event_time, time, estimate,
        se, ci_low, ci_high, p_value, n, n_control, band, crit`` where ``n``
        counts the treated unit-periods behind the estimate; see
        :class:`StaggeredResult` for ``.group_time``, ``.overall``,
        ``.pretrend`` and ``.excluded``.

    Raises
    ------
    InputError
        Missing columns, bad arguments, duplicated unit-periods.
    ValidationError
        Unit codes repeated across governments without ``gov``.
    EstimationError
        No cohort with a pre-treatment period and a comparison group.

    Notes
    -----
    For cohort g and period t (base b = g-1 for t >= g)::

        ATT(g,t) = mean_{G=g}(Y_t - Y_b) - mean_{C}(Y_t - Y_b)

    whose influence function is ``N/n_1 (dY_i - m_1)`` for treated units and
    ``-N/n_0 (dY_i - m_0)`` for comparison units. Aggregations weight the
    post-treatment cells by cohort shares P(G = g) (simple: all cells with
    t >= g; event time e: the cells with t - g = e) and add the influence of
    the estimated shares. Bootstrap standard errors are the interquartile
    range of the draws divided by 1.349, as in ``did``; analytic ones
    (``n_boot=0``) are ``sqrt(sum_c IF_c^2) / N`` over cluster sums IF_c.
    Both carry the small-sample factor ``sqrt(G/(G-1))`` for G clusters
    (units when not clustered), and intervals and p-values use Student's t
    with G-1 degrees of freedom (as Stata and fixest do for clustered
    errors); with many clusters this is the normal interval of ``did``.

    References
    ----------
    1. Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences
       with multiple time periods. Journal of Econometrics 225(2), 200-230.
    2. Goodman-Bacon, A. (2021). Difference-in-differences with variation in
       treatment timing. Journal of Econometrics 225(2), 254-277.

    Examples
    --------
    R equivalent (package ``did``): ``att_gt(yname, tname, idname, gname,
    control_group = "notyettreated", clustervars = ...)`` then
    ``aggte(type = "simple" | "group" | "dynamic")``.

    A simulated staggered roll-out (:func:`berakhlak_research.simulate.did.staggered_panel`)
    whose true overall effect is 4.37 points:

    >>> from berakhlak_research.models.did import staggered_att
    >>> from berakhlak_research.simulate.did import staggered_panel
    >>> panel, truth = staggered_panel(n_units=200, seed=1)
    >>> round(truth["att_overall"], 2)
    4.37
    >>> res = staggered_att(panel, "culture_overall", "unit_code", "wave", "first_treated",
    ...                     n_boot=199, seed=1)
    >>> res.overall.round(2)
      aggregation  estimate    se  ci_low  ci_high  p_value    n
    0      simple      4.26  0.34    3.58     4.93      0.0  288
    1       group      4.50  0.35    3.80     5.20      0.0  288
    2     dynamic      4.53  0.40    3.73     5.33      0.0  288
    """
    if control not in ("never", "notyet"):
        raise InputError(f"control={control!r}; use 'never' or 'notyet'.")
    if base_period not in ("varying", "universal"):
        raise InputError(f"base_period={base_period!r}; use 'varying' or 'universal'.")
    if not 0 < level < 1:
        raise InputError(f"level={level!r} must lie strictly between 0 and 1 (e.g. 0.95).")
    if n_boot < 0:
        raise InputError(f"n_boot={n_boot!r} must be 0 (analytic) or positive.")
    covariates = list(covariates or [])
    data, unit = resolve_unit(data, unit, gov=gov, func="staggered_att")
    cols = {"y": y, "unit": unit, "time": time, "first_treated": first_treated, "cluster": cluster}
    check_columns(data, cols)
    for c in covariates:
        check_columns(data, {"covariates": c})
    uc_all, ulevels, tc, periods = panel_index(data, unit, time)
    n_all, n_t = len(ulevels), len(periods)

    g_raw = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
    g_unit = unit_constant(
        data.assign(**{first_treated: g_raw}), uc_all, n_all, first_treated, "first_treated"
    ).astype(float)
    if cluster:
        cl_unit, _ = codes(pd.Series(unit_constant(data, uc_all, n_all, cluster, "cluster")))
    else:
        cl_unit = None
    Y = _wide(data, y, uc_all, tc, n_all, n_t)
    Xw = [_wide(data, c, uc_all, tc, n_all, n_t) for c in covariates]
    fit = estimate_group_time(
        Y, Xw, g_unit, cl_unit, periods, control=control, base_period=base_period,
        min_cohort_size=min_cohort_size, n_boot=n_boot, seed=seed, multipliers=multipliers,
        level=level, uniform=uniform,
    )  # fmt: skip
    settings = dict(
        y=y,
        unit=unit,
        time=time,
        first_treated=first_treated,
        control=control,
        covariates=covariates,
        n_boot=n_boot,
        seed=seed,
        cluster=cluster,
        level=level,
        uniform=uniform,
        multipliers=multipliers,
        base_period=base_period,
        min_cohort_size=min_cohort_size,
        n_units=fit["n"],
        n_clusters=fit["n_clusters"],
    )
    return _assemble(fit, settings)


@renamed(alpha="level", weights="multipliers")
def estimate_group_time(
    Y, Xw, g_unit, cl_unit, periods, *, control="never", base_period="varying",
    min_cohort_size=2, n_boot=999, seed=0, multipliers="rademacher", level=0.95, uniform=True,
):  # fmt: skip
    """The estimator of :func:`staggered_att` on arrays, without the DataFrame round trip.

    The power simulations call it directly, thousands of times.

    Parameters
    ----------
    Y : numpy.ndarray
        Outcome, units x periods (NaN where a unit misses a period).
    Xw : list of numpy.ndarray
        Covariates, one units x periods array each.
    g_unit : numpy.ndarray
        First treated period per unit (0 = never treated).
    cl_unit : numpy.ndarray or None
        Cluster code per unit; None clusters by unit.
    periods : numpy.ndarray
        The sorted periods (columns of ``Y``).
    control, base_period, min_cohort_size, n_boot, seed, multipliers, level, uniform
        As in :func:`staggered_att`.

    Returns
    -------
    dict
        Arrays of the fit; the first entry of ``est_all``, ``se`` and ``pval``
        is the overall (simple) effect.
    """
    n_t = len(periods)
    covariates = Xw
    alpha = alpha_of(level)
    notes: list[dict] = []

    late = g_unit > periods[-1]
    if late.any():
        notes.append(
            dict(
                kind="units",
                cohort=np.nan,
                time=np.nan,
                n=int(late.sum()),
                reason=f"first treated after the last period ({periods[-1]:g}): used as never "
                "treated",
            )
        )
        g_unit = np.where(late, 0.0, g_unit)
    always = (g_unit > 0) & (g_unit <= periods[0])
    for g in np.unique(g_unit[always]):
        notes.append(
            dict(
                kind="units",
                cohort=g,
                time=np.nan,
                n=int((g_unit == g).sum()),
                reason="treated in or before the first period (no pre-treatment observation): "
                "excluded",
            )
        )
    keep_u = ~always
    n = int(keep_u.sum())
    if n == 0:
        raise EstimationError("Every unit was treated in or before the first period.")
    Y = Y[keep_u]
    Xw = [x[keep_u] for x in Xw]
    g_unit = g_unit[keep_u]
    cl_unit = None if cl_unit is None else np.asarray(cl_unit)[keep_u]
    n_incomplete = int((~np.isfinite(Y)).any(axis=1).sum())
    if n_incomplete:
        notes.append(
            dict(
                kind="units",
                cohort=np.nan,
                time=np.nan,
                n=n_incomplete,
                reason="outcome missing in some periods: unit used only in the comparisons "
                "whose two periods it has",
            )
        )

    cohorts, sizes = np.unique(g_unit[g_unit > 0], return_counts=True)
    estimable = []
    for g, s in zip(cohorts, sizes, strict=True):
        if s < min_cohort_size:
            notes.append(
                dict(
                    kind="cohort",
                    cohort=g,
                    time=np.nan,
                    n=int(s),
                    reason=f"cohort with fewer than min_cohort_size={min_cohort_size} units: "
                    "not estimated (its units still serve as not-yet-treated comparisons)",
                )
            )
        else:
            estimable.append(g)
    if not (g_unit == 0).any() and control == "never":
        raise EstimationError(
            "No never-treated units remain; use control='notyet' (not-yet-treated comparisons)."
        )

    # ---- the 2x2 cells -------------------------------------------------------------------
    cells = []  # (g, j, b)
    for g in estimable:
        b = int(np.searchsorted(periods, g) - 1)  # last period before g
        for j in range(n_t):
            if periods[j] >= g:
                cells.append((g, j, b))
            elif base_period == "varying" and j >= 1:
                cells.append((g, j, j - 1))
            elif base_period == "universal" and j != b:
                cells.append((g, j, b))
    atts, infs, meta = [], [], []
    for g, j, b in cells:
        dy = Y[:, j] - Y[:, b]
        ok = np.isfinite(dy)
        xb = None
        if covariates:
            xb = np.column_stack([np.ones(n)] + [x[:, b] for x in Xw])
            ok &= np.isfinite(xb).all(axis=1)
        tr = (g_unit == g) & ok
        if control == "never":
            ctrl = (g_unit == 0) & ok
        else:
            horizon = periods[max(j, b)]
            ctrl = ((g_unit == 0) | ((g_unit > horizon) & (g_unit != g))) & ok
        n1, n0 = int(tr.sum()), int(ctrl.sum())
        if n1 == 0 or n0 == 0 or (covariates and n0 <= xb.shape[1]):
            notes.append(
                dict(
                    kind="cell",
                    cohort=g,
                    time=periods[j],
                    n=n1,
                    reason="no comparison units"
                    if n0 == 0
                    else "no treated units observed"
                    if n1 == 0
                    else "too few comparison units for the covariates",
                )
            )
            continue
        inf = np.zeros(n)
        if not covariates:
            m1, m0 = dy[tr].mean(), dy[ctrl].mean()
            att = m1 - m0
            inf[tr] = n / n1 * (dy[tr] - m1)
            inf[ctrl] = -n / n0 * (dy[ctrl] - m0)
        else:
            xc = xb[ctrl]
            beta, *_ = linalg.lstsq(xc, dy[ctrl])
            e_c = dy[ctrl] - xc @ beta
            fit_t = dy[tr] - xb[tr] @ beta
            att = fit_t.mean()
            inf[tr] = n / n1 * (fit_t - att)
            xbar1 = xb[tr].mean(axis=0)
            h = linalg.solve(xc.T @ xc, xbar1, assume_a="sym")
            inf[ctrl] = -n * (xc @ h) * e_c
        atts.append(att)
        infs.append(inf)
        meta.append(dict(cohort=g, time=periods[j], base_time=periods[b], n=n1, n_control=n0))
    if not atts:
        raise EstimationError(
            "No group-time effect could be estimated: no cohort has both a pre-treatment period "
            "and comparison units."
        )
    # Plain arrays here (this core runs thousands of times in power studies);
    # the DataFrame is built in _assemble.
    gt = {k: np.array([m_[k] for m_ in meta], dtype=float) for k in meta[0]}
    gt["event_time"] = gt["time"] - gt["cohort"]
    gt["estimate"] = np.asarray(atts, dtype=float)
    inf_gt = np.column_stack(infs)
    att = gt["estimate"]
    ev = gt["event_time"]
    cg = gt["cohort"]
    n1_gt = gt["n"]
    size = {g: int((g_unit == g).sum()) for g in estimable}
    pg = np.array([size[g] for g in cg]) / n
    post = ev >= 0

    # ---- aggregations ------------------------------------------------------------------------
    agg_rows, agg_inf, families = [], [], []

    def add(aggregation, cohort, event_time, keep, w, with_wif, family):
        est = float(w @ att[keep])
        f = inf_gt[:, keep] @ w
        if with_wif:
            f = f + _wif(cg[keep], pg[keep], g_unit) @ att[keep]
        agg_rows.append(
            dict(
                aggregation=aggregation,
                cohort=cohort,
                event_time=event_time,
                time=np.nan,
                estimate=est,
                n=int(n1_gt[keep].sum()),
                n_control=np.nan,
            )
        )
        agg_inf.append(f)
        families.append(family)

    if not post.any():
        raise EstimationError("No post-treatment group-time cell could be estimated.")
    keep = np.flatnonzero(post)
    add("overall", np.nan, np.nan, keep, pg[keep] / pg[keep].sum(), True, "overall")
    for g in np.unique(cg[post]):
        keep = np.flatnonzero(post & (cg == g))
        add("cohort", g, np.nan, keep, np.full(len(keep), 1 / len(keep)), False, "cohort")
    for e in np.unique(ev):
        keep = np.flatnonzero(ev == e)
        add("event_time", np.nan, e, keep, pg[keep] / pg[keep].sum(), True, "event_time")
    n_main = len(agg_rows)
    # Extra overall summaries (R did: aggte type "group" and "dynamic").
    coh_idx = [i for i, r in enumerate(agg_rows) if r["aggregation"] == "cohort"]
    coh_g = np.array([agg_rows[i]["cohort"] for i in coh_idx])
    coh_att = np.array([agg_rows[i]["estimate"] for i in coh_idx])
    coh_pg = np.array([size[g] for g in coh_g]) / n
    wg = coh_pg / coh_pg.sum()
    inf_group = (
        np.column_stack([agg_inf[i] for i in coh_idx]) @ wg + _wif(coh_g, coh_pg, g_unit) @ coh_att
    )
    dyn_idx = [
        i
        for i, r in enumerate(agg_rows)
        if r["aggregation"] == "event_time" and r["event_time"] >= 0
    ]
    inf_dyn = np.column_stack([agg_inf[i] for i in dyn_idx]).mean(axis=1)
    extra_est = [
        float(wg @ coh_att),
        float(np.mean([agg_rows[i]["estimate"] for i in dyn_idx])),
    ]

    inf_all = np.column_stack([*agg_inf, inf_gt, inf_group, inf_dyn])
    est_all = np.concatenate([[r["estimate"] for r in agg_rows], att, extra_est])
    fam_all = np.array(families + ["group_time"] * len(att) + ["extra", "extra"])
    if cl_unit is not None:
        _, cc = np.unique(cl_unit, return_inverse=True)
        inf_c = group_sums(cc, inf_all)
    else:
        inf_c = inf_all
    n_clusters = inf_c.shape[0]
    # Small-sample form for G clusters (units when not clustered), as Stata and
    # fixest do for clustered errors: SE x sqrt(G/(G-1)), t with G-1 df. With
    # many clusters this is the normal-theory interval of R's did.
    G = n_clusters
    ssc = np.sqrt(G / (G - 1)) if G > 1 else np.nan
    dfree = max(G - 1, 1)
    z = float(special.stdtrit(dfree, 1 - alpha / 2))
    if n_boot > 0:
        boot = _bootstrap(inf_c, n, n_boot, seed, multipliers)
        q75, q25 = np.percentile(boot, [75, 25], axis=0)
        se_raw = (q75 - q25) / _Z_IQR
    else:
        boot = None
        se_raw = np.sqrt((inf_c**2).sum(axis=0)) / n
    se_raw = np.where(se_raw <= np.sqrt(np.finfo(float).eps) * 10, np.nan, se_raw)
    se = se_raw * ssc
    crit = np.full(len(est_all), z)
    band = np.array(["pointwise"] * len(est_all), dtype=object)
    if boot is not None and uniform:
        for fam in ("cohort", "event_time", "group_time"):
            idx = np.flatnonzero((fam_all == fam) & np.isfinite(se_raw))
            if len(idx) > 1:
                tmax = np.nanmax(np.abs(boot[:, idx]) / se_raw[idx], axis=1)
                crit[idx] = max(np.quantile(tmax, 1 - alpha), z)
                band[idx] = "uniform"
    with np.errstate(divide="ignore", invalid="ignore"):
        pval = 2 * special.stdtr(dfree, -np.abs(est_all / se))

    pre = np.flatnonzero(ev < 0)
    if len(pre):
        th = att[pre]
        cov = inf_c[:, n_main + pre].T @ inf_c[:, n_main + pre] / n**2
        rank = int(np.linalg.matrix_rank(cov))
        stat = float(th @ linalg.pinv(cov) @ th)
        # Hotelling's small-sample form: with G clusters the cluster-robust
        # covariance is itself an estimate, and the chi-square over-rejects
        # badly when G is small (7 governments: p = 1e-4 where the F form
        # gives 0.1). W (G - q) / (q (G - 1)) ~ F(q, G - q); chi-square as G grows.
        G = n_clusters
        if rank and G > rank:
            f_stat = stat * (G - rank) / (rank * (G - 1))
            pre_p = float(stats.f.sf(f_stat, rank, G - rank))
        else:
            pre_p = np.nan
    else:
        stat, rank, pre_p = np.nan, 0, np.nan
        notes.append(
            dict(
                kind="cell",
                cohort=np.nan,
                time=np.nan,
                n=0,
                reason="no pre-treatment cell: the pre-trend test is not available",
            )
        )
    return dict(
        n=n,
        n_clusters=n_clusters,
        agg_rows=agg_rows,
        gt=gt,
        est_all=est_all,
        se=se,
        crit=crit,
        band=band,
        pval=pval,
        z=z,
        inf_all=inf_all,
        boot=boot,
        pretrend=(stat, rank, pre_p, len(pre)),
        notes=notes,
    )


def _assemble(fit: dict, settings: dict) -> StaggeredResult:
    """Tidy tables from the arrays of :func:`estimate_group_time`."""
    gt, se, crit, pval, est_all, z = (
        fit["gt"], fit["se"], fit["crit"], fit["pval"], fit["est_all"], fit["z"]
    )  # fmt: skip
    rows = pd.DataFrame(fit["agg_rows"])
    gt = pd.DataFrame(gt)
    gt_rows = gt.assign(aggregation="group_time")
    table = pd.concat([rows, gt_rows.drop(columns="base_time")], ignore_index=True)
    m = len(table)
    table["se"] = se[:m]
    table["ci_low"] = table["estimate"] - crit[:m] * se[:m]
    table["ci_high"] = table["estimate"] + crit[:m] * se[:m]
    table["p_value"] = pval[:m]
    table["band"] = fit["band"][:m]
    table["crit"] = crit[:m]
    table = table[TABLE_COLUMNS + ["n_control", "band", "crit"]]
    for c in ("cohort", "event_time", "time"):
        table[c] = _maybe_int(table[c])
    table["n"] = table["n"].astype("int64")
    table["aggregation"] = table["aggregation"].astype(str)
    table["band"] = table["band"].astype(str)
    group_time = table[table["aggregation"] == "group_time"].reset_index(drop=True)
    group_time.insert(4, "base_time", _maybe_int(gt["base_time"]).to_numpy())

    ov_idx = [0, m, m + 1]
    n_ov = int(table["n"].iloc[0])
    overall = pd.DataFrame(
        {
            "aggregation": ["simple", "group", "dynamic"],
            "estimate": est_all[ov_idx],
            "se": se[ov_idx],
            "ci_low": est_all[ov_idx] - z * se[ov_idx],
            "ci_high": est_all[ov_idx] + z * se[ov_idx],
            "p_value": pval[ov_idx],
            "n": [n_ov, n_ov, n_ov],
        }
    )
    stat, rank, pre_p, n_pre = fit["pretrend"]
    pretrend = pd.DataFrame(
        {
            "statistic": [stat],
            "df": [rank],
            "p_value": [pre_p],
            "n_cells": [n_pre],
            "n_clusters": [fit["n_clusters"]],
        }
    )
    excluded = pd.DataFrame(fit["notes"], columns=EXCLUDED_COLUMNS)
    excluded["cohort"] = _maybe_int(excluded["cohort"])
    excluded["time"] = _maybe_int(excluded["time"])
    boot = fit["boot"]
    return StaggeredResult(
        table=table,
        group_time=group_time,
        overall=overall,
        pretrend=pretrend,
        excluded=excluded,
        influence=fit["inf_all"][:, :m],
        boot=None if boot is None else boot[:, :m],
        settings=settings,
    )


def _maybe_int(s: pd.Series) -> pd.Series:
    """Integer-valued floats (years, event times) as nullable integers."""
    v = pd.to_numeric(pd.Series(s), errors="coerce")
    fin = v.dropna()
    if len(fin) == 0 or np.all(np.equal(np.mod(fin, 1), 0)):
        return v.round().astype("Int64")
    return v
