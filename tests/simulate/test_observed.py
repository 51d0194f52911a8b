"""Observed-scale truth of the simulator: exact moments and ICCs against Monte Carlo draws."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.simulate import _generate as G
from berakhlak_research.simulate import _observed as O
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate import simulate
from berakhlak_research.simulate._truth import culture_truth

PARAMS = P.default_params()
K = len(VALUE_CODES)


def _draw_scores(b: np.ndarray, params: P.Params, rng, person: np.ndarray | None = None):
    """Monte Carlo respondents' value scores (n, 7) and overall (n,), both scorings.

    Written from the model's equations (docs/simulation.md), independently of
    ``_observed``: eta = b + person component, y* = loading eta + noise,
    answer = 1 + thresholds exceeded, MCAR missing, score = mean of answered items.
    """
    n = len(b)
    if person is None:
        chol = np.linalg.cholesky(params.corr("person")) * np.sqrt(params.var_person)
        person = rng.standard_normal((n, K)) @ chol.T
    iv = params.item_value_index()
    lam = np.array(params.loadings)
    tau = params.thresholds()
    eta = b + person
    ystar = eta[:, iv] * lam + np.sqrt(1 - lam**2) * rng.standard_normal((n, 21))
    answer = 1 + (ystar[:, :, None] > tau[None]).sum(axis=2)
    answered = rng.random((n, 21)) >= params.item_missing
    out = {}
    for scoring, item in (("mean", (answer - 1) * 25.0), ("favourable", (answer >= 4) * 100.0)):
        s = np.where(answered, item, 0.0)
        cnt = np.zeros((n, K))
        tot = np.zeros((n, K))
        for j in range(21):  # 21 items
            cnt[:, iv[j]] += answered[:, j]
            tot[:, iv[j]] += s[:, j]
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(cnt > 0, tot / cnt, np.nan)
        out[scoring] = (v, np.nanmean(v, axis=1))
    return out


def test_pattern_weights_enumerate_the_missing_patterns():
    assert O.pattern_weights(0.0) == pytest.approx((1 / 3, 1 / 9, 1 / 9))
    for p, k in ((0.02, 3), (0.3, 3), (0.3**3, 7)):
        a, d1, d2 = O.pattern_weights(p, k)
        assert a == pytest.approx(1 / k)
        # sum_j 1{j in A} / |A| = 1 whenever something is answered, so its square too:
        assert k * d1 + k * (k - 1) * d2 == pytest.approx(1.0)
    with pytest.raises(ParameterError):
        O.pattern_weights(1.0)


def test_quadrature_converged_and_equal_to_the_closed_form():
    b = np.random.default_rng(0).normal(0, 0.5, (40, K))
    for scoring in O.SCORINGS:
        first, second = O.conditional_moments(b, scoring=scoring)
        np.testing.assert_allclose(first, O.expected_value_scores(b, scoring=scoring), atol=1e-9)
        f2, s2 = O.conditional_moments(b, scoring=scoring, n_nodes=128)
        np.testing.assert_allclose(s2, second, atol=1e-8)
        assert np.all(second > first**2)  # a positive within-unit variance
        a = O.variance_components(scoring=scoring)
        c = O.variance_components(scoring=scoring, n_nodes=128)
        np.testing.assert_allclose(a.iloc[:, 2:], c.iloc[:, 2:], atol=1e-8)
    with pytest.raises(ParameterError):
        O.variance_components(scoring="median")


@pytest.mark.parametrize("missing", [0.02, 0.3])
def test_conditional_moments_match_monte_carlo(missing):
    # 0.3 missing makes the pattern enumeration matter: ignoring it would move E[S^2 | b]
    # by more than 1.5 times the tolerance (checked below).
    params = dataclasses.replace(PARAMS, item_missing=missing)
    rng = np.random.default_rng(1)
    n = 200_000
    for b0 in (np.zeros(K), np.linspace(-0.8, 0.6, K)):
        first, second = O.conditional_moments(b0[None], params)
        o1, o2 = O.conditional_overall_moments(b0[None], params)
        draws, overall = _draw_scores(np.tile(b0, (n, 1)), params, rng)["mean"]
        draws = np.column_stack([draws, overall])
        first = np.append(first, o1)[None]
        second = np.append(second, o2)[None]
        se2 = np.empty(K + 1)
        for j in range(K + 1):  # seven values and the overall score
            s = draws[:, j][~np.isnan(draws[:, j])]
            se1 = s.std() / np.sqrt(len(s))
            se2[j] = (s**2).std() / np.sqrt(len(s))
            assert abs(s.mean() - first[0, j]) < 4.5 * se1, (j, s.mean(), first[0, j])
            assert abs((s**2).mean() - second[0, j]) < 4.5 * se2[j], (
                j,
                (s**2).mean(),
                second[0, j],
            )
        if missing == 0.3:
            _, no_missing = O.conditional_moments(b0[None], PARAMS)
            assert np.all(np.abs(no_missing - second[:, :K]) > 1.5 * 4.5 * se2[:K])


def _hierarchy(rng, n: int, params: P.Params, level: str) -> np.ndarray:
    chol = np.linalg.cholesky(params.corr(level)) * np.sqrt(getattr(params, f"var_{level}"))
    return rng.standard_normal((n, K)) @ chol.T


def test_variance_components_match_monte_carlo():
    """Governments with two units; unit 1 has two respondents, unit 2 one.

    Two respondents of one unit share G and U, so their covariance is
    var_gov + var_unit; respondents of different units of one government share
    G only (covariance var_gov); the variance of one respondent is var_total.
    The between-person parts are also drawn without person noise, through the
    exact conditional means (themselves checked against draws above), which
    pins them to ~0.1 % and separates the observed ICCs from the latent ones.
    """
    rng = np.random.default_rng(2)
    n = 100_000
    g = _hierarchy(rng, n, PARAMS, "gov")
    u1, u2 = _hierarchy(rng, n, PARAMS, "unit"), _hierarchy(rng, n, PARAMS, "unit")
    b = np.concatenate([g + u1, g + u1, g + u2])
    truth = {s: O.variance_components(scoring=s).set_index("value") for s in O.SCORINGS}
    draws = _draw_scores(b, PARAMS, rng)
    for scoring in O.SCORINGS:
        vals, overall = draws[scoring]
        cols = {**{v: vals[:, j] for j, v in enumerate(VALUE_CODES)}, "overall": overall}
        for v, x in cols.items():
            t = truth[scoring].loc[v]
            a, a2, c = x[:n], x[n : 2 * n], x[2 * n :]
            ok = ~(np.isnan(a) | np.isnan(a2) | np.isnan(c))
            a, a2, c = a[ok], a2[ok], c[ok]
            m = t["mean"]
            for stat, target in (
                ((a - m) ** 2, t["var_total"]),
                ((a - m) * (a2 - m), t["var_gov"] + t["var_unit"]),
                ((a - m) * (c - m), t["var_gov"]),
            ):
                se = stat.std() / np.sqrt(len(stat))
                assert abs(stat.mean() - target) < 4.5 * se, (scoring, v, stat.mean(), target)
            assert abs(a.mean() - m) < 4.5 * a.std() / np.sqrt(len(a))
    # Between-person parts exactly through E[S | b] (no person noise): tight.
    gu = g + u1
    params_g = dataclasses.replace(PARAMS, var_person=PARAMS.var_unit + PARAMS.var_person)
    for scoring in O.SCORINGS:
        t = truth[scoring]
        mu = O.expected_value_scores(gu, scoring=scoring)
        mu_g = O.expected_value_scores(g, params_g, scoring=scoring)
        for level, mc, target in (
            ("gu", mu, t["var_gov"] + t["var_unit"]),
            ("g", mu_g, t["var_gov"]),
        ):
            x = np.column_stack([mc, mc.mean(axis=1)])
            d = (x - x.mean(axis=0)) ** 2
            se = d.std(axis=0) / np.sqrt(n)
            np.testing.assert_array_less(np.abs(d.mean(axis=0) - target.to_numpy()), 4.5 * se)
            assert np.all(se < 0.005 * target.to_numpy()), (level, se)
    # The observed ICCs are clearly below the latent ones (item noise, discrete answers):
    # the differences are many times the Monte Carlo error above.
    latent = culture_truth(PARAMS, None, None)
    for scoring in O.SCORINGS:
        t = truth[scoring]
        assert t.loc["overall", "icc_unit"] < latent["icc_overall_latent"]["unit"] - 0.01
        assert t.loc["overall", "icc_gov"] < latent["icc_overall_latent"]["gov"] - 0.002
        assert (t.loc[list(VALUE_CODES), "icc_unit"] < latent["icc_unit"] - 0.02).all()


def test_truth_holds_the_observed_scale_and_the_expected_unit_culture():
    sim = simulate("demo", seed=20230515)
    obs = json.loads(json.dumps(sim.truth))["culture"]["observed_scale"]
    assert obs["wave"] == 2022
    ref = O.variance_components(scoring="mean").set_index("value")
    for v in [*VALUE_CODES, "overall"]:
        assert obs["mean"][v]["icc_unit"] == pytest.approx(ref.loc[v, "icc_unit"], abs=1e-12)
    assert obs["favourable"]["AD"]["mean"] == pytest.approx(P.NATIONAL_2022["AD"], abs=1e-9)
    assert sim.truth["culture"]["icc_unit"] == pytest.approx(0.12)  # latent keys kept

    # The expected unit culture is E[S | gov + unit + trend + shift] of each unit-wave.
    sc = P.SCALES["demo"]
    st = G.build_structure(sc, PARAMS, 20230515)
    codes = st.govs["code"].to_numpy()
    pas = int(np.flatnonzero(codes == P.PASURUAN_CODE)[0])
    st.gov_effect[pas] = [sim.truth["culture"]["pasuruan_gov_effect"][v] for v in VALUE_CODES]
    uw = sim.unit_waves
    key = uw["gov_code"] + "/" + uw["unit_code"]
    unit_key = st.units["gov_code"] + "/" + st.units["unit_code"]
    u = pd.Index(unit_key).get_indexer(key)
    assert (u >= 0).all()
    w = uw["wave"].map({t: i for i, t in enumerate(P.WAVES)}).to_numpy()
    b = st.gov_effect[st.unit_gov[u]] + st.unit_effect[u] + np.asarray(PARAMS.trend)[w][:, None]
    b += uw["latent_effect"].to_numpy()[:, None] * np.asarray(PARAMS.value_weight)
    exp_cols = [f"expected_culture_{v}" for v in VALUE_CODES]
    np.testing.assert_allclose(uw[exp_cols], O.expected_value_scores(b), atol=1e-9)
    np.testing.assert_allclose(uw["expected_culture_overall"], uw[exp_cols].mean(axis=1))

    # ... and the unit's sample index scatters around it with the model's variance.
    first, second = O.conditional_moments(b)
    se = np.sqrt((second - first**2) / uw["n_resp"].to_numpy()[:, None])
    z = (uw[[f"culture_{v}" for v in VALUE_CODES]].to_numpy() - first) / se
    assert np.all(np.abs(z.mean(axis=0)) < 4 / np.sqrt(len(z))), z.mean(axis=0)
    assert np.all(np.abs((z**2).mean(axis=0) - 1) < 0.25), (z**2).mean(axis=0)
    o1, o2 = O.conditional_overall_moments(b)
    np.testing.assert_allclose(o1, uw["expected_culture_overall"], atol=1e-9)
    z = (uw["culture_overall"] - o1) / np.sqrt((o2 - o1**2) / uw["n_resp"])
    assert abs(z.mean()) < 4 / np.sqrt(len(z)) and abs((z**2).mean() - 1) < 0.25
