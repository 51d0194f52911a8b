"""A small seeded generator of staggered roll-outs with known effects.

Used by the intervention tests, the power simulations and the benchmarks. It
draws unit-wave culture means directly (not respondents) so that thousands
of replications stay cheap; the full respondent-level simulator lives in
:func:`berakhlak_research.simulate.simulate`.

Model, for unit i in government k, wave t, cohort g (0 = never treated)::

    Y_it(0) = mu + a_k + u_i + l_t + w_kt + e_it
    Y_it(1) = Y_it(0) + tau_i(t)    for t >= g > 0
    tau_i(t) = (effect_base[g] + effect_slope * (t - g)) * dose_i / mean(dose) + v_i

``a_k``, ``u_i`` are persistent government and unit effects, ``w_kt`` a
government-wave shock (so units of a government are correlated, and inference
must cluster by government when treatment is assigned there), ``e_it`` the
sampling noise of a unit mean of ``resp_per_unit`` respondents. Treatment can
depend on ``u_i`` (selection on levels, which difference-in-differences
removes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["staggered_panel"]


def staggered_panel(
    n_units: int = 400,
    waves: tuple[int, ...] = (2022, 2023, 2024, 2025),
    cohorts: dict[int, float] | None = None,
    effect_base: dict[int, float] | None = None,
    effect_slope: float = 1.5,
    effect_sd: float = 1.0,
    units_per_gov: int = 8,
    assign: str = "gov",
    sd_gov: float = 4.0,
    sd_unit: float = 6.0,
    sd_gov_wave: float = 0.5,
    sd_noise: float = 2.0,
    trend: float = 0.5,
    selection: float = 2.0,
    dose_levels: tuple[float, ...] = (8.0, 16.0, 24.0, 32.0),
    dose_effect: bool = True,
    exact_shares: bool = True,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict]:
    """Simulate a unit-wave panel with a staggered programme and its truth.

    Parameters
    ----------
    n_units : int
        Units (rounded up to whole governments of ``units_per_gov``).
    waves : tuple of int
        Survey years.
    cohorts : dict {year: share}, optional
        Share of governments (or units) first treated in each year; the rest
        are never treated. Default {2023: .25, 2024: .25, 2025: .25}.
    effect_base : dict {year: float}, optional
        Effect in the first treated year per cohort (index points). Default
        {2023: 2, 2024: 4, 2025: 6}: effects differ by cohort.
    effect_slope : float
        Growth of the effect per year since treatment.
    effect_sd : float
        Unit-level spread of the effect.
    units_per_gov : int
        Units per government.
    assign : {"gov", "unit"}
        Level at which the programme starts: whole governments or single units.
    sd_gov, sd_unit, sd_gov_wave, sd_noise : float
        Standard deviations of the government, unit, government-wave and
        unit-wave noise components.
    trend : float
        Common trend per year.
    selection : float
        Earlier cohorts have higher unit effects by this many SD units times
        the cohort's rank (levels differ; trends stay parallel).
    dose_levels : tuple of float
        Training hours drawn for treated units.
    dose_effect : bool
        Scale each unit's effect by dose / mean dose (a linear dose response).
    exact_shares : bool
        Cohort sizes exactly the shares (rounded) in random order (default),
        or drawn at random with those probabilities (the sampling scheme the
        intervals of ``staggered_att`` assume for the population truth).
    seed : int
        Random seed.

    Returns
    -------
    (pandas.DataFrame, dict)
        The panel with columns ``gov_code, unit_code, wave, culture_overall,
        y0, first_treated, treated, hours, stage_max`` (``y0`` is the
        untreated potential outcome, kept for checks) and the truth:
        ``att_overall`` (mean of Y(1) - Y(0) over treated unit-waves),
        ``att_by_cohort``, ``att_by_event_time``, ``cohorts`` (units per
        cohort), ``population`` (the same overall and event-time effects in
        expectation over the design: cohort probabilities, mean effects), ``dose_slope`` (change of a treated unit's mean effect per training hour
        of its first treated year, averaged over treated units).
    """
    rng = np.random.default_rng(seed)
    cohorts = {2023: 0.25, 2024: 0.25, 2025: 0.25} if cohorts is None else cohorts
    effect_base = {2023: 2.0, 2024: 4.0, 2025: 6.0} if effect_base is None else effect_base
    waves = np.asarray(waves, dtype=int)
    n_gov = int(np.ceil(n_units / units_per_gov))
    n_u = n_gov * units_per_gov
    gov = np.repeat(np.arange(n_gov), units_per_gov)
    years = np.array(list(cohorts), dtype=int)
    probs = np.array([cohorts[y] for y in years], dtype=float)
    probs = np.append(probs, 1.0 - probs.sum())
    labels = np.append(years, 0)
    n_assign = n_gov if assign == "gov" else n_u
    # Exact shares (rounded) in random order, so small designs keep every cohort.
    if exact_shares:
        counts = np.floor(probs * n_assign).astype(int)
        counts[-1] = n_assign - counts[:-1].sum()
        g_assign = rng.permutation(np.repeat(labels, counts))
    else:
        g_assign = rng.choice(labels, size=n_assign, p=probs)
    g_unit = g_assign[gov] if assign == "gov" else g_assign
    rank = np.where(g_unit == 0, 0, len(years) - np.searchsorted(np.sort(years), g_unit))
    a_k = rng.normal(0, sd_gov, n_gov)
    u_i = rng.normal(0, sd_unit, n_u) + selection * rank
    dose = np.where(g_unit > 0, rng.choice(np.asarray(dose_levels), n_u), 0.0)
    mean_dose = float(np.mean(dose_levels))
    v_i = rng.normal(0, effect_sd, n_u)
    T = len(waves)
    w_kt = rng.normal(0, sd_gov_wave, (n_gov, T))
    e_it = rng.normal(0, sd_noise, (n_u, T))
    y0 = 60.0 + a_k[gov][:, None] + u_i[:, None] + trend * (waves - waves[0])[None, :]
    y0 = y0 + w_kt[gov] + e_it
    base = np.array([effect_base.get(int(g), 0.0) for g in g_unit])
    e = waves[None, :] - g_unit[:, None]
    treated = (g_unit[:, None] > 0) & (e >= 0)
    scale = dose / mean_dose if dose_effect else np.where(g_unit > 0, 1.0, 0.0)
    tau = ((base[:, None] + effect_slope * e) * scale[:, None] + v_i[:, None]) * treated
    y = y0 + tau
    stage = np.where(treated, np.clip(1 + e, 1, 7), 0)
    # Each treated year adds the unit's dose of training hours.
    hours = np.where(treated, dose[:, None] * (1 + e), 0.0)
    # Synthetic codes "PP.RR" (provinces from 90 up, never real ones).
    k = pd.Series(np.arange(n_gov))
    gov_codes = (
        (90 + k // 99).astype(str).str.zfill(2) + "." + (k % 99 + 1).astype(str).str.zfill(2)
    ).to_numpy()
    unit_codes = ("U" + pd.Series(np.arange(n_u)).astype(str).str.zfill(5)).to_numpy()
    panel = pd.DataFrame(
        {
            "gov_code": np.repeat(gov_codes, units_per_gov * T),
            "unit_code": np.repeat(unit_codes, T),
            "wave": np.tile(waves, n_u),
            "culture_overall": y.ravel(),
            "y0": y0.ravel(),
            "first_treated": np.repeat(g_unit, T),
            "treated": treated.ravel(),
            "hours": hours.ravel(),
            "stage_max": stage.ravel().astype(int),
            "dose": np.repeat(dose, T),
        }
    )
    t_eff = tau[treated]
    e_tr = e[treated]
    g_tr = np.broadcast_to(g_unit[:, None], e.shape)[treated]
    by_cohort = pd.Series(t_eff).groupby(g_tr).mean()
    by_event = pd.Series(t_eff).groupby(e_tr).mean()
    slope = 0.0
    if dose_effect:
        # Effect of one more hour in the first treated year on a unit's mean
        # post-treatment effect, averaged over treated units.
        per_unit = np.where(treated, base[:, None] + effect_slope * e, np.nan)
        ever = g_unit > 0
        slope = float(np.mean(np.nanmean(per_unit[ever], axis=1)) / mean_dose)
    # Population (expected) effects: cohort shares and mean effects of the
    # design, the target of the intervals (dose and v_i average out).
    cells = [
        (g, int(w - g), cohorts[g], effect_base.get(g, 0.0) + effect_slope * (w - g))
        for g in cohorts
        for w in waves
        if w >= g
    ]
    cw = pd.DataFrame(cells, columns=["g", "e", "p", "tau"])
    pop_overall = float((cw["p"] * cw["tau"]).sum() / cw["p"].sum())
    pop_event = cw.groupby("e").apply(lambda d: (d["p"] * d["tau"]).sum() / d["p"].sum())
    truth = {
        "outcome": "culture_overall (unit mean index 0-100)",
        "att_overall": float(t_eff.mean()),
        "att_by_cohort": {str(int(k)): float(v) for k, v in by_cohort.items()},
        "att_by_event_time": {str(int(k)): float(v) for k, v in by_event.items()},
        "cohorts": {str(int(g)): int((g_unit == g).sum()) for g in np.unique(g_unit)},
        "dose_slope": slope,
        "population": {
            "att_overall": pop_overall,
            "att_by_event_time": {str(int(k)): float(v) for k, v in pop_event.items()},
        },
    }
    return panel, truth
