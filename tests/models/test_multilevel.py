"""Tests of berakhlak_research.models.multilevel: fast path vs MixedLM and lme4, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.models import multilevel as ml
from tests._data import R_DIR
from tests._data.chain import multilevel_fixture


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


@pytest.mark.parametrize("method", ["mixedlm", "auto"])
def test_nested_fallback_equals_lme4(method):
    """lme4 ``(1 | gov) + (1 | gov:unit)``: on MixedLM and on the nested fast path."""
    df = pd.read_csv(R_DIR / "multilevel_fixture.csv")
    fit = ml.random_intercept(df, "y ~ x1 + x2", ["gov", "unit"], method=method)
    assert fit.path == (ml.FALLBACK_PATH if method == "mixedlm" else ml.FAST_PATH)
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
    # Nested groups now run on the fast path; random slopes still cannot.
    with pytest.raises(InputError):
        ml.random_intercept(df, "y ~ x0", ["g"], re_formula="~ x1", method="fast")
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
    # The MixedLM path profiles the same criterion: the same intervals as the fast path.
    df = _random_fixture(4, 60, 2, 0.6)
    fast = ml.random_intercept(df, "y ~ x0", "g")
    slow = ml.random_intercept(df, "y ~ x0", "g", method="mixedlm")
    cols = ["ci_low", "ci_high", "icc_ci_low", "icc_ci_high"]
    np.testing.assert_allclose(slow.variance[cols], fast.variance[cols], rtol=1e-6)


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


# ------------------------------------------- profile intervals on the MixedLM path (nested, slopes)

NESTED = "y ~ x1 + x2"


def _nested_reference(model: str, fit: str) -> pd.DataFrame:
    """lme4 rows of tests/r/multilevel_nested_reference.csv for a fit, profiling its own criterion."""
    ref = pd.read_csv(R_DIR / "multilevel_nested_reference.csv")
    sel = (ref.model == model) & (ref.fit == fit) & (ref.profile == fit)
    return ref[sel].set_index("component")


def _assert_components_match(mine, ref, components, estimate_rtol):
    """Each component's estimate (to the optimiser's agreement) and profile interval (to
    1e-6) equal lme4's, and the interval holds the estimate."""
    for c in components:
        assert mine.loc[c, "estimate"] == pytest.approx(ref.loc[c, "estimate"], rel=estimate_rtol)
        np.testing.assert_allclose(
            mine.loc[c, ["ci_low", "ci_high"]].to_numpy(float),
            ref.loc[c, ["ci_low", "ci_high"]].to_numpy(float),
            rtol=1e-6,
        )
        assert mine.loc[c, "ci_low"] < mine.loc[c, "estimate"] < mine.loc[c, "ci_high"]


@pytest.mark.parametrize("method", ["mixedlm", "fast"])
@pytest.mark.parametrize("reml", [False, True])
def test_nested_profile_intervals_equal_lme4(reml, method):
    """Units in 10 governments: estimates and 95 % profile intervals vs lme4 1.1-31.

    ML: lme4's ``confint(profile(fit))``. REML: lme4's profiler run on the REML
    criterion (see the R script; lme4's default refits REML models by ML). The
    MixedLM optimum agrees with lme4's to ~2e-7 (relative) on the few-governments
    variance; the interval ends do not depend on it (the criterion's minimum is
    re-polished) and agree to ~1e-11, so 1e-6 leaves room only for lme4's
    spline inversion of its profile (delta = 0.01).
    """
    df = pd.read_csv(R_DIR / "multilevel_nested_fixture.csv")
    fit = ml.random_intercept(df, NESTED, ["gov", "unit"], reml=reml, method=method)
    assert fit.path == (ml.FALLBACK_PATH if method == "mixedlm" else ml.FAST_PATH)
    ref = _nested_reference("nested", "REML" if reml else "ML")
    mine = fit.variance.set_index("component")
    assert fit.deviance == pytest.approx(ref["deviance"].iloc[0], abs=1e-6)
    _assert_components_match(mine, ref, ("gov", "gov:unit", "residual"), estimate_rtol=1e-5)
    for c in ("gov", "gov:unit"):
        assert mine.loc[c, "icc_ci_low"] < mine.loc[c, "icc"] < mine.loc[c, "icc_ci_high"]
    assert mine[["icc_ci_low", "icc_ci_high"]].loc["residual"].isna().all()


