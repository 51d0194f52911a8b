"""How large must a culture programme's effect be to be seen? Power and minimum detectable effects.

:func:`mde` gives the analytic minimum detectable effect (MDE) of a planned
programme evaluated by difference in differences on unit means;
:func:`simulate_power` checks it by simulating the design and running the
estimator the toolkit uses (the array core of
:func:`berakhlak_research.models.did.staggered_att`).
:func:`model_tables` builds the results-store table ``power_mde``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.keys import unit_key
from berakhlak_research.models._ols import codes, demean
from berakhlak_research.models.did.staggered import estimate_group_time
from berakhlak_research.vocabulary import alpha_of, renamed

__all__ = ["mde", "simulate_power", "simulate_design", "model_tables", "MDE_COLUMNS"]

MDE_COLUMNS = [
    "scenario",
    "n_units",
    "resp_per_unit",
    "waves",
    "pre_waves",
    "icc",
    "persistence",
    "treated_share",
    "units_per_cluster",
    "icc_cluster",
    "estimator",
    "alpha",
    "power",
    "sd",
    "se",
    "mde",
    "mde_sd",
]


def _grid(**kw) -> pd.DataFrame:
    keys = list(kw)
    vals = [np.atleast_1d(np.asarray(kw[k], dtype=float)) for k in keys]
    return pd.DataFrame(list(itertools.product(*vals)), columns=keys)


def _transitory_var(icc, persistence, resp_per_unit, sd):
    """Variance of the part of a unit-wave mean that differencing does not remove."""
    return sd**2 * ((1 - persistence) * icc + (1 - icc) / resp_per_unit)


@renamed(alpha="level")
def mde(
    n_units,
    resp_per_unit,
    waves,
    icc,
    *,
    sd: float = 1.0,
    treated_share=0.5,
    pre_waves=None,
    persistence=0.8,
    units_per_cluster=1,
    icc_cluster=0.0,
    level: float = 0.95,
    power: float = 0.8,
    estimator: str = "staggered_att",
) -> pd.DataFrame:
    """Analytic minimum detectable effect of a difference-in-differences design.

    Every argument may be a scalar or a sequence; the result has one row per
    combination.

    Parameters
    ----------
    n_units : int or sequence
        Units (work units, or governments) in the evaluation.
    resp_per_unit : int or sequence
        Respondents per unit and wave (a fresh sample of staff each wave).
    waves : int or sequence
        Survey waves in total.
    icc : float or sequence
        Share of the person-level variance of the index that lies between units.
    sd : float
        Person-level standard deviation of the index; with ``sd=1`` the MDE is
        in standard-deviation units (Cohen's d), with the index's SD (about
        15-20 points on the 0-100 scale) in index points.
    treated_share : float or sequence
        Share of units (clusters) treated.
    pre_waves : int or sequence, optional
        Waves before the programme (default: half of ``waves``, rounded down,
        at least one).
    persistence : float or sequence
        Share of the between-unit variance that is stable across waves (and
        cancels in the difference); the rest varies wave to wave.
    units_per_cluster : int or sequence
        Units per assignment cluster (e.g. units per government when whole
        governments adopt the programme); 1 = units assigned one by one.
    icc_cluster : float or sequence
        Correlation of the wave-to-wave changes of units in the same cluster.
    level : float, default 0.95
        Confidence level: the two-sided test has size ``alpha = 1 - level``
        (the ``alpha`` column of the result).
    power : float
        Target power.
    estimator : {"staggered_att", "pooled"}
        "staggered_att": the group-time estimator, whose post-treatment cells
        all compare with the last pre-treatment wave (earlier waves serve the
        pre-trend test only); "pooled": the change from the mean of all
        pre-waves (two-period DiD on averages).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario`` ("design"), ``n_units, resp_per_unit, waves,
        pre_waves, icc, persistence, treated_share, units_per_cluster,
        icc_cluster, estimator, alpha, power, sd``, ``se`` (standard error of the DiD
        estimate), ``mde`` (in the units of ``sd``), ``mde_sd`` (in SD units).

    Notes
    -----
    Design: n units, a share p of them (in clusters of k) start the programme
    after T0 of T waves; the estimate is the difference between treated and
    comparison units of the change of the unit mean from the T0 pre-waves to
    the T1 = T - T0 post-waves. The unit mean of m respondents is
    ``u_i + v_it + e_it`` with ``Var(u_i) = rho * icc * sd^2`` (persistent),
    ``Var(v_it) = (1 - rho) * icc * sd^2`` and ``Var(e_it) = (1 - icc) sd^2 / m``.
    Differencing removes ``u_i``, so::

        s^2 = sd^2 * ((1 - rho) * icc + (1 - icc) / m)
        SE^2 = s^2 * (1/B + 1/T1) * (1/(p n) + 1/((1 - p) n)) * (1 + (k - 1) r)

    with B = 1 for the group-time estimator (one base wave) and B = T0 for
    the pooled comparison::

        MDE = (t_{1-alpha/2, J-2} + t_{power, J-2}) * SE,   J = n / k clusters

    (Bloom 1995; Murray 1998 for the design effect; the difference-in-
    differences variance with uncorrelated transitory errors as in
    McKenzie 2012). With a staggered roll-out, the share treated in each
    comparison is smaller and the MDE larger: check with
    :func:`simulate_power`.

    References
    ----------
    1. Bloom, H. S. (1995). Minimum detectable effects. Evaluation Review 19(5).
    2. McKenzie, D. (2012). Beyond baseline and follow-up: the case for more T
       in experiments. Journal of Development Economics 99(2), 210-221.
    3. Murray, D. M. (1998). Design and Analysis of Group-Randomized Trials.
    """
    g = _grid(
        n_units=n_units,
        resp_per_unit=resp_per_unit,
        waves=waves,
        icc=icc,
        persistence=persistence,
        treated_share=treated_share,
        units_per_cluster=units_per_cluster,
        icc_cluster=icc_cluster,
    )
    if pre_waves is None:
        g["pre_waves"] = np.maximum(np.floor(g["waves"] / 2), 1)
    else:
        g = g.merge(pd.DataFrame({"pre_waves": np.atleast_1d(pre_waves)}), how="cross")
    bad = (
        (g["pre_waves"] < 1)
        | (g["pre_waves"] >= g["waves"])
        | (g["icc"] < 0)
        | (g["icc"] >= 1)
        | (g["treated_share"] <= 0)
        | (g["treated_share"] >= 1)
        | (g["resp_per_unit"] < 1)
    )
    if bad.any():
        raise InputError(
            "mde: need 1 <= pre_waves < waves, 0 <= icc < 1, 0 < treated_share < 1 and "
            f"resp_per_unit >= 1; got {g[bad].iloc[0].to_dict()}."
        )
    if estimator not in ("staggered_att", "pooled"):
        raise InputError(f"estimator={estimator!r}; use 'staggered_att' or 'pooled'.")
    T0, T1 = g["pre_waves"], g["waves"] - g["pre_waves"]
    B = 1.0 if estimator == "staggered_att" else T0
    s2 = _transitory_var(g["icc"], g["persistence"], g["resp_per_unit"], sd)
    n, p, k = g["n_units"], g["treated_share"], g["units_per_cluster"]
    deff = 1 + (k - 1) * g["icc_cluster"]
    se = np.sqrt(s2 * (1 / B + 1 / T1) * (1 / (p * n) + 1 / ((1 - p) * n)) * deff)
    dfree = np.maximum(n / k - 2, 1)
    alpha = alpha_of(level)
    mult = stats.t.ppf(1 - alpha / 2, dfree) + stats.t.ppf(power, dfree)
    g["scenario"] = "design"
    g["estimator"] = estimator
    g["alpha"], g["power"], g["sd"] = alpha, power, sd
    g["se"] = se
    g["mde"] = mult * se
    g["mde_sd"] = g["mde"] / sd
    for c in ("n_units", "resp_per_unit", "waves", "pre_waves", "units_per_cluster"):
        g[c] = g[c].astype("int64")
    return g[MDE_COLUMNS]


def _draw(
    rng, n_units, resp_per_unit, waves, icc, effect, sd, treated_share, pre_waves,
    persistence, units_per_cluster, icc_cluster,
):  # fmt: skip
    T = int(waves)
    T0 = int(pre_waves) if pre_waves is not None else max(T // 2, 1)
    k = int(units_per_cluster)
    J = int(np.ceil(n_units / k))
    n = J * k
    cl = np.repeat(np.arange(J), k)
    n_tr = int(round(treated_share * J))
    tr_cl = np.zeros(J, dtype=bool)
    tr_cl[rng.permutation(J)[:n_tr]] = True
    tr = tr_cl[cl]
    s2 = _transitory_var(icc, persistence, resp_per_unit, sd)
    u = rng.normal(0, sd * np.sqrt(persistence * icc), n)
    v_c = rng.normal(0, np.sqrt(icc_cluster * s2), (J, T))[cl]
    v_u = rng.normal(0, np.sqrt((1 - icc_cluster) * s2), (n, T))
    wave = np.arange(1, T + 1)
    post = tr[:, None] & (wave[None, :] > T0)
    y = u[:, None] + v_c + v_u + effect * post
    g = np.where(tr, T0 + 1, 0).astype(float)
    return y, g, cl, wave


def simulate_design(
    n_units: int,
    resp_per_unit: int,
    waves: int,
    icc: float,
    effect: float,
    *,
    sd: float = 1.0,
    treated_share: float = 0.5,
    pre_waves: int | None = None,
    persistence: float = 0.8,
    units_per_cluster: int = 1,
    icc_cluster: float = 0.0,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """One simulated unit-wave panel of the design in :func:`mde`.

    Unit means are drawn from the variance components of :func:`mde` (the mean
    of ``resp_per_unit`` normal person deviations is drawn directly as one
    normal with variance ``(1 - icc) sd^2 / m``); treatment is assigned by
    cluster at random.

    Returns
    -------
    pandas.DataFrame
        Columns ``cluster, unit, wave, y, first_treated`` (wave numbers 1..T;
        treated clusters start at wave ``pre_waves + 1``; 0 = never).
    """
    y, g, cl, wave = _draw(
        np.random.default_rng(rng), n_units, resp_per_unit, waves, icc, effect, sd,
        treated_share, pre_waves, persistence, units_per_cluster, icc_cluster,
    )  # fmt: skip
    n, T = y.shape
    return pd.DataFrame(
        {
            "cluster": np.repeat(cl, T),
            "unit": np.repeat(np.arange(n), T),
            "wave": np.tile(wave, n),
            "y": y.ravel(),
            "first_treated": np.repeat(g, T).astype(int),
        }
    )


@renamed(alpha="level")
def simulate_power(
    n_units: int,
    resp_per_unit: int,
    waves: int,
    icc: float,
    effect: float,
    *,
    sd: float = 1.0,
    treated_share: float = 0.5,
    pre_waves: int | None = None,
    persistence: float = 0.8,
    units_per_cluster: int = 1,
    icc_cluster: float = 0.0,
    level: float = 0.95,
    n_sims: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Power by simulation: draw the design, run ``staggered_att``, count rejections.

    Parameters
    ----------
    n_units, resp_per_unit, waves, icc, sd, treated_share, pre_waves, persistence,
    units_per_cluster, icc_cluster, level
        As in :func:`mde`.
    effect : float
        True effect (units of ``sd``) in every post-treatment wave.
    n_sims : int
        Replications.
    seed : int
        Seed.

    Returns
    -------
    pandas.DataFrame
        One row: the design columns, ``effect``, ``power`` (share of
        replications whose overall ATT has p < alpha, analytic clustered
        standard errors), ``power_se`` (Monte Carlo standard error),
        ``mean_estimate``, ``mean_se``, ``sd_estimate``, ``n_sims``.
    """
    if n_sims < 1:
        raise InputError(f"n_sims={n_sims!r} must be positive.")
    alpha = alpha_of(level)
    rng = np.random.default_rng(seed)
    est, ses, rej = np.empty(n_sims), np.empty(n_sims), np.empty(n_sims, dtype=bool)
    kw = dict(
        n_units=n_units, resp_per_unit=resp_per_unit, waves=waves, icc=icc, effect=effect,
        sd=sd, treated_share=treated_share, pre_waves=pre_waves, persistence=persistence,
        units_per_cluster=units_per_cluster, icc_cluster=icc_cluster,
    )  # fmt: skip
    for s in range(n_sims):
        y, g, cl, wave = _draw(rng, **kw)
        # The estimator of staggered_att on arrays (no DataFrame round trip).
        fit = estimate_group_time(
            y, [], g, cl if units_per_cluster > 1 else None, wave.astype(float),
            control="never", n_boot=0, level=level,
        )  # fmt: skip
        est[s], ses[s] = fit["est_all"][0], fit["se"][0]
        rej[s] = fit["pval"][0] < alpha
    pw = rej.mean()
    return pd.DataFrame(
        {
            **{k: [v] for k, v in kw.items()},
            "pre_waves": [pre_waves if pre_waves is not None else max(int(waves) // 2, 1)],
            "alpha": [alpha],
            "power": [pw],
            "power_se": [np.sqrt(pw * (1 - pw) / n_sims)],
            "mean_estimate": [est.mean()],
            "mean_se": [ses.mean()],
            "sd_estimate": [est.std(ddof=1) if n_sims > 1 else np.nan],
            "n_sims": [n_sims],
        }
    )


def _observed(unit_panel, y, alpha, power):
    """MDE of the observed panel, from the residual SD of its unit-wave means."""
    df = unit_panel[["gov_code", "unit_code", "wave", "first_treated", y]].dropna()
    g = pd.to_numeric(df["first_treated"], errors="coerce").fillna(0)
    untreated = df[(g == 0) | (df["wave"] < g)]
    if len(untreated) < 10:
        raise EstimationError("Too few untreated unit-waves to estimate the residual SD.")
    uc, _ = codes(unit_key(untreated))
    tc, _ = codes(untreated["wave"])
    r = demean(untreated[y].to_numpy(dtype=float), [uc, tc]).ravel()
    n_u, n_t = int(uc.max()) + 1, int(tc.max()) + 1
    dof = len(r) - n_u - n_t + 1
    if dof <= 0:
        raise EstimationError("Not enough repeated unit-waves to estimate the residual SD.")
    s = float(np.sqrt(r @ r / dof))
    units = df.groupby(["gov_code", "unit_code"])["first_treated"].first()
    n = len(units)
    p = float((pd.to_numeric(units, errors="coerce").fillna(0) > 0).mean())
    p = min(max(p, 1 / n), 1 - 1 / n)
    T = int(df["wave"].nunique())
    T0 = max(T // 2, 1)
    se = s * np.sqrt((1 + 1 / (T - T0)) * (1 / (p * n) + 1 / ((1 - p) * n)))
    dfree = max(n - 2, 1)
    mult = stats.t.ppf(1 - alpha / 2, dfree) + stats.t.ppf(power, dfree)
    m = float(unit_panel["n_resp"].median()) if "n_resp" in unit_panel else np.nan
    return dict(
        scenario=f"observed panel ({y}, index points)",
        n_units=n,
        resp_per_unit=m,
        waves=T,
        pre_waves=T0,
        treated_share=p,
        units_per_cluster=1,
        estimator="staggered_att",
        alpha=alpha,
        power=power,
        sd=s,
        se=se,
        mde=mult * se,
    )


@renamed(alpha="level")
def model_tables(
    unit_panel: pd.DataFrame | None = None,
    *,
    n_units=(20, 50, 100, 200, 500),
    resp_per_unit=(10, 30, 100),
    waves=(2, 4),
    icc=(0.05, 0.1, 0.2),
    sd: float = 1.0,
    level: float = 0.95,
    power: float = 0.8,
    outcome: str = "culture_overall",
) -> dict[str, pd.DataFrame]:
    """The ``power_mde`` results table: a grid of planning scenarios.

    Parameters
    ----------
    unit_panel : pandas.DataFrame, optional
        The unit-wave panel; when given, one extra row per the observed design
        (``scenario`` "observed panel ..."): MDE in index points from the
        residual SD of untreated unit-wave means after unit and wave effects
        (``sd`` column holds that residual SD; ``mde_sd`` is missing).
    n_units, resp_per_unit, waves, icc : sequences
        Scenario grid of :func:`mde`.
    sd, level, power : float
        As in :func:`mde` (default ``sd=1``: MDE in SD units).
    outcome : str
        Outcome of the observed-design row.

    Returns
    -------
    dict
        ``{"power_mde": DataFrame}`` with the columns of :func:`mde`.
    """
    tab = mde(n_units, resp_per_unit, waves, icc, sd=sd, level=level, power=power)
    alpha = alpha_of(level)
    if unit_panel is not None and outcome in unit_panel.columns:
        try:
            row = _observed(unit_panel, outcome, alpha, power)
        except EstimationError:
            row = None
        if row is not None:
            tab = pd.concat([tab, pd.DataFrame([row])], ignore_index=True)
    return {"power_mde": tab[MDE_COLUMNS]}
