"""Tests of berakhlak_research.models.multilevel: fast path vs MixedLM and lme4, recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.models import multilevel as ml
from tests._chain_data import multilevel_fixture

R_DIR = Path(__file__).parent / "r"


def _random_fixture(seed: int, G: int, p: int, tau: float):
    rng = np.random.default_rng(seed)
    n_g = rng.integers(1, 12, G)
    g = np.repeat(np.arange(G), n_g)
    N = len(g)
    X = rng.normal(size=(N, p))
    X[:, 0] = rng.normal(size=G)[g]  # one group-level covariate
    beta = rng.normal(size=p)
    y = 0.7 + X @ beta + rng.normal(0, tau, G)[g] + rng.normal(size=N)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = y
    df["g"] = g
    return df


def _mixedlm(df, formula, groups="g"):
    return sm.MixedLM.from_formula(formula, df, groups=df[groups]).fit(
        reml=True, method="bfgs", gtol=1e-8
    )


@pytest.mark.parametrize(
    ("seed", "G", "p", "tau"), [(1, 150, 2, 0.8), (2, 400, 3, 0.3), (3, 80, 4, 1.5)]
)
def test_fast_path_equals_mixedlm(seed, G, p, tau):
    df = _random_fixture(seed, G, p, tau)
    formula = "y ~ " + " + ".join(f"x{j}" for j in range(p))
    fast = ml.random_intercept(df, formula, "g")
    ref = _mixedlm(df, formula)
    assert fast.path == ml.FAST_PATH and fast.converged
    np.testing.assert_allclose(fast.fixed["estimate"], ref.fe_params, atol=1e-4)
    np.testing.assert_allclose(fast.fixed["se"], ref.bse_fe, atol=1e-4)
    np.testing.assert_allclose(fast.variance["estimate"][0], ref.cov_re.iloc[0, 0], atol=1e-4)
    np.testing.assert_allclose(fast.variance["estimate"][1], ref.scale, atol=1e-4)
    # The REML criterion at the optimum equals -2 * MixedLM's REML log-likelihood.
    np.testing.assert_allclose(fast.deviance, -2 * ref.llf, atol=1e-3)
    blup = pd.Series({k: float(np.asarray(v)[0]) for k, v in ref.random_effects.items()})
    mine = fast.random_effects.set_index("g")["estimate"]
    np.testing.assert_allclose(mine.sort_index(), blup.sort_index(), atol=1e-4)


def test_forced_mixedlm_path_matches_fast_path():
    df = _random_fixture(4, 120, 2, 0.6)
    fast = ml.random_intercept(df, "y ~ x0 + x1", "g")
    slow = ml.random_intercept(df, "y ~ x0 + x1", "g", method="mixedlm")
    assert slow.path == ml.FALLBACK_PATH
    np.testing.assert_allclose(fast.fixed["estimate"], slow.fixed["estimate"], atol=1e-4)
    np.testing.assert_allclose(fast.variance["estimate"], slow.variance["estimate"], atol=1e-4)
    a = fast.random_effects.sort_values("g").reset_index(drop=True)
    b = slow.random_effects.sort_values("g").reset_index(drop=True)
    np.testing.assert_allclose(a["se"], b["se"], atol=1e-4)


def _lme4(model):
    fx = pd.read_csv(R_DIR / "lme4_reference_fixed.csv")
    vc = pd.read_csv(R_DIR / "lme4_reference_variance.csv")
    return fx[fx.model == model].set_index("term"), vc[vc.model == model].set_index("component")


def test_fast_path_equals_lme4():
    df = pd.read_csv(R_DIR / "multilevel_fixture.csv")
    fit = ml.random_intercept(df, "y ~ x1 + x2", "unit")
    fx, vc = _lme4("single")
    mine = fit.fixed.set_index("term")
    np.testing.assert_allclose(mine.loc[fx.index, "estimate"], fx["estimate"], atol=1e-4)
    np.testing.assert_allclose(mine.loc[fx.index, "se"], fx["se"], atol=1e-4)
    np.testing.assert_allclose(fit.variance["estimate"][0], vc.loc["unit", "estimate"], atol=1e-4)
    np.testing.assert_allclose(
        fit.variance["estimate"][1], vc.loc["Residual", "estimate"], atol=1e-4
    )
    np.testing.assert_allclose(fit.deviance, vc.loc["REMLcrit", "estimate"], atol=1e-4)
    re = pd.read_csv(R_DIR / "lme4_reference_ranef.csv").set_index("unit")
    mine_re = fit.random_effects.set_index("unit").loc[re.index]
    np.testing.assert_allclose(mine_re["estimate"], re["estimate"], atol=1e-4)
    np.testing.assert_allclose(mine_re["se"], re["se"], atol=1e-4)


def test_nested_fallback_equals_lme4():
    df = pd.read_csv(R_DIR / "multilevel_fixture.csv")
    fit = ml.random_intercept(df, "y ~ x1 + x2", ["gov", "unit"])
    assert fit.path == ml.FALLBACK_PATH
    fx, vc = _lme4("nested")
    mine = fit.fixed.set_index("term")
    np.testing.assert_allclose(mine.loc[fx.index, "estimate"], fx["estimate"], atol=1e-4)
    np.testing.assert_allclose(mine.loc[fx.index, "se"], fx["se"], atol=1e-4)
    var = fit.variance.set_index("component")["estimate"]
    np.testing.assert_allclose(var["gov"], vc.loc["gov", "estimate"], atol=1e-4)
    np.testing.assert_allclose(var["gov:unit"], vc.loc["unit:gov", "estimate"], atol=1e-4)
    np.testing.assert_allclose(var["residual"], vc.loc["Residual", "estimate"], atol=1e-4)
    assert set(fit.random_effects.columns) >= {"gov", "unit", "estimate", "n"}
    assert len(fit.random_effects) == df["unit"].nunique()


def test_recovers_truth_with_intervals():
    df = multilevel_fixture(seed=11, n_gov=1, units_per_gov=600, tau_gov=0.0, tau_unit=0.8)
    fit = ml.random_intercept(df, "y ~ x1 + x2", "unit")
    truth = {"Intercept": 2.0, "x1": 0.5, "x2": -0.3}
    for _, row in fit.fixed.iterrows():
        assert row.ci_low < truth[row.term] < row.ci_high, row
    var = fit.variance.set_index("component")["estimate"]
    assert abs(var["unit"] - 0.64) < 0.15
    assert abs(var["residual"] - 1.0) < 0.06
    icc = fit.variance.set_index("component")["icc"]["unit"]
    assert abs(icc - 0.64 / 1.64) < 0.06


def test_boundary_fit_is_flagged():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"g": np.repeat(np.arange(60), 5), "x": rng.normal(size=300)})
    df["y"] = 1 + df["x"] + rng.normal(size=300)  # no group effect at all
    fit = ml.random_intercept(df, "y ~ x", "g")
    ref = _mixedlm(df, "y ~ x")
    np.testing.assert_allclose(fit.variance["estimate"][0], ref.cov_re.iloc[0, 0], atol=1e-4)
    if fit.variance["estimate"][0] == 0:
        assert fit.singular


def test_formula_with_categories_and_missing_rows():
    df = _random_fixture(6, 100, 2, 0.5)
    df["cat"] = np.where(df["x1"] > 0, "a", "b")
    df.loc[::17, "x1"] = np.nan
    fit = ml.random_intercept(df, "y ~ x0 + C(cat)", "g")
    ref = sm.MixedLM.from_formula("y ~ x0 + C(cat)", df.dropna(subset=["x1"]).dropna(), groups="g")
    # Rows with NA only in an unused column are kept.
    assert fit.n_obs == len(df)
    assert fit.fixed["term"].tolist()[0] == "Intercept"
    assert ref is not None


def test_errors():
    df = _random_fixture(7, 30, 2, 0.5)
    with pytest.raises(InputError):
        ml.random_intercept(df, "y ~ x0", "nope")
    with pytest.raises(InputError):
        ml.random_intercept(df, "y ~ x0", ["g", "x1"], method="fast")
    df["x_copy"] = df["x0"] * 2
    with pytest.raises(EstimationError):
        ml.random_intercept(df, "y ~ x0 + x_copy", "g")


def test_random_slope_falls_back_to_mixedlm():
    df = _random_fixture(8, 60, 2, 0.7)
    fit = ml.random_intercept(df, "y ~ x0 + x1", "g", re_formula="~ x1")
    assert fit.path == ml.FALLBACK_PATH
    ref = sm.MixedLM.from_formula("y ~ x0 + x1", df, groups=df["g"], re_formula="~ x1").fit(
        reml=True, method="bfgs", gtol=1e-8
    )
    np.testing.assert_allclose(fit.fixed["estimate"], ref.fe_params, atol=1e-4)
    var = fit.variance.set_index("component")["estimate"]
    np.testing.assert_allclose(var["g"], ref.cov_re.iloc[0, 0], atol=1e-4)
    np.testing.assert_allclose(var["g:slope:x1"], ref.cov_re.iloc[1, 1], atol=1e-4)


# --------------------------------------------------------------- profile-likelihood intervals


def test_profile_intervals_equal_lme4_profile():
    # lme4 profiles the ML deviance (tests/r/lme4_profile_reference.R), so compare ML fits.
    df = pd.read_csv(R_DIR / "multilevel_fixture.csv")
    ref = pd.read_csv(R_DIR / "lme4_profile_reference.csv")
    for g in ("unit", "gov"):
        fit = ml.random_intercept(df, "y ~ x1 + x2", g, reml=False)
        r = ref[ref.model == g].set_index("component")
        mine = fit.variance.set_index("component")
        for c in (g, "residual"):
            np.testing.assert_allclose(mine.loc[c, ["ci_low", "ci_high"]].to_numpy(float),
                                       r.loc[c, ["ci_low", "ci_high"]].to_numpy(float),
                                       rtol=1e-6)  # fmt: skip
        lo, hi = mine.loc[g, "ci_low"], mine.loc[g, "ci_high"]
        assert lo < mine.loc[g, "estimate"] < hi


def _criterion(df, formula, g, lam, s2=None):
    """REML criterion at (lambda, sigma^2) by dense matrices (sigma^2 profiled if None)."""
    y, X, _, _ = ml.design(df, formula)
    codes = pd.factorize(df[g])[0]
    Z = np.eye(codes.max() + 1)[codes]
    H = np.eye(len(y)) + lam * Z @ Z.T
    Hi = np.linalg.inv(H)
    A = X.T @ Hi @ X
    b = np.linalg.solve(A, X.T @ Hi @ y)
    r = float((y - X @ b) @ Hi @ (y - X @ b))
    d = len(y) - X.shape[1]
    s2 = r / d if s2 is None else s2
    ld = np.linalg.slogdet(H)[1] + np.linalg.slogdet(A)[1]
    return d * np.log(2 * np.pi * s2) + ld + r / s2


def test_reml_profile_interval_ends_sit_on_the_cutoff():
    """At each end the REML criterion, minimised over the other parameter, is dev_min + chi2_1.

    Checked by dense-matrix algebra and a brute-force minimisation, independently
    of the fast path's sufficient statistics and Lambert-W projection.
    """
    from scipy import optimize, stats

    df = _random_fixture(9, 25, 2, 0.6)
    fit = ml.random_intercept(df, "y ~ x0 + x1", "g")
    cut = fit.deviance + stats.chi2.ppf(0.95, 1)
    v = fit.variance.set_index("component")
    for icc in (v.loc["g", "icc_ci_low"], v.loc["g", "icc_ci_high"]):
        lam = icc / (1 - icc)
        assert _criterion(df, "y ~ x0 + x1", "g", lam) == pytest.approx(cut, abs=1e-6)
    for tau2 in (v.loc["g", "ci_low"], v.loc["g", "ci_high"]):
        res = optimize.minimize_scalar(
            lambda u, t=tau2: _criterion(df, "y ~ x0 + x1", "g", np.exp(u), t / np.exp(u)),
            bounds=(-6, 3), method="bounded", options={"xatol": 1e-9},
        )  # fmt: skip
        assert res.fun == pytest.approx(cut, abs=1e-5)
    for s2 in (v.loc["residual", "ci_low"], v.loc["residual", "ci_high"]):
        res = optimize.minimize_scalar(
            lambda u, t=s2: _criterion(df, "y ~ x0 + x1", "g", np.exp(u), t),
            bounds=(-6, 3), method="bounded", options={"xatol": 1e-9},
        )  # fmt: skip
        assert res.fun == pytest.approx(cut, abs=1e-5)


def test_profile_intervals_at_the_boundary_and_on_the_mixedlm_path():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"g": np.repeat(np.arange(60), 5), "x": rng.normal(size=300)})
    e = rng.normal(size=300)
    e -= pd.Series(e).groupby(df["g"]).transform("mean").to_numpy()  # equal group means
    df["y"] = 1 + e
    fit = ml.random_intercept(df, "y ~ x", "g")
    assert fit.singular
    v = fit.variance.set_index("component")
    assert v.loc["g", "ci_low"] == 0.0 and v.loc["g", "icc_ci_low"] == 0.0
    assert 0 < v.loc["g", "icc_ci_high"] < 0.5
    assert (
        v.loc["residual", "ci_low"] < v.loc["residual", "estimate"] < v.loc["residual", "ci_high"]
    )
    slow = ml.random_intercept(_random_fixture(4, 60, 2, 0.6), "y ~ x0", "g", method="mixedlm")
    assert slow.variance[["ci_low", "ci_high", "icc_ci_low", "icc_ci_high"]].isna().all().all()


@pytest.mark.slow
def test_profile_interval_coverage():
    """Coverage of the 95 % profile intervals of the ICC and tau^2 over 1000 simulated data sets.

    Random intercept, 60 groups of 3-20, ICC 0.1. Binomial SE of a 95 % rate over
    1000 replicates: 0.007; accepted 0.93-0.97.
    """
    hits_icc, hits_tau = [], []
    for seed in range(1000):
        rng = np.random.default_rng(10_000 + seed)
        n_g = rng.integers(3, 21, 60)
        g = np.repeat(np.arange(60), n_g)
        x = rng.normal(size=len(g))
        y = 1 + 0.5 * x + rng.normal(0, np.sqrt(0.1 / 0.9), 60)[g] + rng.normal(size=len(g))
        v = ml.random_intercept(pd.DataFrame({"g": g, "x": x, "y": y}), "y ~ x", "g").variance
        hits_icc.append(v["icc_ci_low"][0] <= 0.1 <= v["icc_ci_high"][0])
        hits_tau.append(v["ci_low"][0] <= 0.1 / 0.9 <= v["ci_high"][0])
    cov_icc, cov_tau = np.mean(hits_icc), np.mean(hits_tau)
    print(f"profile interval coverage: ICC {cov_icc:.3f}, tau^2 {cov_tau:.3f}")
    assert 0.93 <= cov_icc <= 0.97
    assert 0.93 <= cov_tau <= 0.97