def test_lme4_reference_profiles_ml_for_reml_fits():
    """lme4's default profile of a REML fit is the ML one; ours profiles REML (as the fast path)."""
    ref = pd.read_csv(R_DIR / "multilevel_nested_reference.csv")
    ref = ref[ref.model == "nested"]
    cols = ["ci_low", "ci_high"]
    ml_fit = ref[(ref.fit == "ML")].set_index("component")[cols]
    reml_default = ref[(ref.fit == "REML") & (ref.profile == "ML")].set_index("component")[cols]
    np.testing.assert_allclose(reml_default, ml_fit.loc[reml_default.index], rtol=1e-8)
    df = pd.read_csv(R_DIR / "multilevel_nested_fixture.csv")
    mine = ml.random_intercept(df, NESTED, ["gov", "unit"]).variance.set_index("component")
    # The REML upper end of the few-governments variance is ~20 % above the ML one.
    assert mine.loc["gov", "ci_high"] > 1.1 * ml_fit.loc["gov", "ci_high"]


@pytest.mark.parametrize("reml", [False, True])
def test_random_slope_profile_intervals_equal_lme4(reml):
    """Correlated intercept and x1 slope by unit: intervals vs lme4 (correlation profiled out)."""
    df = pd.read_csv(R_DIR / "multilevel_nested_fixture.csv")
    fit = ml.random_intercept(df, "y_slope ~ x1 + x2", "unit", re_formula="~ x1", reml=reml)
    ref = _nested_reference("slope", "REML" if reml else "ML")
    mine = fit.variance.set_index("component")
    _assert_components_match(mine, ref, ("unit", "unit:slope:x1", "residual"), estimate_rtol=1e-4)
    assert (
        mine.loc["unit", "icc_ci_low"] < mine.loc["unit", "icc"] < mine.loc["unit", "icc_ci_high"]
    )
    assert mine.loc["unit:slope:x1", ["icc", "icc_ci_low", "icc_ci_high"]].isna().all()


def _small_nested(seed: int, tau_gov: float, n_gov: int = 6, units: int = 6):
    rng = np.random.default_rng(seed)
    n_u = rng.integers(1, 9, n_gov * units)
    unit = np.repeat(np.arange(n_gov * units), n_u)
    gov = unit // units
    x1 = rng.normal(size=len(unit))
    y = 1 + 0.5 * x1 + rng.normal(0, tau_gov, n_gov)[gov] + rng.normal(0, 0.7, n_gov * units)[unit]
    y = y + rng.normal(size=len(unit))
    return pd.DataFrame({"y": y, "x1": x1, "gov": gov, "unit": unit % units})


