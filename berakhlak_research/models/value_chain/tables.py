"""The value-chain family's results-store tables, and the element and value driver tables.

:func:`model_tables` runs the multilevel models, the culture-IKM links, the
mediation and the key-driver analyses on the unit panel and the responses and
returns the tables written by ``berakhlak model`` (``TABLES``; see
``docs/results_store.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import IKM_ELEMENT_CODES, IKM_ELEMENTS_2017, VALUE_CODES, VALUES
from berakhlak_research.keys import unit_key
from berakhlak_research.models.multilevel import random_intercept
from berakhlak_research.models.value_chain.culture_link import (
    CULTURE_COLUMNS,
    cross_level,
    within_unit,
)
from berakhlak_research.models.value_chain.drivers import importance_performance, key_drivers
from berakhlak_research.models.value_chain.indirect import mediation

__all__ = [
    "element_drivers",
    "ELEMENT_LABELS",
    "VALUE_LABELS",
    "value_drivers",
    "model_tables",
    "TABLES",
]

TABLES = (
    "multilevel_fixed",
    "multilevel_variance",
    "unit_effects",
    "value_chain_paths",
    "culture_ikm_link",
    "key_drivers",
    "importance_performance",
)
"""Names of the results-store tables :func:`model_tables` returns."""

ELEMENT_LABELS = {e.code: (e.name_id, e.name_en) for e in IKM_ELEMENTS_2017}
VALUE_LABELS = {v.code: (v.name_id, v.name_en) for v in VALUES}


def _elements_frame(skm_responses: pd.DataFrame) -> pd.DataFrame:
    """Responses with all nine elements answered: elements (1..4) and satisfaction (25..100)."""
    U = skm_responses[list(IKM_ELEMENT_CODES)].to_numpy(dtype="float64", na_value=np.nan)
    U[(U < 1) | (U > 4)] = np.nan
    ok = np.isfinite(U).all(axis=1)
    out = pd.DataFrame(U[ok], columns=list(IKM_ELEMENT_CODES))
    out["satisfaction"] = U[ok].mean(axis=1) * 25.0
    for c in ("gov_code", "unit_code", "period"):
        out[c] = skm_responses[c].to_numpy()[ok]
    return out


def element_drivers(skm_responses: pd.DataFrame, min_n: int = 30):
    """Importance of the nine IKM elements for a citizen's overall satisfaction, per government.

    The SKM has no separate overall-satisfaction question, so the target is
    the response's own satisfaction score (mean of the nine elements x 25): an
    element's Shapley share is then its share of the variance of overall
    satisfaction, which grows with how much citizens' answers on it vary and
    move with the other elements. Responses with all nine elements answered
    are used.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(drivers, performance)``. ``drivers``: ``gov_code`` (NA = all),
        ``target`` ("ikm"), ``outcome`` ("satisfaction"), ``driver, importance,
        share, r2, n``. ``performance``: ``gov_code, driver, performance`` =
        element NRR x 25 in the government's latest period.
    """
    frame = _elements_frame(skm_responses)
    drivers = list(IKM_ELEMENT_CODES)
    out = _pooled_and_per_gov(frame, "satisfaction", drivers, "ikm", min_n)
    # NRR uses every answered element (not only complete responses), latest period.
    latest = skm_responses.groupby("gov_code")["period"].transform("max")
    last = skm_responses[skm_responses["period"] == latest]
    U = last[drivers].to_numpy(dtype="float64", na_value=np.nan)
    U[(U < 1) | (U > 4)] = np.nan
    nrr = pd.DataFrame(U, columns=drivers).groupby(last["gov_code"].to_numpy()).mean()
    perf = (nrr * 25.0).rename_axis("gov_code").reset_index()
    perf = perf.melt(id_vars="gov_code", var_name="driver", value_name="performance")
    return out, perf


def _pooled_and_per_gov(frame, outcome, drivers, target, min_n):
    """Key drivers for all governments pooled (``gov_code`` NA) and for each government."""
    pooled = key_drivers(frame, outcome, drivers, min_n=min_n)
    pooled.insert(0, "gov_code", pd.NA)
    per_gov = key_drivers(frame, outcome, drivers, by="gov_code", min_n=min_n)
    out = pd.concat([pooled, per_gov], ignore_index=True)
    out.insert(1, "target", target)
    out.insert(2, "outcome", outcome)
    return out


def value_drivers(unit_panel: pd.DataFrame, min_n: int = 30):
    """Importance of the seven culture values for unit IKM (pooled and per government).

    Returns
    -------
    tuple of pandas.DataFrame
        ``(drivers, performance)``. ``drivers``: ``gov_code`` (NA = all),
        ``target`` ("culture"), ``outcome`` ("ikm"), ``driver`` (value code),
        ``importance, share, r2, n`` over the public-facing unit-waves with an
        IKM. ``performance``: ``gov_code, driver, performance`` = mean unit
        index of the value in the government's latest wave.
    """
    cols = [CULTURE_COLUMNS[v] for v in VALUE_CODES]
    frame = unit_panel[["gov_code", "ikm", *cols]].dropna()
    frame = frame.rename(columns={CULTURE_COLUMNS[v]: v for v in VALUE_CODES})
    drivers = list(VALUE_CODES)
    out = _pooled_and_per_gov(frame, "ikm", drivers, "culture", min_n)
    latest = unit_panel.groupby("gov_code")["wave"].transform("max")
    last = unit_panel[unit_panel["wave"] == latest]
    perf = (
        last.groupby("gov_code")[cols]
        .mean()
        .rename(columns={CULTURE_COLUMNS[v]: v for v in VALUE_CODES})
    )
    perf = perf.reset_index().melt(id_vars="gov_code", var_name="driver", value_name="performance")
    return out, perf


def _ipa(drivers: pd.DataFrame, perf: pd.DataFrame, labels, target) -> pd.DataFrame:
    pooled = drivers[drivers["gov_code"].isna()]
    own = drivers[drivers["gov_code"].notna()]
    return importance_performance(own, perf, labels, target, fallback=pooled)


def _multilevel(unit_panel, skm_responses):
    """The multilevel models behind multilevel_fixed / _variance and unit_effects."""
    fixed, variance, effects = [], [], []

    def add(model, outcome, fit, effects_tab):
        f = fit.fixed.assign(model=model, outcome=outcome, path=fit.path)
        fixed.append(f)
        v = fit.variance.assign(
            model=model, outcome=outcome, path=fit.path, converged=fit.converged,
            singular=fit.singular,
        )  # fmt: skip
        variance.append(v)
        if effects_tab is not None:
            effects.append(effects_tab.assign(outcome=outcome, model=model))

    def wave_dummies(df, col):
        names = []
        for w in np.sort(df[col].unique())[1:]:
            df[f"_w{int(w)}"] = (df[col] == w).astype("float64")
            names.append(f"_w{int(w)}")
        return names

    panel = unit_panel.copy()
    # unit_code is unique only within a government: the unit key is the pair.
    panel["_unit"] = unit_key(panel)
    dummies = wave_dummies(panel, "wave")
    rhs = " + ".join(["1", *dummies])
    # Units nested in governments, (1 | gov) + (1 | gov:unit): the unit variance is net of
    # the government's, and a unit's effect (BLUP) is its government's plus its own.
    nest = ["gov_code", "_unit"]
    # Culture of units: how much of the variation is between governments and units.
    fit = random_intercept(panel, f"culture_overall ~ {rhs}", nest)
    keys = panel.drop_duplicates("_unit").set_index("_unit")[["gov_code", "unit_code"]]

    def unit_effects(fit):
        eff = fit.random_effects.drop(columns="gov_code")
        return eff.join(keys, on="_unit").assign(wave=pd.NA)

    add("culture_units", "culture_overall", fit, unit_effects(fit))
    pf = panel[panel["ikm"].notna() & panel["culture_overall"].notna()].copy()
    if len(pf) and pf["_unit"].nunique() > 2 and pf["gov_code"].nunique() > 1:
        fit = random_intercept(pf, f"ikm ~ culture_overall + {' + '.join(dummies) or '1'}",
                               nest)  # fmt: skip
        add("ikm_units", "ikm", fit, unit_effects(fit))
    if skm_responses is not None and len(skm_responses):
        _, fits, groups = cross_level(
            skm_responses, unit_panel, values=("overall",), return_fits=True
        )
        fit = fits["overall"]
        re_ = fit.random_effects.merge(groups, on="_group").rename(columns={"period": "wave"})
        add("satisfaction_cross_level", "satisfaction", fit, re_)
    fixed = pd.concat(fixed, ignore_index=True)
    fixed["term"] = fixed["term"].str.replace(r"^_(?:w|period_)(\d+)$", r"wave[\1]", regex=True)
    variance = pd.concat(variance, ignore_index=True)
    variance["component"] = variance["component"].replace(
        {"gov_code": "government", "gov_code:_unit": "unit", "_unit": "unit", "_group": "unit_wave"}
    )
    eff = pd.concat(effects, ignore_index=True)
    eff["wave"] = pd.to_numeric(eff["wave"]).astype("Int64")
    eff = eff[["gov_code", "unit_code", "wave", "outcome", "estimate", "se", "ci_low",
               "ci_high", "n", "model"]]  # fmt: skip
    cols_f = ["model", "outcome", "term", "estimate", "se", "ci_low", "ci_high", "p_value", "n",
              "path"]  # fmt: skip
    cols_v = ["model", "outcome", "component", "estimate", "ci_low", "ci_high", "icc",
              "icc_ci_low", "icc_ci_high", "n_groups", "path", "converged", "singular"]  # fmt: skip
    return fixed[cols_f], variance[cols_v], eff


def model_tables(
    unit_panel: pd.DataFrame,
    skm_responses: pd.DataFrame | None = None,
    culture_unit: pd.DataFrame | None = None,
    n_boot: int = 999,
    seed: int = 0,
    cluster: str = "gov_code",
) -> dict[str, pd.DataFrame]:
    """Fit every value-chain model and return the results-store tables.

    Parameters
    ----------
    unit_panel : pandas.DataFrame
        Unit-wave panel (contracts.md; :func:`berakhlak_research.models.panel.build_unit_panel`).
    skm_responses : pandas.DataFrame, optional
        Canonical SKM responses; enables the cross-level model, the element
        drivers and their importance-performance rows.
    culture_unit : pandas.DataFrame, optional
        Long unit culture indices (``gov_code, unit_code, wave, value,
        estimate``); used only to fill culture columns missing from
        ``unit_panel``.
    n_boot : int, default 999
        Cluster-bootstrap replicates of the indirect effect.
    seed : int, default 0
    cluster : str, default "gov_code"
        Cluster of the standard errors and of the bootstrap.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``multilevel_fixed`` (model, outcome, term, estimate, se, ci_low,
        ci_high, p_value, n, path); ``multilevel_variance`` (model, outcome,
        component, estimate, ci_low, ci_high, icc, icc_ci_low, icc_ci_high,
        n_groups, path, converged, singular; the intervals are profile-likelihood
        intervals of the variance and the ICC, see
        :class:`~berakhlak_research.models.multilevel.MixedResult`);
        ``unit_effects`` (gov_code, unit_code, wave, outcome, estimate, se,
        ci_low, ci_high, n, model: predicted random intercepts, i.e. the
        unit's deviation from the model's prediction); ``value_chain_paths``
        (path, estimate, se, ci_low, ci_high, p_value, n, n_clusters, method,
        x, m, y, design); ``culture_ikm_link`` (value, estimate, se, ci_low,
        ci_high, p_value, n, model, ...); ``key_drivers`` (target, gov_code,
        outcome, driver, importance, share, r2, n); ``importance_performance``
        (gov_code, target, driver, driver_label_id, driver_label_en,
        importance, performance, quadrant, priority_id, priority_en,
        importance_scope).
    """
    panel = unit_panel.copy()
    missing = [c for c in CULTURE_COLUMNS.values() if c not in panel.columns]
    if missing and culture_unit is not None:
        wide = culture_unit.pivot_table(
            index=["gov_code", "unit_code", "wave"], columns="value", values="estimate"
        )
        wide.columns = [f"culture_{c}" for c in wide.columns]
        add = [c for c in missing if c in wide.columns]
        panel = panel.merge(wide[add].reset_index(), on=["gov_code", "unit_code", "wave"],
                            how="left")  # fmt: skip
    need = ["gov_code", "unit_code", "wave", "ikm", "treated", *CULTURE_COLUMNS.values()]
    lacking = [c for c in need if c not in panel.columns]
    if lacking:
        raise InputError(f"model_tables: the unit panel lacks column(s) {lacking}.")
    out: dict[str, pd.DataFrame] = {}
    out["multilevel_fixed"], out["multilevel_variance"], out["unit_effects"] = _multilevel(
        panel, skm_responses
    )

    pf = panel[panel["ikm"].notna()].copy()
    pf["treated"] = pf["treated"].astype("float64")
    pf["_unit"] = unit_key(pf)
    # The seven values are parallel mediators: each has its own weight on IKM.
    values = [CULTURE_COLUMNS[v] for v in VALUE_CODES]
    if "first_treated" in pf.columns:
        # Staggered roll-out: cohort x wave cells, unit effects absorbed, wave dummies.
        paths = mediation(pf, "treated", "culture_overall", "ikm", cluster=cluster,
                          fixed_effects=["_unit"], cohort="first_treated", time="wave",
                          mediators=values, n_boot=n_boot, seed=seed)  # fmt: skip
        design = "saturated_cohort_wave_unit_fixed_effects"
    else:
        paths = mediation(pf, "treated", "culture_overall", "ikm", cluster=cluster,
                          fixed_effects=["_unit", "wave"], mediators=values, n_boot=n_boot,
                          seed=seed)  # fmt: skip
        design = "unit_and_wave_fixed_effects"
    out["value_chain_paths"] = paths.assign(x="treated", m="culture_overall", y="ikm",
                                            design=design)  # fmt: skip

    links = [
        within_unit(panel, cluster=cluster),
        within_unit(panel, values=VALUE_CODES, cluster=cluster, joint=True),
    ]
    try:
        links.append(within_unit(panel, lag=1, cluster=cluster))
    except EstimationError:
        pass  # a single wave: no lagged model
    if skm_responses is not None and len(skm_responses):
        links.append(cross_level(skm_responses, panel))
    out["culture_ikm_link"] = pd.concat(links, ignore_index=True)

    drv, ipa = [], []
    d, perf = value_drivers(panel)
    drv.append(d)
    ipa.append(_ipa(d, perf, VALUE_LABELS, "culture"))
    if skm_responses is not None and len(skm_responses):
        d, perf = element_drivers(skm_responses)
        drv.append(d)
        ipa.append(_ipa(d, perf, ELEMENT_LABELS, "ikm"))
    kd = pd.concat(drv, ignore_index=True)
    out["key_drivers"] = kd[["target", "gov_code", "outcome", "driver", "importance", "share",
                             "r2", "n"]]  # fmt: skip
    out["importance_performance"] = pd.concat(ipa, ignore_index=True)
    return out
