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
from berakhlak_research.models.few_clusters import (
    FEW_CLUSTERS_THRESHOLD,
    few_clusters_policy,
    wild_bootstrap_ols,
)
from berakhlak_research.models.multilevel import random_intercept
from berakhlak_research.models.value_chain.culture_link import (
    CULTURE_COLUMNS,
    cross_level,
    within_unit,
)
from berakhlak_research.models.value_chain.drivers import (
    importance_performance,
    key_drivers,
    key_drivers_bootstrap,
)
from berakhlak_research.models.value_chain.indirect import mediation, mediation_randomization

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


def element_drivers(
    skm_responses: pd.DataFrame, *, min_n: int = 30, n_boot: int = 0, seed: int | None = 0
):
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
    out = _pooled_and_per_gov(frame, "satisfaction", drivers, "ikm", min_n, n_boot, seed)
    # NRR uses every answered element (not only complete responses), latest period.
    latest = skm_responses.groupby("gov_code")["period"].transform("max")
    last = skm_responses[skm_responses["period"] == latest]
    U = last[drivers].to_numpy(dtype="float64", na_value=np.nan)
    U[(U < 1) | (U > 4)] = np.nan
    nrr = pd.DataFrame(U, columns=drivers).groupby(last["gov_code"].to_numpy()).mean()
    perf = (nrr * 25.0).rename_axis("gov_code").reset_index()
    perf = perf.melt(id_vars="gov_code", var_name="driver", value_name="performance")
    return out, perf


def _pooled_and_per_gov(frame, outcome, drivers, target, min_n, n_boot=0, seed=0):
    """Key drivers for all governments pooled (``gov_code`` NA) and for each government.

    With ``n_boot`` > 0 the shares carry bootstrap intervals (``share_se,
    share_ci_low, share_ci_high, share_p_value``; see :func:`key_drivers_bootstrap`)
    from resampling whole units (``gov_code, unit_code``): a unit's citizens, or
    a unit's waves, are not independent of one another.
    """
    unit = ["gov_code", "unit_code"]
    pooled = key_drivers(frame, outcome, drivers, min_n=min_n)
    pooled.insert(0, "gov_code", pd.NA)
    per_gov = key_drivers(frame, outcome, drivers, by="gov_code", min_n=min_n)
    if n_boot:
        ren = {"se": "share_se", "ci_low": "share_ci_low", "ci_high": "share_ci_high",
               "p_value": "share_p_value"}  # fmt: skip
        keep = ["driver", *ren]
        bp = key_drivers_bootstrap(frame, outcome, drivers, n_boot=n_boot, seed=seed, min_n=min_n,
                                   cluster=unit)  # fmt: skip
        pooled = pooled.merge(bp[keep].rename(columns=ren), on="driver", how="left")
        bg = key_drivers_bootstrap(frame, outcome, drivers, by="gov_code", n_boot=n_boot,
                                   seed=seed, min_n=min_n, cluster=unit)  # fmt: skip
        per_gov = per_gov.merge(bg[["gov_code", *keep]].rename(columns=ren),
                                on=["gov_code", "driver"], how="left")  # fmt: skip
    out = pd.concat([pooled, per_gov], ignore_index=True)
    out.insert(1, "target", target)
    out.insert(2, "outcome", outcome)
    return out


def value_drivers(
    unit_panel: pd.DataFrame, *, min_n: int = 30, n_boot: int = 0, seed: int | None = 0
):
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
    frame = unit_panel[["gov_code", "unit_code", "ikm", *cols]].dropna()
    frame = frame.rename(columns={CULTURE_COLUMNS[v]: v for v in VALUE_CODES})
    drivers = list(VALUE_CODES)
    out = _pooled_and_per_gov(frame, "ikm", drivers, "culture", min_n, n_boot, seed)
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
    out = importance_performance(own, perf, labels, target, fallback=pooled)
    if "share_ci_low" in drivers:
        # the importance's bootstrap interval beside it (own, or pooled where the quadrant
        # used the pooled share), so a report can classify only what the data separate
        ci = ["share_ci_low", "share_ci_high", "share_p_value"]
        own_ci = own[["gov_code", "driver", *ci]]
        pool_ci = pooled[["driver", *ci]].set_index("driver")
        out = out.merge(own_ci, on=["gov_code", "driver"], how="left")
        use_pool = out["importance_scope"].eq("pooled").to_numpy()
        for c in ci:
            pooled_c = out["driver"].map(pool_ci[c]).to_numpy(dtype="float64", na_value=np.nan)
            own_c = out[c].to_numpy(dtype="float64", na_value=np.nan)
            out[c] = np.where(use_pool, pooled_c, own_c)
        out = out.rename(columns={"share_ci_low": "importance_ci_low",
                                  "share_ci_high": "importance_ci_high",
                                  "share_p_value": "importance_p_value"})  # fmt: skip
    return out


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
        cl = cross_level(skm_responses, unit_panel, values=("overall",))
        fits, groups = cl.fits, cl.groups
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


