"""Random-intercept models recover the simulator's true ICCs and variance components.

Culture (wave 2022, before any programme): respondents' value scores (mean
scoring, 0-100) from the province-scale simulation (39 governments, ~2,850
units, ~74,000 respondents); the truth is the observed-scale decomposition of
``truth["culture"]["observed_scale"]`` (superpopulation) and, for the units
and governments actually drawn, the decomposition given their realised
effects. Satisfaction: the citizen-level model whose unit component is the
simulator's ``skm_unit`` (``truth["value_chain"]["variance_components"]``).

Intervals are the fast path's 95 % profile-likelihood intervals. Seven values
plus the overall score are eight correlated checks; each test requires the
overall score and at least six of the seven values to be covered (as
``test_value_chain.py`` does for the value weights), and lists every miss.
Seed 1 (province) and the demo seed were the first tried.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.framework import BEHAVIOUR_CODES, VALUE_CODES, behaviours_of
from berakhlak_research.indices.culture import item_scores
from berakhlak_research.models.multilevel import random_intercept
from berakhlak_research.models.value_chain.culture_link import satisfaction_scores
from berakhlak_research.simulate import _generate as G
from berakhlak_research.simulate import _observed as O
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate import simulate

SEED = 1
SCORES = [*VALUE_CODES, "overall"]


@lru_cache(maxsize=1)
def _province_2022():
    """Respondent scores of wave 2022, the truth, and each unit's realised moments."""
    sim = simulate("province", seed=SEED)
    cr = sim["culture_responses"]
    cr = cr[cr["wave"] == 2022].reset_index(drop=True)
    # A respondent's value score: mean of the answered items' scores (the package's scoring).
    score = item_scores()["mean"]
    x = cr[list(BEHAVIOUR_CODES)].to_numpy(dtype="int8", na_value=0)
    df = cr[["gov_code", "unit_code"]].copy()
    df["unit"] = df["gov_code"] + "/" + df["unit_code"]
    for v in VALUE_CODES:  # seven values
        idx = [BEHAVIOUR_CODES.index(b) for b in behaviours_of(v)]
        n = (x[:, idx] > 0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            df[v] = np.where(n > 0, score[x[:, idx]].sum(axis=1) / n, np.nan)
    df["overall"] = df[list(VALUE_CODES)].mean(axis=1)
    for g in sorted(df["gov_code"].unique())[1:]:  # government dummies (fixed effects)
        df[f"g_{g.replace('.', '_')}"] = (df["gov_code"] == g).astype("float64")

    # Realised truth: each unit's latent mean b (its government and unit effects) gives
    # E[S | b] and Var(S | b) exactly (simulate/_observed.py).
    params = P.default_params()
    st = G.build_structure(P.SCALES["province"], params, SEED)
    pas = int(np.flatnonzero(st.govs["code"].to_numpy() == P.PASURUAN_CODE)[0])
    st.gov_effect[pas] = [sim.truth["culture"]["pasuruan_gov_effect"][v] for v in VALUE_CODES]
    b = st.gov_effect[st.unit_gov] + st.unit_effect  # trend 0 in 2022, nobody treated
    # 32 nodes: second moments within ~1e-6 of the 64-node values, half the time.
    m1, m2 = O.conditional_moments(b, n_nodes=32)
    o1, o2 = O.conditional_overall_moments(b, n_nodes=32)
    units = pd.DataFrame({"unit": (st.units["gov_code"] + "/" + st.units["unit_code"]).to_numpy(),
                          "gov": st.unit_gov})  # fmt: skip
    for j, v in enumerate(VALUE_CODES):
        units[f"m_{v}"], units[f"var_{v}"] = m1[:, j], m2[:, j] - m1[:, j] ** 2
    units["m_overall"], units["var_overall"] = o1, o2 - o1**2
    units["n"] = units["unit"].map(df["unit"].value_counts()).fillna(0).to_numpy()
    uw = sim.unit_waves[sim.unit_waves["wave"] == 2022]
    np.testing.assert_allclose(uw["expected_culture_overall"], units["m_overall"], atol=1e-9)
    truth = pd.DataFrame(sim.truth["culture"]["observed_scale"]["mean"]).T
    c = sim.truth["culture"]
    truth["latent_icc_unit"] = c["icc_unit"]
    truth.loc["overall", "latent_icc_unit"] = c["icc_overall_latent"]["unit"]
    return df, truth, units, len(st.govs)


def _fit(df, v, groups, fixed=()):
    fit = random_intercept(df, " + ".join([f"{v} ~ 1", *fixed]), groups)
    assert fit.path == "sufficient_statistics"
    return fit.variance.set_index("component")


def _check(covered: dict, what: str):
    misses = [v for v, ok in covered.items() if not ok]
    assert covered["overall"] and len(misses) <= 1, f"{what}: not covered for {misses}"


def test_unit_icc_recovered():
    """Groups = unit: the ICC of two respondents of one unit.

    Given the units actually drawn, the truth is the variance of their expected
    scores over the variance within them: the profile interval must cover it.
    The superpopulation ICC (``icc_unit``) also varies with the draw of only 39
    governments, which a model of independent units cannot know: its check
    widens the interval by the sampling SD of a variance over 39 normal draws,
    ``var_gov sqrt(2 / 38)`` (relative to the total).
    """
    df, truth, units, n_gov = _province_2022()
    real, superpop = {}, {}
    for v in SCORES:
        var = _fit(df, v, "unit")
        lo, hi, est = var.loc["unit", ["icc_ci_low", "icc_ci_high", "icc"]]
        tau = units[f"m_{v}"].var(ddof=1)
        within = np.average(units[f"var_{v}"], weights=units["n"])
        real[v] = lo <= tau / (tau + within) <= hi
        t = truth.loc[v]
        se = np.hypot(
            (hi - lo) / (2 * 1.96), t["var_gov"] * np.sqrt(2 / (n_gov - 1)) / t["var_total"]
        )
        superpop[v] = abs(est - t["icc_unit"]) <= 1.96 * se
        if v != "overall":
            # The latent ICC (0.12) is excluded for every value: the observed scale matters.
            # (Not for the overall score, latent 0.154 vs observed 0.142, at this scale.)
            assert hi < t["latent_icc_unit"], (v, hi, t["latent_icc_unit"])
    _check(real, "realised unit ICC")
    _check(superpop, "superpopulation icc_unit")


def test_within_government_components_recovered():
    """Groups = unit with government fixed effects: units are then independent draws.

    The unit variance estimates ``var_unit`` (between units of one government)
    and the residual ``var_within``, both superpopulation observed-scale truths.
    """
    df, truth, _, _ = _province_2022()
    gov = [c for c in df.columns if c.startswith("g_")]
    tau_ok, within_ok = {}, {}
    for v in SCORES:
        var = _fit(df, v, "unit", gov)
        t = truth.loc[v]
        tau_ok[v] = var.loc["unit", "ci_low"] <= t["var_unit"] <= var.loc["unit", "ci_high"]
        within_ok[v] = (var.loc["residual", "ci_low"] <= t["var_within"]
                        <= var.loc["residual", "ci_high"])  # fmt: skip
    _check(tau_ok, "var_unit")
    _check(within_ok, "var_within")


def test_government_icc_recovered():
    """Groups = government: ``icc_gov`` (two respondents of one government, other units).

    39 governments make this interval wide (about 0.02-0.05 for a value), and
    ignoring the units inside governments biases it up slightly (by about
    var_unit / units per government, ~4 % of var_gov here). The realised truth
    is the variance of the governments' respondent-weighted mean expected
    scores over the variance within governments.
    """
    df, truth, units, _ = _province_2022()
    real, superpop = {}, {}
    for v in SCORES:
        var = _fit(df, v, "gov_code")
        lo, hi = var.loc["gov_code", ["icc_ci_low", "icc_ci_high"]]
        superpop[v] = lo <= truth.loc[v, "icc_gov"] <= hi
        w = units["n"].to_numpy()
        m = units[f"m_{v}"].to_numpy()
        gov_mean = np.bincount(units["gov"], weights=w * m) / np.bincount(units["gov"], weights=w)
        tau = gov_mean.var(ddof=1)
        within = np.average((m - gov_mean[units["gov"]]) ** 2 + units[f"var_{v}"], weights=w)
        real[v] = lo <= tau / (tau + within) <= hi
    _check(real, "realised gov ICC")
    _check(superpop, "superpopulation icc_gov")


def test_satisfaction_variance_components_recovered():
    """Citizen satisfaction (25-100) on the unit's seven culture values, wave dummies and
    treatment, random intercept per unit: the unit component is the simulator's
    skm_unit (75 x skm_unit_sd)^2 and the residual the binomial variance within
    unit-periods (``truth["value_chain"]["variance_components"]``).

    The model matches the simulator exactly (E[score] = 25 + 75 mean_k q_k is
    linear in the measured unit culture, the period shift, the direct effect
    and skm_unit, when no q is clipped), unlike ``cross_level``, which groups by
    unit-period and uses one culture index at a time.
    """
    sim = simulate("demo", seed=20230515)
    vc = sim.truth["value_chain"]["variance_components"]
    assert sim.truth["value_chain"]["share_q_clipped"] == 0.0
    cols = [f"culture_{v}" for v in VALUE_CODES]
    uw = sim.unit_waves[["gov_code", "unit_code", "wave", "treated", *cols]]
    d = satisfaction_scores(sim["skm_responses"]).merge(
        uw.rename(columns={"wave": "period"}), on=["gov_code", "unit_code", "period"]
    )
    d["unit"] = d["gov_code"] + "/" + d["unit_code"]
    d["treated"] = d["treated"].astype("float64")
    waves = []
    for p in sorted(d["period"].unique())[1:]:  # three period dummies
        d[f"w{p}"] = (d["period"] == p).astype("float64")
        waves.append(f"w{p}")
    fit = random_intercept(d, "satisfaction ~ " + " + ".join([*cols, *waves, "treated"]), "unit")
    var = fit.variance.set_index("component")
    assert var.loc["unit", "ci_low"] <= vc["unit"] <= var.loc["unit", "ci_high"]
    assert var.loc["unit", "ci_low"] <= vc["unit_realised"] <= var.loc["unit", "ci_high"]
    assert var.loc["residual", "ci_low"] <= vc["residual"] <= var.loc["residual", "ci_high"]
    icc = vc["unit"] / (vc["unit"] + vc["residual"])
    assert var.loc["unit", "icc_ci_low"] <= icc <= var.loc["unit", "icc_ci_high"]
    # The residual truth (binomial formula) against the pooled within-unit-period variance
    # of the scores themselves; SE of a pooled variance ~ sqrt(2 / df) x variance.
    g = d.groupby(["unit", "period"])["satisfaction"]
    dof = (g.size() - 1).sum()
    pooled = ((d["satisfaction"] - g.transform("mean")) ** 2).sum() / dof
    assert pooled == pytest.approx(vc["residual"], abs=4 * np.sqrt(2 / dof) * vc["residual"])
