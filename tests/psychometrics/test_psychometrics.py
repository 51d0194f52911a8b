"""Tests of berakhlak_research.psychometrics against R (psych, lavaan) and known truths.

R reference: tests/r/psychometrics_reference.R (run it to regenerate
tests/r/psychometrics_reference.json from tests/r/psychometrics_items.csv, which
tests/r/psychometrics_fixture.py writes with a fixed seed).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import psychometrics as ps
from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import BEHAVIOUR_CODES, VALUE_CODES, behaviours_of
from tests._data import R_DIR
from tests._data.psychometrics import TRUE_FACTOR_CORR, TRUE_LOADINGS, simulate_items

REF = json.loads((R_DIR / "psychometrics_reference.json").read_text())
ITEMS = list(BEHAVIOUR_CODES)

TO_STORED = {"estimate": "alpha", "se": "alpha_se", "ci_low": "alpha_ci_low",
             "ci_high": "alpha_ci_high"}  # fmt: skip


@pytest.fixture(scope="module")
def fixture_data() -> pd.DataFrame:
    d = pd.read_csv(R_DIR / "psychometrics_items.csv", dtype={"gov_code": "string"})
    d["wave"] = d["wave"].astype("Int64")
    return d.astype(dict.fromkeys(ITEMS, "Int8"))


def _ref(name: str) -> pd.DataFrame:
    t = pd.DataFrame(REF[name])
    t["gov_code"] = t["gov_code"].astype("string")
    t["wave"] = t["wave"].astype("Int64")
    return t


def _merge_ref(ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    m = ours.merge(ref, on=keys, suffixes=("", "_r"), how="inner", validate="1:1")
    assert len(m) == len(ref)
    return m


# ----------------------------------------------------------------- reliability vs psych


@pytest.mark.parametrize(
    ("level", "by"),
    [("all", []), ("wave", ["wave"]), ("gov_wave", ["gov_code", "wave"])],
)
def test_alpha_and_omega_match_r(fixture_data, level, by):
    ref = _ref("reliability")
    if level == "all":
        ref = ref[ref["wave"].isna()]
    elif level == "wave":
        ref = ref[ref["wave"].notna() & ref["gov_code"].isna()]
    else:
        ref = ref[ref["gov_code"].notna()]
    # alpha_by speaks the vocabulary; the R reference (and the stored table) name them alpha*
    ours = ps.alpha_by(fixture_data, by=by).rename(columns=TO_STORED)
    m = _merge_ref(ours, ref.drop(columns=[c for c in ("gov_code", "wave") if c not in by]),
                   [*by, "value"])  # fmt: skip
    assert (m["n"] == m["n_r"]).all()
    for col in ("alpha", "alpha_se", "alpha_ci_low", "alpha_ci_high", "omega"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-6, err_msg=col)
    assert (m["reason"] == "").all()


def test_item_total_matches_r(fixture_data):
    ref = _ref("item_total")
    ref = ref[ref["gov_code"].notna()]
    ours = ps.item_total(fixture_data, by=["gov_code", "wave"])
    m = _merge_ref(ours, ref, ["gov_code", "wave", "value", "behaviour"])
    np.testing.assert_allclose(m["r_corrected"], m["r_corrected_r"], atol=1e-6)
    assert (m["n"] == m["n_r"]).all()


def test_single_scale_functions_match_r(fixture_data):
    ref = _ref("reliability")
    row = ref[ref["wave"].isna() & (ref["value"] == "AD")].iloc[0]
    a = ps.cronbach_alpha(fixture_data, behaviours_of("AD"))
    assert list(a.columns) == ["estimate", "se", "ci_low", "ci_high", "p_value", "n", "n_items"]
    assert a["estimate"].iloc[0] == pytest.approx(row["alpha"], abs=1e-8)
    assert a["ci_low"].iloc[0] == pytest.approx(row["alpha_ci_low"], abs=1e-8)
    assert a["ci_high"].iloc[0] == pytest.approx(row["alpha_ci_high"], abs=1e-8)
    assert a["n"].iloc[0] == row["n"]
    o = ps.mcdonald_omega(fixture_data, behaviours_of("AD"))
    assert o["estimate"].iloc[0] == pytest.approx(row["omega"], abs=1e-8)
    # A 21-item one-factor omega goes through the general ML fit, not the 3-item closed form.
    o21 = ps.mcdonald_omega(fixture_data, ITEMS)
    assert o21["estimate"].iloc[0] == pytest.approx(REF["omega_all21"], abs=1e-5)
    assert o21["n"].iloc[0] == REF["cfa_all"]["fit"]["n"]


def test_alpha_by_equals_direct_numpy_per_group(fixture_data):
    """Independent computation: alpha and r.drop straight from each group's np.cov."""
    ours = ps.alpha_by(fixture_data, by=["gov_code", "wave"])
    it = ps.item_total(fixture_data, by=["gov_code", "wave"])
    for (g, w), part in fixture_data.groupby(["gov_code", "wave"]):
        for v in VALUE_CODES:
            x = part[list(behaviours_of(v))].dropna().to_numpy(float)
            c = np.cov(x, rowvar=False)
            alpha = 1.5 * (1 - np.trace(c) / c.sum())
            got = ours[(ours.gov_code == g) & (ours.wave == w) & (ours.value == v)]
            assert got["estimate"].iloc[0] == pytest.approx(alpha, abs=1e-12)
            tot = x.sum(axis=1)
            for j, b in enumerate(behaviours_of(v)):
                r = np.corrcoef(x[:, j], tot - x[:, j])[0, 1]
                got = it[(it.gov_code == g) & (it.wave == w) & (it.behaviour == b)]
                assert got["r_corrected"].iloc[0] == pytest.approx(r, abs=1e-12)