def _treated_cells(frame: pd.DataFrame, cohort: str, time: str):
    """Dummies of the treated (cohort, wave) cells and their share of treated rows.

    The saturated design of the mediation's a, direct and total paths, so the
    wild bootstrap tests exactly the combination the mediation reports.
    """
    treated = frame["treated"].to_numpy(dtype="float64") == 1
    key = frame[cohort].astype("int64").astype(str) + ":" + frame[time].astype("int64").astype(str)
    names = np.sort(key[treated].unique())
    cols = {f"_cell_{k}": (treated & (key == k).to_numpy()).astype("float64") for k in names}
    w = np.array([v.sum() for v in cols.values()])
    return pd.DataFrame(cols, index=frame.index), w / w.sum()


def _paths_wild(pf, values, cluster, staggered, n_wild, seed, level=0.95):
    """Wild cluster bootstrap (WCR) rows for the linear paths a, direct and total."""
    cols = ["treated", "culture_overall", "ikm", *values, "_unit", "wave", cluster]
    if staggered:
        cols.append("first_treated")
    frame = pf[list(dict.fromkeys(cols))].dropna()
    frame = frame.assign(_unit=pd.factorize(frame["_unit"])[0],
                         **{cluster: pd.factorize(frame[cluster])[0]})  # fmt: skip
    if staggered:
        cells, w = _treated_cells(frame, "first_treated", "wave")
        frame = pd.concat([frame, cells], axis=1)
        x = list(cells.columns)
    else:
        x, w = ["treated"], np.array([1.0])
    common = dict(cluster=cluster, combination=w, dummies=["wave"], fixed_effects=["_unit"],
                  n_boot=n_wild, seed=seed, level=level)  # fmt: skip
    rows = []
    for path, y, controls in (("a", "culture_overall", []), ("direct", "ikm", list(values)),
                              ("total", "ikm", [])):  # fmt: skip
        r = wild_bootstrap_ols(frame, y, x, controls=controls, **common)
        rows.append(r.assign(path=path))
    out = pd.concat(rows, ignore_index=True).rename(columns={"inference": "method"})
    return out[["path", "estimate", "se", "ci_low", "ci_high", "p_value", "n", "n_clusters",
                "method"]]  # fmt: skip


def _links_wild(panel, cluster, n_wild, seed, level=0.95):
    """WCR rows for the within-unit culture-IKM slopes (unit effects absorbed, wave dummies)."""
    # Integer keys: 23 regressions would otherwise factorise the string keys 23 times.
    ukey = panel["gov_code"].astype(str) + "/" + panel["unit_code"].astype(str)
    data = panel.assign(_unit=pd.factorize(ukey)[0], **{cluster: pd.factorize(panel[cluster])[0]})
    prev = data[["_unit", "wave", *CULTURE_COLUMNS.values()]].assign(wave=lambda d: d["wave"] + 1)
    data = data.merge(
        prev.rename(columns={c: f"{c}_lag1" for c in CULTURE_COLUMNS.values()}),
        on=["_unit", "wave"], how="left",
    )  # fmt: skip
    specs = [("within_unit", [v], [CULTURE_COLUMNS[v]], "") for v in CULTURE_COLUMNS]
    specs += [
        ("within_unit_lag1", [v], [CULTURE_COLUMNS[v] + "_lag1"], "") for v in CULTURE_COLUMNS
    ]
    joint_cols = [CULTURE_COLUMNS[v] for v in VALUE_CODES]
    specs += [("within_unit_joint", [v], [CULTURE_COLUMNS[v]], "joint") for v in VALUE_CODES]
    rows = []
    for model, (v,), (col,), joint in specs:  # 23 regressions, not a loop over units
        xs = joint_cols if joint else [col]
        sub = data[list(dict.fromkeys(["ikm", *xs, "_unit", "wave", cluster]))].dropna()
        sub = sub[sub.groupby("_unit")["_unit"].transform("size") > 1]
        others = [c for c in xs if c != col]
        try:
            r = wild_bootstrap_ols(sub, "ikm", col, controls=others, cluster=cluster,
                                   dummies=["wave"], fixed_effects=["_unit"], n_boot=n_wild,
                                   seed=seed, level=level)  # fmt: skip
        except (EstimationError, InputError):
            continue  # e.g. no lagged observations; the cluster-robust row says why
        rows.append(r.assign(value=v, model=model, lag=1 if "lag" in model else 0))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True).rename(columns={"inference": "method"})
    return out.drop(columns=["n_draws", "exact"])