def _dense_nested(df, reml=True):
    """Criterion of ``y ~ x1 + (1 | gov) + (1 | gov:unit)`` by dense matrices.

    Returns ``f(lam_gov, lam_unit, s2=None)``, with sigma^2 profiled out when None.
    """
    y = df["y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), df["x1"]])
    Zg = np.eye(df["gov"].max() + 1)[df["gov"]]
    Zu = pd.get_dummies(df["gov"].astype(str) + "/" + df["unit"].astype(str)).to_numpy(float)
    Gg, Gu, eye = Zg @ Zg.T, Zu @ Zu.T, np.eye(len(y))
    d = len(y) - X.shape[1] if reml else len(y)

    def f(lam_gov, lam_unit, s2=None):
        H = eye + lam_gov * Gg + lam_unit * Gu
        Hi = np.linalg.inv(H)
        A = X.T @ Hi @ X
        e = y - X @ np.linalg.solve(A, X.T @ Hi @ y)
        r = float(e @ Hi @ e)
        s2 = r / d if s2 is None else s2
        dev = d * np.log(2 * np.pi * s2) + np.linalg.slogdet(H)[1] + r / s2
        return dev + (np.linalg.slogdet(A)[1] if reml else 0.0)

    return f


@pytest.mark.parametrize("reml", [False, True])
def test_nested_interval_ends_sit_on_the_cutoff(reml):
    """At each end, the criterion minimised over the other parameters is dev_min + chi2_1.

    Dense-matrix algebra and a generic minimiser, independent of the per-group sums:
    variance ends hold that variance fixed; ICC ends hold the ICC fixed.
    """
    from scipy import optimize, stats

    df = _small_nested(12, tau_gov=0.8)
    fit = ml.random_intercept(df, "y ~ x1", ["gov", "unit"], reml=reml)
    v = fit.variance.set_index("component")
    dense = _dense_nested(df, reml)
    best = optimize.minimize(lambda t: dense(*np.exp(t)), [0.0, 0.0],
                             method="Nelder-Mead", options={"fatol": 1e-10, "xatol": 1e-8})  # fmt: skip
    cut = best.fun + stats.chi2.ppf(0.95, 1)
    assert best.fun == pytest.approx(fit.deviance, abs=1e-5)

    def low(f, x0):
        return optimize.minimize(f, x0, method="Nelder-Mead",
                                 options={"fatol": 1e-8, "xatol": 1e-6, "maxfev": 4000}).fun  # fmt: skip

    for x in v.loc["gov", ["ci_low", "ci_high"]]:  # over (theta_unit, log s2)
        f = lambda z, x=x: dense(x / np.exp(z[1]), z[0] ** 2, np.exp(z[1]))  # noqa: E731
        assert low(f, [0.7, 0.0]) == pytest.approx(cut, abs=1e-5)
    for x in v.loc["gov:unit", ["ci_low", "ci_high"]]:
        f = lambda z, x=x: dense(z[0] ** 2, x / np.exp(z[1]), np.exp(z[1]))  # noqa: E731
        assert low(f, [0.7, 0.0]) == pytest.approx(cut, abs=1e-5)
    for x in v.loc["residual", ["ci_low", "ci_high"]]:
        f = lambda z, x=x: dense(z[0] ** 2, z[1] ** 2, x)  # noqa: E731
        assert low(f, [0.7, 0.7]) == pytest.approx(cut, abs=1e-5)
    for c in v.loc["gov", ["icc_ci_low", "icc_ci_high"]]:  # over lambda_unit
        f = lambda z, c=c: dense(c * (1 + z[0] ** 2) / (1 - c), z[0] ** 2)  # noqa: E731
        assert low(f, [0.7]) == pytest.approx(cut, abs=1e-5)
    for c in v.loc["gov:unit", ["icc_ci_low", "icc_ci_high"]]:
        f = lambda z, c=c: dense(z[0] ** 2, c * (1 + z[0] ** 2) / (1 - c))  # noqa: E731
        assert low(f, [0.7]) == pytest.approx(cut, abs=1e-5)


def test_nested_interval_reaching_zero_gives_zero():
    from scipy import optimize, stats

    # No government effect at all: equal government means of y (a singular fit).
    df = _small_nested(3, tau_gov=0.0)
    df["y"] -= df.groupby("gov")["y"].transform("mean") - df["y"].mean()
    fit = ml.random_intercept(df, "y ~ 1", ["gov", "unit"])
    assert fit.singular
    v = fit.variance.set_index("component")
    assert v.loc["gov", "ci_low"] == 0.0 and v.loc["gov", "icc_ci_low"] == 0.0
    assert v.loc["gov", "estimate"] <= v.loc["gov", "ci_high"] and v.loc["gov", "ci_high"] > 0
    # A positive estimate whose interval still reaches 0 (few governments, no effect).
    df = _small_nested(1, tau_gov=0.0)
    fit = ml.random_intercept(df, "y ~ x1", ["gov", "unit"])
    v = fit.variance.set_index("component")
    assert v.loc["gov", "estimate"] > 0
    assert v.loc["gov", "ci_low"] == 0.0 and v.loc["gov", "icc_ci_low"] == 0.0
    # ... because the criterion at tau_gov^2 = 0, minimised over the rest, is within the cut-off.
    dense = _dense_nested(df)
    at0 = optimize.minimize_scalar(lambda t: dense(0.0, np.exp(t)), bounds=(-8, 3),
                                   method="bounded", options={"xatol": 1e-9}).fun  # fmt: skip
    assert at0 <= fit.deviance + stats.chi2.ppf(0.95, 1)
    assert v.loc["gov:unit", "ci_low"] > 0


def test_three_level_nesting_and_unsupported_combination():
    df = _small_nested(5, tau_gov=0.6, n_gov=8)
    df["team"] = np.arange(len(df)) % 2  # teams within units
    fit = ml.random_intercept(df, "y ~ x1", ["gov", "unit", "team"], reml=False, method="mixedlm")
    v = fit.variance.set_index("component")
    assert list(v.index) == ["gov", "gov:unit", "gov:unit:team", "residual"]
    # The per-group-sum criterion is statsmodels' log-likelihood at its optimum.
    assert fit.deviance == pytest.approx(-2 * fit.result.llf, abs=1e-8)
    for c in v.index:
        assert v.loc[c, "ci_low"] <= v.loc[c, "estimate"] <= v.loc[c, "ci_high"]
        assert np.isfinite(v.loc[c, "ci_high"])
    # Nested levels with random slopes: no intervals (documented).
    both = ml.random_intercept(df, "y ~ x1", ["gov", "unit"], re_formula="~ x1")
    assert both.variance[["ci_low", "ci_high", "icc_ci_low", "icc_ci_high"]].isna().all().all()


def test_nested_intervals_recover_the_truth():
    """One large simulated data set: every true variance and ICC lies in its interval."""
    df = multilevel_fixture(seed=21, n_gov=15, units_per_gov=20, tau_gov=0.6, tau_unit=0.8)
    fit = ml.random_intercept(df, NESTED, ["gov", "unit"])
    v = fit.variance.set_index("component")
    truth = {"gov": 0.36, "gov:unit": 0.64, "residual": 1.0}
    for c, t in truth.items():
        assert v.loc[c, "ci_low"] < t < v.loc[c, "ci_high"], (c, v.loc[c])
    for c in ("gov", "gov:unit"):
        icc = truth[c] / 2.0
        assert v.loc[c, "icc_ci_low"] < icc < v.loc[c, "icc_ci_high"], (c, v.loc[c])


@pytest.mark.slow
def test_nested_profile_interval_coverage():
    """Coverage of the 95 % REML profile intervals, units nested in few governments.

    400 simulated data sets: 8 governments x 10 units x 2-8 respondents, variances
    gov 0.2, unit 0.3, residual 1. Binomial SE of a 95 % rate over 400: 0.011;
    accepted 0.92-0.98 for the unit variance, unit ICC and residual (80 units).
    The government variance (8 groups) is reported but held to 0.90 only: with
    so few groups the chi2_1 calibration is itself approximate. Observed (about
    6 minutes): gov 0.948, unit 0.950, unit ICC 0.950, residual 0.933.
    """
    hits = {k: [] for k in ("gov", "unit", "unit_icc", "residual")}
    for seed in range(400):
        rng = np.random.default_rng(20_000 + seed)
        n_u = rng.integers(2, 9, 80)
        unit = np.repeat(np.arange(80), n_u)
        gov = unit // 10
        x = rng.normal(size=len(unit))
        y = 1 + 0.5 * x + rng.normal(0, np.sqrt(0.2), 8)[gov]
        y = y + rng.normal(0, np.sqrt(0.3), 80)[unit] + rng.normal(size=len(unit))
        df = pd.DataFrame({"y": y, "x": x, "gov": gov, "unit": unit})
        v = ml.random_intercept(df, "y ~ x", ["gov", "unit"]).variance.set_index("component")
        hits["gov"].append(v.loc["gov", "ci_low"] <= 0.2 <= v.loc["gov", "ci_high"])
        hits["unit"].append(v.loc["gov:unit", "ci_low"] <= 0.3 <= v.loc["gov:unit", "ci_high"])
        icc = v.loc["gov:unit", ["icc_ci_low", "icc_ci_high"]]
        hits["unit_icc"].append(icc.iloc[0] <= 0.3 / 1.5 <= icc.iloc[1])
        hits["residual"].append(v.loc["residual", "ci_low"] <= 1.0 <= v.loc["residual", "ci_high"])
    cov = {k: float(np.mean(h)) for k, h in hits.items()}
    print("nested profile interval coverage:", cov)
    for k in ("unit", "unit_icc", "residual"):
        assert 0.92 <= cov[k] <= 0.98, cov
    assert cov["gov"] >= 0.90, cov


@pytest.mark.parametrize("levels", [["gov", "unit"], ["gov", "unit", "team"]])
def test_nested_blups_and_conditional_se_equal_the_dense_posterior(levels):
    """Innermost BLUP = outer + every ancestor's effect + its own; its SE the square root
    of e' C e, C = Lambda - Lambda Z' V^-1 Z Lambda the conditional covariance (beta at its
    estimate, as lme4's condVar), computed here by dense matrices."""
    df = _small_nested(7, tau_gov=0.6, n_gov=5)
    df["team"] = np.arange(len(df)) % 2
    fit = ml.random_intercept(df, "y ~ x1", levels)
    v = fit.variance.set_index("component")["estimate"]
    y = df["y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), df["x1"]])
    beta = fit.fixed.set_index("term").loc[["Intercept", "x1"], "estimate"].to_numpy()
    keys = [df[levels[0]].astype(str)]
    for c in levels[1:]:
        keys.append(keys[-1] + "/" + df[c].astype(str))
    Z_blocks = [pd.get_dummies(k).to_numpy(float) for k in keys]  # outer level first
    names = [":".join(levels[: i + 1]) for i in range(len(levels))]
    Z = np.hstack(Z_blocks)
    lam = np.concatenate([np.full(b.shape[1], v[n]) for b, n in zip(Z_blocks, names, strict=True)])
    V = (Z * lam) @ Z.T + v["residual"] * np.eye(len(y))
    Vi_Zl = np.linalg.solve(V, Z * lam)
    u = Vi_Zl.T @ (y - X @ beta)
    C = np.diag(lam) - (Z * lam).T @ Vi_Zl
    # Each innermost group's column of ancestors: rows of Z for its first observation.
    first = pd.Series(np.arange(len(y))).groupby(keys[-1].to_numpy()).first()
    E = Z[first.to_numpy()]
    dense = pd.DataFrame(
        {
            "key": first.index,
            "estimate": E @ u,
            "se": np.sqrt(np.einsum("ij,jk,ik->i", E, C, E)),
        }
    ).set_index("key")
    got = fit.random_effects.copy()
    got["key"] = got[levels].astype(str).agg("/".join, axis=1)
    got = got.set_index("key").loc[dense.index]
    np.testing.assert_allclose(got["estimate"], dense["estimate"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got["se"], dense["se"], rtol=1e-6)
    assert (got["ci_low"] < got["estimate"]).all() and (got["estimate"] < got["ci_high"]).all()


# ------------------------------------------------------ nested random intercepts, fast path


@pytest.mark.parametrize("reml", [False, True])
def test_nested_fast_path_equals_lme4_at_three_levels(reml):
    """Teams in units in governments vs lme4 (tests/r/multilevel_three_level_reference.R).

    The team variance sits at its boundary: lme4 and the fast path reach it (criterion
    equal to 1e-6), statsmodels' MixedLM stops inside with a criterion about 1 higher.
    Both paths profile the same criterion from its re-polished minimum, so their
    intervals agree even there.
    """
    df = pd.read_csv(R_DIR / "multilevel_three_level_fixture.csv")
    again = _small_nested(5, tau_gov=0.6, n_gov=8)
    again["team"] = np.arange(len(again)) % 2
    pd.testing.assert_frame_equal(df, again, check_dtype=False)  # the fixture's source
    ref = pd.read_csv(R_DIR / "multilevel_three_level_reference.csv")
    ref = ref[ref.fit == ("REML" if reml else "ML")]
    levels = ["gov", "unit", "team"]
    fast = ml.random_intercept(df, "y ~ x1", levels, reml=reml)
    assert fast.path == ml.FAST_PATH and fast.singular
    crit = ref.loc[ref.kind == "criterion", "value"].iloc[0]
    assert fast.deviance == pytest.approx(crit, abs=1e-6)
    var = ref[ref.kind == "variance"].set_index("name")["value"]
    mine = fast.variance.set_index("component")["estimate"]
    names = {"gov": "gov", "gov:unit": "gov:unit", "gov:unit:team": "gov:unit:team",
             "residual": "Residual"}  # fmt: skip
    for c, r in names.items():
        assert mine[c] == pytest.approx(var[r], abs=1e-4), c
    fx = ref[ref.kind == "fixed"].set_index("name")
    got = fast.fixed.set_index("term")
    for t, r in (("Intercept", "(Intercept)"), ("x1", "x1")):
        assert got.loc[t, "estimate"] == pytest.approx(fx.loc[r, "value"], abs=1e-4)
        assert got.loc[t, "se"] == pytest.approx(fx.loc[r, "se"], abs=1e-4)
    slow = ml.random_intercept(df, "y ~ x1", levels, reml=reml, method="mixedlm")
    assert slow.deviance > fast.deviance + 0.5  # MixedLM's interior stop (see above)
    cols = ["ci_low", "ci_high", "icc_ci_low", "icc_ci_high"]
    np.testing.assert_allclose(
        fast.variance[cols].to_numpy(float), slow.variance[cols].to_numpy(float),
        rtol=1e-4, atol=1e-6,
    )  # fmt: skip
    assert list(fast.variance["n_groups"]) == list(slow.variance["n_groups"])
    assert len(fast.random_effects) == len(slow.random_effects)


def test_nested_fast_path_keys_units_by_government():
    """A unit code reused by two governments is two units: relabelling the units 0, 1, ...
    within each government (as real unit_code is) changes nothing, while the same codes
    fitted as one grouping column would pool them."""
    df = pd.read_csv(R_DIR / "multilevel_nested_fixture.csv")
    relabelled = df.assign(unit=df.groupby("gov")["unit"].transform(lambda s: pd.factorize(s)[0]))
    assert relabelled.groupby("unit")["gov"].nunique().max() > 1  # codes repeat
    a = ml.random_intercept(df, NESTED, ["gov", "unit"])
    b = ml.random_intercept(relabelled, NESTED, ["gov", "unit"])
    cols = ["estimate", "ci_low", "ci_high", "n_groups"]
    np.testing.assert_allclose(a.variance[cols].to_numpy(float), b.variance[cols].to_numpy(float))
    assert len(b.random_effects) == df["unit"].nunique()
    np.testing.assert_allclose(
        np.sort(a.random_effects["estimate"]), np.sort(b.random_effects["estimate"])
    )


def test_nested_fast_path_profiles_in_two_processes_identically():
    """The interval searches give the same numbers in forked workers as in one process."""
    from berakhlak_research.models.multilevel import _nested, _profile

    df = _small_nested(12, tau_gov=0.8)
    y, X, _, keep = ml.design(df, "y ~ x1", extra=("gov", "unit"))
    crit = _nested.NestedCriterion(y, X, _nested.nested_codes(df, ["gov", "unit"], keep), True)
    psi = np.array([0.8, 0.7])
    one = _profile.mixed_profile_intervals(crit, psi, [0, 1], 0.95, n_jobs=1)
    two = _profile.mixed_profile_intervals(crit, psi, [0, 1], 0.95, n_jobs=2)
    for x, z in zip(one, two, strict=True):
        np.testing.assert_array_equal(x, z)