# ----------------------------------------------------------------------- CFA vs lavaan


def _check_cfa(res: ps.CfaResult, ref: dict, tol_fit=1e-4, tol_load=1e-4):
    fit = res.fit.iloc[0]
    rf = ref["fit"]
    assert fit["n"] == rf["n"]
    assert fit["df"] == rf["df"]
    assert bool(fit["converged"])
    assert fit["chi2"] == pytest.approx(rf["chisq"], rel=1e-6)
    for ours, theirs in [("p_value", "pvalue"), ("cfi", "cfi"), ("tli", "tli"),
                         ("rmsea", "rmsea"), ("rmsea_ci_low", "rmsea.ci.lower"),
                         ("rmsea_ci_high", "rmsea.ci.upper"), ("srmr", "srmr")]:  # fmt: skip
        assert fit[ours] == pytest.approx(rf[theirs], abs=tol_fit), ours
    rl = pd.DataFrame(ref["loadings"])
    m = res.loadings.merge(rl, on=["value", "behaviour"], suffixes=("", "_r"), validate="1:1")
    assert len(m) == len(rl)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=tol_load)
    np.testing.assert_allclose(m["se"], m["se_r"], atol=tol_load)
    np.testing.assert_allclose(m["raw_estimate"], m["raw"], atol=tol_load)
    np.testing.assert_allclose(m["raw_se"], m["raw_se_r"], atol=tol_load)
    return m


def test_cfa_seven_factor_matches_lavaan(fixture_data):
    res = ps.cfa(fixture_data)
    _check_cfa(res, REF["cfa_all"])
    rc = pd.DataFrame(REF["cfa_all"]["factor_corr"])
    m = res.factor_correlations.merge(
        rc, left_on=["value_1", "value_2"], right_on=["lhs", "rhs"], validate="1:1"
    )
    assert len(m) == 21
    np.testing.assert_allclose(m["estimate_x"], m["estimate_y"], atol=1e-4)
    np.testing.assert_allclose(m["se_x"], m["se_y"], atol=1e-4)
    assert list(res.fit.columns)[:10] == ["chi2", "df", "p_value", "cfi", "tli", "rmsea",
                                          "rmsea_ci_low", "rmsea_ci_high", "srmr", "n"]  # fmt: skip


def test_cfa_subset_and_misfitting_model_match_lavaan(fixture_data):
    _check_cfa(ps.cfa(fixture_data[fixture_data["wave"] == 2023]), REF["cfa_wave2023"])
    one = ps.cfa(fixture_data, model={"culture": ITEMS})
    _check_cfa(one, REF["cfa_one_factor"])
    # the misfit moves the RMSEA interval away from 0, so both ends are really tested
    assert one.fit["rmsea_ci_low"].iloc[0] > 0.05