def _mark_preferred(table: pd.DataFrame, key: list[str], few: bool) -> pd.DataFrame:
    """``preferred``: the wild bootstrap row where the policy says few clusters and one exists.

    Randomisation rows are never the preferred row: they carry a p-value but no
    interval, so they stand beside the row that has one.
    """
    wild = table["method"].eq("wild_cluster_bootstrap")
    ri = table["method"].eq("randomization_inference")
    if not few:
        return table.assign(preferred=~wild & ~ri)
    has_wild = wild.groupby([table[k] for k in key]).transform("any")
    return table.assign(preferred=(wild | ~has_wild) & ~ri)


DRIVER_BOOT = 199
"""Bootstrap replicates for the key-driver importances (units resampled; one pass over units each)."""


def model_tables(
    unit_panel: pd.DataFrame,
    *,
    skm_responses: pd.DataFrame | None = None,
    culture_unit: pd.DataFrame | None = None,
    n_boot: int = 999,
    seed: int = 0,
    cluster: str = "gov_code",
    min_clusters: int = FEW_CLUSTERS_THRESHOLD,
    n_wild: int = 9999,
    n_perm: int = 999,
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
    min_clusters : int, default 20
        Fewest clusters for cluster-robust inference
        (:func:`~berakhlak_research.models.few_clusters.few_clusters_policy`).
        Below it ``value_chain_paths`` gets restricted wild-cluster-bootstrap
        rows for the linear paths a, direct and total, and
        ``culture_ikm_link`` for the within-unit slopes (``method =
        "wild_cluster_bootstrap"``, ``n_wild`` Webb draws, test-inversion
        intervals); ``preferred`` marks the row to read.
    n_wild : int, default 9999
    n_perm : int, default 999
        Below ``min_clusters``, when every government has one programme timing,
        ``value_chain_paths`` also gets randomisation-inference rows for a,
        direct, indirect and total (``method = "randomization_inference"``:
        p-value over the governments' permuted timings, no interval, never
        ``preferred``; :func:`~berakhlak_research.models.value_chain.mediation_randomization`),
        with every distinct timing when there are at most ``n_perm + 1``.

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
        x, m, y, design, preferred; method "cr1", "cluster_bootstrap",
        "wild_cluster_bootstrap" or "randomization_inference"); ``culture_ikm_link`` (value, estimate, se,
        ci_low, ci_high, p_value, n, model, ..., method: "cr1",
        "mixed_model" or "wild_cluster_bootstrap", preferred); ``key_drivers`` (target, gov_code,
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
    policy = few_clusters_policy(max(int(pf[cluster].nunique()), 1), threshold=min_clusters)
    if policy.few:
        try:
            wild = _paths_wild(pf, values, cluster, "first_treated" in pf.columns, n_wild, seed)
            paths = pd.concat([paths, wild], ignore_index=True)
        except (EstimationError, InputError):
            pass  # the cluster-robust rows stand alone; the caveat still applies
        if "first_treated" in pf.columns:
            try:
                ri = mediation_randomization(
                    pf, "culture_overall", "ikm", cluster, time="wave",
                    first_treated="first_treated", fixed_effects=["_unit"], mediators=values,
                    n_perm=n_perm, seed=seed,
                )  # fmt: skip
                paths = pd.concat([paths, ri.drop(columns=["n_draws", "exact"])],
                                  ignore_index=True)  # fmt: skip
            except (EstimationError, InputError):
                pass  # timing varies within governments: the wild bootstrap alone applies
    paths = _mark_preferred(paths, ["path"], policy.few)
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
        links.append(cross_level(skm_responses, panel).tidy())
    link = pd.concat(links, ignore_index=True)
    link["method"] = np.where(link["model"].eq("cross_level"), "mixed_model", "cr1")
    link_policy = few_clusters_policy(max(int(panel[cluster].nunique()), 1), threshold=min_clusters)
    if link_policy.few:
        wild = _links_wild(panel, cluster, n_wild, seed)
        link = pd.concat([link, wild], ignore_index=True) if len(wild) else link
    out["culture_ikm_link"] = _mark_preferred(link, ["value", "model"], link_policy.few)

    drv, ipa = [], []
    d, perf = value_drivers(panel, n_boot=DRIVER_BOOT, seed=seed)
    drv.append(d)
    ipa.append(_ipa(d, perf, VALUE_LABELS, "culture"))
    if skm_responses is not None and len(skm_responses):
        d, perf = element_drivers(skm_responses, n_boot=DRIVER_BOOT, seed=seed)
        drv.append(d)
        ipa.append(_ipa(d, perf, ELEMENT_LABELS, "ikm"))
    kd = pd.concat(drv, ignore_index=True)
    out["key_drivers"] = kd[["target", "gov_code", "outcome", "driver", "importance", "share",
                             "r2", "n"] + [c for c in ("share_se", "share_ci_low",
                             "share_ci_high", "share_p_value") if c in kd]]  # fmt: skip
    out["importance_performance"] = pd.concat(ipa, ignore_index=True)
    return out