def test_cfa_invariant_to_item_scale(fixture_data):
    """Standardised loadings and fit do not change when an item is rescaled (x -> 2x + 1)."""
    base = ps.cfa(fixture_data)
    d = fixture_data.astype(dict.fromkeys(ITEMS, "float64"))
    d["KP2"] = 2 * d["KP2"] + 1
    res = ps.cfa(d)
    np.testing.assert_allclose(res.loadings["estimate"], base.loadings["estimate"], atol=1e-7)
    np.testing.assert_allclose(res.loadings["se"], base.loadings["se"], atol=1e-7)
    assert res.fit["chi2"].iloc[0] == pytest.approx(base.fit["chi2"].iloc[0], rel=1e-8)


def test_cfa_is_fast_on_2000_respondents():
    d = simulate_items(2000, seed=5)
    t0 = time.perf_counter()
    res = ps.cfa(d)
    elapsed = time.perf_counter() - t0
    assert bool(res.fit["converged"].iloc[0])
    assert elapsed < 3.0, f"CFA on 2,000 respondents took {elapsed:.2f} s"


# ------------------------------------------------------------------- recovery of truth


def test_recovers_true_loadings_and_factor_correlations():
    """Continuous items with known standardised loadings: ML recovers them (n = 20,000)."""
    d = simulate_items(20_000, seed=11, likert=False)
    res = ps.cfa(d)
    truth = np.array([TRUE_LOADINGS[b] for b in res.loadings["behaviour"]])
    err = res.loadings["estimate"].to_numpy() - truth
    assert np.max(np.abs(err)) < 0.03
    # the errors are consistent with the reported SEs
    z = err / res.loadings["se"].to_numpy()
    assert np.mean(z**2) < 2.5
    fc = res.factor_correlations
    idx = {v: i for i, v in enumerate(VALUE_CODES)}
    true_r = TRUE_FACTOR_CORR[fc["value_1"].map(idx), fc["value_2"].map(idx)]
    assert np.max(np.abs(fc["estimate"].to_numpy() - true_r)) < 0.04
    assert res.fit["rmsea"].iloc[0] < 0.01


def test_alpha_recovers_population_alpha():
    """Population alpha of three unit-variance items with loadings l: from their covariances."""
    d = simulate_items(40_000, seed=3, likert=False)
    out = ps.alpha_by(d)
    for v in VALUE_CODES:
        lam = np.array([TRUE_LOADINGS[b] for b in behaviours_of(v)])
        c = np.outer(lam, lam)
        np.fill_diagonal(c, 1.0)
        alpha = 1.5 * (1 - 3 / c.sum())
        omega = lam.sum() ** 2 / c.sum()
        row = out[out["value"] == v].iloc[0]
        assert row["ci_low"] - 0.01 < alpha < row["ci_high"] + 0.01
        assert row["omega"] == pytest.approx(omega, abs=0.015)


# ------------------------------------------------------------- measurement_tables


def test_measurement_tables_contract_and_consistency(fixture_data):
    out = ps.measurement_tables(fixture_data, cfa_min_n=200)
    assert set(out) == {"reliability", "item_total", "cfa_fit", "cfa_loadings"}
    contract = {
        "reliability": ["gov_code", "wave", "value", "alpha", "alpha_ci_low", "alpha_ci_high",
                        "omega", "n"],
        "item_total": ["gov_code", "wave", "value", "behaviour", "r_corrected", "n"],
        "cfa_fit": ["gov_code", "wave", "chi2", "df", "p_value", "cfi", "tli", "rmsea",
                    "srmr", "n"],
        "cfa_loadings": ["gov_code", "wave", "value", "behaviour", "estimate", "se", "n"],
    }  # fmt: skip
    for name, cols in contract.items():
        assert set(cols) <= set(out[name].columns), name
    rel = out["reliability"]
    # all-data rows (gov_code NA) per wave equal alpha_by per wave; gov rows per gov-wave
    by_wave = ps.alpha_by(fixture_data, by=["wave"])
    all_rows = rel[rel["gov_code"].isna()].reset_index(drop=True)
    np.testing.assert_allclose(all_rows["alpha"], by_wave["estimate"], atol=1e-12)
    assert len(rel) == 7 * (2 + 4)
    # the per-wave CFA of the pooled government moments equals a CFA of that wave's rows
    fit = out["cfa_fit"]
    w23 = fit[fit["gov_code"].isna() & (fit["wave"] == 2023)].iloc[0]
    assert w23["chi2"] == pytest.approx(REF["cfa_wave2023"]["fit"]["chisq"], rel=1e-6)
    assert w23["n"] == REF["cfa_wave2023"]["fit"]["n"]
    # government-waves have fewer than 200 complete respondents: rows kept, NaN, reason
    gov = fit[fit["gov_code"].notna()]
    assert len(gov) == 4 and gov["chi2"].isna().all()
    assert gov["reason"].str.contains("fewer than 200").all()
    load = out["cfa_loadings"]
    assert load["gov_code"].isna().all() and len(load) == 2 * 21


def test_measurement_tables_cfa_per_government_when_large():
    d = simulate_items(1_200, seed=8, groups={"gov_code": ("35.75", "35.14"), "wave": (2024,)})
    out = ps.measurement_tables(d, cfa_min_n=200)
    fit = out["cfa_fit"]
    assert fit["chi2"].notna().all() and len(fit) == 3
    sub = d[d["gov_code"] == "35.75"]
    direct = ps.cfa(sub).fit.iloc[0]
    row = fit[fit["gov_code"] == "35.75"].iloc[0]
    assert row["chi2"] == pytest.approx(direct["chi2"], rel=1e-8)
    assert row["cfi"] == pytest.approx(direct["cfi"], abs=1e-10)


# ------------------------------------------------------------------------ edge cases


def test_all_missing_item():
    d = simulate_items(300, seed=1)
    d["AD2"] = pd.array([pd.NA] * len(d), dtype="Int8")
    with pytest.raises(EstimationError, match="AD2 has no answers"):
        ps.cronbach_alpha(d, behaviours_of("AD"))
    with pytest.raises(EstimationError, match="no answers"):
        ps.cfa(d)
    out = ps.alpha_by(d)
    ad = out[out["value"] == "AD"].iloc[0]
    assert np.isnan(ad["estimate"]) and np.isnan(ad["omega"]) and "AD2" in ad["reason"]
    assert out.loc[out["value"] != "AD", "estimate"].notna().all()
    t = ps.measurement_tables(d.assign(gov_code="35.75", wave=2024), cfa_min_n=100)
    assert t["cfa_fit"]["chi2"].isna().all()
    assert t["cfa_fit"]["reason"].str.contains("AD2").all()


def test_constant_item():
    d = simulate_items(300, seed=2)
    d["HM1"] = pd.array([4] * len(d), dtype="Int8")
    with pytest.raises(EstimationError, match="same answer"):
        ps.cronbach_alpha(d, behaviours_of("HM"))
    with pytest.raises(EstimationError, match="same answer"):
        ps.cfa(d)
    it = ps.item_total(d)
    assert it.loc[it["value"] == "HM", "r_corrected"].isna().all()
    assert it.loc[it["value"] == "BP", "r_corrected"].notna().all()


def test_too_few_respondents():
    d = simulate_items(15, seed=4)
    with pytest.raises(EstimationError, match="respondents"):
        ps.cfa(d)
    out = ps.alpha_by(d.head(2))
    assert out["estimate"].isna().all() and out["reason"].str.contains("fewer than 3").all()
    t = ps.measurement_tables(d.assign(gov_code="35.75", wave=2024), min_n=10)
    assert (t["reliability"]["n"] == 15).all() and t["reliability"]["alpha"].notna().all()
    assert t["cfa_fit"]["reason"].str.contains("fewer than 200").all()
    small = ps.measurement_tables(d.head(8).assign(gov_code="35.75", wave=2024), min_n=10)
    assert small["reliability"]["alpha"].isna().all()
    assert small["cfa_loadings"].empty


def test_bad_input():
    d = simulate_items(50, seed=1)
    with pytest.raises(InputError, match="not found"):
        ps.cronbach_alpha(d, ["BP1", "XX9"])
    with pytest.raises(InputError, match="both"):
        ps.alpha_by(d, value_map={"a": ["BP1", "BP2"], "b": ["BP2", "BP3"]})
    with pytest.raises(EstimationError, match="at least 3 items"):
        ps.mcdonald_omega(d, ["BP1", "BP2"])
    with pytest.raises(InputError, match="gov_code"):
        ps.measurement_tables(d)


# ------------------------------------------------------------ ordinal (polychoric) path


def test_polychoric_matches_lavaan(fixture_data):
    ref = REF["polychoric"]
    r = ps.polychoric(fixture_data, ref["items"])
    assert r.attrs["n"] == ref["n"]
    np.testing.assert_allclose(r.to_numpy(), np.array(ref["matrix"]), atol=1e-6)


def test_cfa_ordered_matches_lavaan_on_polychoric(fixture_data):
    res = ps.cfa(fixture_data, ordered=True)
    rl = pd.DataFrame(REF["polychoric"]["loadings"])
    m = res.loadings.merge(rl, on=["value", "behaviour"], suffixes=("", "_r"), validate="1:1")
    assert len(m) == 21
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-5)
    fit = res.fit.iloc[0]
    assert fit["srmr"] == pytest.approx(REF["polychoric"]["srmr"], abs=1e-5)
    assert fit["estimator"] == "ML-polychoric"
    # normal-theory inference is withheld, not faked
    assert np.isnan(fit["chi2"]) and np.isnan(fit["rmsea"]) and res.loadings["se"].isna().all()


def test_ordered_cfa_undoes_likert_attenuation():
    """Likert answers cut from latent items with known loadings: polychoric CFA recovers them,
    the Pearson CFA is biased downwards."""
    d = simulate_items(6_000, seed=21)
    truth = np.array([TRUE_LOADINGS[b] for b in ITEMS])
    poly = ps.cfa(d, ordered=True).loadings["estimate"].to_numpy()
    pear = ps.cfa(d).loadings["estimate"].to_numpy()
    assert np.max(np.abs(poly - truth)) < 0.04
    assert abs(np.mean(poly - truth)) < 0.01
    assert np.mean(pear - truth) < -0.02


# ---------------------------------------------------------------- the project's simulator


def test_recovers_simulator_true_loadings(demo_sim):
    """truth["culture"]["loadings"] are loadings of the latent responses behind the Likert
    answers: the polychoric CFA of all demo responses recovers them."""
    truth = demo_sim.truth["culture"]["loadings"]
    d = demo_sim.tables["culture_responses"]
    res = ps.cfa(d, ordered=True)
    est = res.loadings.set_index("behaviour")["estimate"]
    err = est - pd.Series(truth)[est.index]
    assert np.max(np.abs(err)) < 0.035, err.round(3).to_dict()
    assert abs(err.mean()) < 0.015
    assert res.fit["srmr"].iloc[0] < 0.03


def test_measurement_tables_on_simulated_responses(demo_sim):
    d = demo_sim.tables["culture_responses"]
    out = ps.measurement_tables(d)
    rel = out["reliability"]
    n_gw = d.groupby(["gov_code", "wave"]).ngroups
    n_w = d["wave"].nunique()
    assert len(rel) == 7 * (n_gw + n_w)
    assert rel["alpha"].between(0.5, 0.95).all() and (rel["reason"] == "").all()
    assert rel["gov_code"].dtype == "string" and rel["wave"].dtype == "Int64"
    fit = out["cfa_fit"]
    assert len(fit) == n_gw + n_w
    ok = fit[fit["reason"] == ""]
    assert (ok["n"] >= 200).all() and ok["converged"].all()
    assert (ok["cfi"] > 0.95).all() and (ok["rmsea"] < 0.05).all()
    load = out["cfa_loadings"]
    assert len(load) == 21 * len(ok)
    assert load["estimate"].between(0.4, 1.0).all()


def test_closed_form_information_equals_matrix_derivatives():
    """The fit's closed-form gradient and expected information equal tr(W Sigma_a W Sigma_b)
    built from the explicit derivative matrices (a pattern with a cross-loading)."""
    from berakhlak_research.psychometrics._mlfa import _Model

    rng = np.random.default_rng(1)
    pattern = np.zeros((9, 3), dtype=bool)
    pattern[np.arange(9), np.repeat(np.arange(3), 3)] = True
    pattern[4, 0] = True
    model = _Model(pattern)
    theta = rng.uniform(0.2, 0.8, model.q)
    sig = model.sigma(theta)
    w = np.linalg.inv(sig)
    s = sig + 0.05 * np.eye(9) + 0.01
    d = model.dsigma(theta)
    h = np.einsum("aij,bji->ab", w @ d @ w, d)
    g = np.einsum("ij,aij->a", w @ (sig - s) @ w, d)
    np.testing.assert_allclose(model.info(theta, w), h, atol=1e-12)
    np.testing.assert_allclose(model.grad(theta, w, s), g, atol=1e-12)
    np.testing.assert_allclose(model.dsigma_diag(theta), np.diagonal(d, axis1=1, axis2=2))


def test_pooled_moments_equal_direct_covariances():
    """Moments pooled from groups (measurement_tables' all-data level) equal the direct ones."""
    from berakhlak_research.psychometrics._moments import group_moments, pool_moments

    rng = np.random.default_rng(7)
    x = rng.normal(3, 1, (500, 4))
    x[rng.random(x.shape) < 0.05] = np.nan
    g = rng.integers(0, 6, 500)
    parent = np.array([0, 0, 1, 1, 1, 0])
    pooled = pool_moments(group_moments(x, g, 6), parent, 2)
    direct = group_moments(x, parent[g], 2)
    np.testing.assert_array_equal(pooled.n, direct.n)
    np.testing.assert_allclose(pooled.mean, direct.mean, atol=1e-12)
    np.testing.assert_allclose(pooled.cov, direct.cov, atol=1e-12)
    np.testing.assert_array_equal(pooled.answered, direct.answered)
    rows = ~np.isnan(x).any(axis=1) & (parent[g] == 1)
    np.testing.assert_allclose(direct.cov[1], np.cov(x[rows], rowvar=False), atol=1e-12)
    # chunking the pass over rows (whole groups per chunk) changes nothing
    chunked = group_moments(x, g, 6, chunk_rows=37)
    np.testing.assert_allclose(chunked.cov, group_moments(x, g, 6).cov, atol=1e-12)
    rows = ~np.isnan(x).any(axis=1) & (g == 4)
    np.testing.assert_allclose(chunked.cov[4], np.cov(x[rows], rowvar=False), atol=1e-12)


def test_docstring_examples_run():
    import doctest

    from berakhlak_research.psychometrics import reliability

    result = doctest.testmod(reliability)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_cfa_standard_errors_match_sampling_spread():
    """Over 150 seeded samples of 600 respondents, the mean expected-information SE of each
    standardised loading is within 15 % of the loadings' empirical SD, and the Wald 95 %
    intervals cover the true loadings at close to the nominal rate; Feldt's interval covers
    the population alpha likewise."""
    est, se, cover, a_cover = [], [], [], []
    truth = np.array([TRUE_LOADINGS[b] for b in ITEMS])
    lam = np.array([TRUE_LOADINGS[b] for b in behaviours_of("BP")])
    c = np.outer(lam, lam)
    np.fill_diagonal(c, 1.0)
    alpha_true = 1.5 * (1 - 3 / c.sum())
    for seed in range(150):
        d = simulate_items(600, seed=1000 + seed, likert=False)
        res = ps.cfa(d).loadings
        est.append(res["estimate"].to_numpy())
        se.append(res["se"].to_numpy())
        cover.append((res["ci_low"] <= truth) & (truth <= res["ci_high"]))
        a = ps.cronbach_alpha(d, behaviours_of("BP"))
        a_cover.append(a["ci_low"].iloc[0] <= alpha_true <= a["ci_high"].iloc[0])
    ratio = np.mean(se, axis=0) / np.std(est, axis=0, ddof=1)
    assert np.all(np.abs(ratio - 1) < 0.15), ratio.round(2)
    assert 0.92 < np.mean(cover) < 0.975
    assert 0.88 < np.mean(a_cover) <= 1.0
