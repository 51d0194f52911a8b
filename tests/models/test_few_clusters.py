"""Few-cluster inference: the policy, the restricted wild cluster bootstrap, randomisation inference."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.models import did
from berakhlak_research.models import few_clusters as fc
from berakhlak_research.simulate.did import staggered_panel

Y, UNIT, TIME, G = "culture_overall", "_unit", "wave", "first_treated"


def _panel(n_gov=7, seed=3, **kw):
    panel, truth = staggered_panel(n_units=8 * n_gov, units_per_gov=8, seed=seed, **kw)
    return panel.assign(_unit=panel["gov_code"] + "|" + panel["unit_code"]), truth


# ---- policy ------------------------------------------------------------------------------------
def test_policy_threshold():
    few = fc.few_clusters_policy(7)
    assert few.few and few.inference == "wild_cluster_bootstrap" and few.caveat == "few_clusters"
    assert "7 governments" in few.note()
    many = fc.few_clusters_policy(20)
    assert not many.few and many.inference == "cluster_robust" and many.caveat is None
    assert fc.few_clusters_policy(20, threshold=30).few
    with pytest.raises(InputError):
        fc.few_clusters_policy(0)
    with pytest.raises(InputError):
        fc.few_clusters_policy("x")


# ---- wild cluster bootstrap vs brute force -----------------------------------------------------
def _brute_force_p(y, Xfull, cl, j, null=0.0):
    """WCR p-value by enumerating every Rademacher draw, refitting OLS with dummies each time."""
    codes_, uniq = pd.factorize(cl)
    Gn = len(uniq)
    n, k = Xfull.shape

    def tstat(yy):
        beta, *_ = np.linalg.lstsq(Xfull, yy, rcond=None)
        e = yy - Xfull @ beta
        XtXi = np.linalg.pinv(Xfull.T @ Xfull)
        sc = np.zeros((Gn, k))
        np.add.at(sc, codes_, Xfull * e[:, None])
        V = XtXi @ (sc.T @ sc) @ XtXi
        return (beta[j] - null) / np.sqrt(V[j, j])

    # Restricted fit: move the tested column's null part to the left-hand side.
    keep = [c for c in range(k) if c != j]
    yr = y - null * Xfull[:, j]
    br, *_ = np.linalg.lstsq(Xfull[:, keep], yr, rcond=None)
    fit0 = Xfull[:, keep] @ br + null * Xfull[:, j]
    u0 = y - fit0
    t_obs = tstat(y)
    ts = []
    for v in itertools.product([-1.0, 1.0], repeat=Gn):  # 2^6 = 64 draws: the reference loops
        ts.append(tstat(fit0 + u0 * np.asarray(v)[codes_]))
    ts = np.abs(np.asarray(ts))
    return float(np.mean(ts >= abs(t_obs) * (1 - 1e-10))), t_obs


@pytest.mark.parametrize("null", [0.0, 0.7])
def test_wcr_equals_brute_force_enumeration(null):
    rng = np.random.default_rng(11)
    n_gov, per, T = 6, 3, 4
    gov = np.repeat(np.arange(n_gov), per * T)
    unit = np.repeat(np.arange(n_gov * per), T)
    wave = np.tile(np.arange(T), n_gov * per)
    x = rng.normal(size=len(gov)) + 0.5 * rng.normal(size=n_gov)[gov]
    y = 0.4 * x + rng.normal(size=n_gov)[gov] + rng.normal(size=n_gov * per)[unit]
    y = y + 0.3 * wave + rng.normal(size=len(gov)) * (1 + gov / 3)
    df = pd.DataFrame({"y": y, "x": x, "gov": gov, "unit": unit, "wave": wave})
    res = fc.wild_bootstrap_ols(
        df, "y", "x", cluster="gov", dummies=["wave"], fixed_effects=["unit"], null=null,
        n_boot=999, multipliers="rademacher",
    )  # fmt: skip
    # Reference: unit and wave dummies in the design, no fixed-effect algebra.
    Xfull = np.column_stack(
        [x, pd.get_dummies(unit).to_numpy(float), pd.get_dummies(wave).to_numpy(float)[:, 1:]]
    )
    p_ref, t_ref = _brute_force_p(y, Xfull, gov, 0, null)
    assert bool(res["exact"].iloc[0]) and int(res["n_draws"].iloc[0]) == 2**n_gov
    assert res["p_value"].iloc[0] == pytest.approx(p_ref, abs=1e-12)
    # t without the small-sample factor equals the reference's plain sandwich t.
    n, k = len(y), 1 + 3
    cfac = n_gov / (n_gov - 1) * (n - 1) / (n - k)
    assert res.attrs["t_stat"] * np.sqrt(cfac) == pytest.approx(t_ref, rel=1e-8)


def test_wcr_pvalue_invariant_to_rescaling_y():
    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(9), 12)
    x = rng.normal(size=len(g))
    y = 0.2 * x + rng.normal(size=9)[g] + rng.normal(size=len(g))
    X = np.column_stack([x, np.ones_like(x)])
    a = fc.wild_cluster_bootstrap(y, X, g, 0, n_boot=1999, seed=4)
    b = fc.wild_cluster_bootstrap(1000.0 * y + 0.0, X, g, 0, n_boot=1999, seed=4)
    assert a["p_value"].iloc[0] == b["p_value"].iloc[0]
    assert b["ci_low"].iloc[0] == pytest.approx(1000 * a["ci_low"].iloc[0], rel=1e-6)
    assert b["ci_high"].iloc[0] == pytest.approx(1000 * a["ci_high"].iloc[0], rel=1e-6)


def test_wcr_interval_is_the_inverted_test():
    rng = np.random.default_rng(8)
    g = np.repeat(np.arange(8), 10)
    x = rng.normal(size=len(g)) + rng.normal(size=8)[g]
    y = 1.0 * x + rng.normal(size=8)[g] + rng.normal(size=len(g))
    X = np.column_stack([x, np.ones_like(x)])
    res = fc.wild_cluster_bootstrap(y, X, g, 0, n_boot=999, seed=1).iloc[0]
    assert res["ci_low"] < res["estimate"] < res["ci_high"]
    eps = 1e-3 * res["se"]
    inside = [res["ci_low"] + eps, res["ci_high"] - eps]
    outside = [res["ci_low"] - 50 * eps, res["ci_high"] + 50 * eps]
    for th in inside:
        p = fc.wild_cluster_bootstrap(y, X, g, 0, null=th, n_boot=999, seed=1, ci=False)
        assert p["p_value"].iloc[0] > 0.05
    for th in outside:
        p = fc.wild_cluster_bootstrap(y, X, g, 0, null=th, n_boot=999, seed=1, ci=False)
        assert p["p_value"].iloc[0] <= 0.05


def test_wcr_size_and_coverage_small_monte_carlo():
    """Under H0 the 5 % test rejects about 5 % of the time; the interval holds the truth."""
    rng = np.random.default_rng(2024)
    reps, n_gov, per = 300, 8, 10
    g = np.repeat(np.arange(n_gov), per)
    rejects, covered = 0, 0
    for r in range(reps):  # Monte Carlo replications, each one vectorised fit
        x = rng.normal(size=len(g)) + rng.normal(size=n_gov)[g]
        y = 2.0 + 0.5 * x + rng.normal(size=n_gov)[g] + rng.normal(size=len(g))
        X = np.column_stack([x, np.ones_like(x)])
        res = fc.wild_cluster_bootstrap(
            y, X, g, 0, null=0.5, n_boot=199, seed=r, ci=r < 100
        ).iloc[0]  # fmt: skip
        rejects += res["p_value"] <= 0.05
        if r < 100:
            covered += res["ci_low"] <= 0.5 <= res["ci_high"]
    rate = rejects / reps
    # Monte Carlo SE of a 5 % rate over 300 replications is 1.3 points.
    assert 0.015 <= rate <= 0.095, rate
    assert covered >= 88, covered


def test_wcr_refuses_crossed_fixed_effects_and_bad_input():
    df = pd.DataFrame({"y": np.arange(40.0) % 7, "x": np.arange(40.0) % 3,
                       "gov": np.repeat(np.arange(4), 10), "wave": np.tile(np.arange(4), 10)})  # fmt: skip
    with pytest.raises(InputError, match="not nested"):
        fc.wild_bootstrap_ols(df, "y", "x", cluster="gov", fixed_effects=["wave"])
    with pytest.raises(InputError):
        fc.wild_cluster_bootstrap(df["y"], df[["x"]], df["gov"], 0, multipliers="mammen")
    with pytest.raises(EstimationError):
        fc.wild_cluster_bootstrap(df["y"], df[["x"]], np.zeros(40), 0)


# ---- DiD ---------------------------------------------------------------------------------------
def test_did_wild_bootstrap_estimates_are_the_did_estimates():
    panel, _ = _panel()
    st = did.staggered_att(panel, Y, UNIT, TIME, G, control="notyet", cluster="gov_code",
                           n_boot=0).table.iloc[0]  # fmt: skip
    w = fc.did_wild_bootstrap(panel, Y, UNIT, TIME, G, cluster="gov_code", n_boot=999).iloc[0]
    assert w["estimate"] == pytest.approx(st["estimate"], rel=1e-10)
    assert w["ci_low"] < w["estimate"] < w["ci_high"] and 0 < w["p_value"] <= 1
    tw = did.twfe(panel.assign(treated=panel["treated"].astype(float)), Y, UNIT, TIME, "treated",
                  cluster="gov_code").iloc[0]  # fmt: skip
    wt = fc.did_wild_bootstrap(
        panel, Y, UNIT, TIME, G, cluster="gov_code", estimator="twfe", n_boot=999
    ).iloc[0]
    assert wt["estimate"] == pytest.approx(tw["estimate"], rel=1e-10)
    # CR1 on the same design: only the small-sample K differs (wave dummies counted here).
    assert wt["se"] == pytest.approx(tw["se"], rel=0.02)


# ---- randomisation inference -------------------------------------------------------------------
def test_ri_equals_loop_over_every_assignment():
    """Exact RI p-value equals a loop that refits staggered_att for every distinct timing."""
    panel, _ = _panel(n_gov=5, seed=9, cohorts={2023: 0.2, 2024: 0.4})
    res = fc.randomization_inference(panel, Y, UNIT, TIME, G, cluster="gov_code").iloc[0]
    gov = panel.drop_duplicates("gov_code").set_index("gov_code")[G]
    perms = sorted(set(itertools.permutations(gov.to_numpy())))
    assert res["exact"] and res["n_draws"] == len(perms) == 30
    effs = []
    for perm in perms:  # the reference: one full staggered_att per assignment
        m = dict(zip(gov.index, perm, strict=True))
        p = panel.assign(first_treated=panel["gov_code"].map(m))
        try:
            effs.append(did.staggered_att(p, Y, UNIT, TIME, G, control="notyet",
                                          n_boot=0).table.iloc[0]["estimate"])  # fmt: skip
        except EstimationError:
            continue
    obs = did.staggered_att(panel, Y, UNIT, TIME, G, control="notyet", n_boot=0).table
    assert res["estimate"] == pytest.approx(obs.iloc[0]["estimate"], rel=1e-10)
    effs = np.abs(np.asarray(effs))
    assert res["p_value"] == pytest.approx(np.mean(effs >= abs(res["estimate"]) * (1 - 1e-10)))


def test_ri_twfe_and_random_draws():
    panel, _ = _panel(n_gov=12, seed=4)
    tw = did.twfe(panel.assign(treated=panel["treated"].astype(float)), Y, UNIT, TIME, "treated",
                  cluster="gov_code").iloc[0]  # fmt: skip
    r = fc.randomization_inference(panel, Y, UNIT, TIME, G, cluster="gov_code",
                                   estimator="twfe", n_perm=499, seed=1).iloc[0]  # fmt: skip
    assert r["estimate"] == pytest.approx(tw["estimate"], rel=1e-10)
    assert not r["exact"] and r["n_draws"] == 500
    # A large effect: the observed assignment is extreme among the permutations.
    big = panel.assign(**{Y: panel[Y] + 30.0 * panel["treated"]})
    rb = fc.randomization_inference(big, Y, UNIT, TIME, G, cluster="gov_code", n_perm=499)
    assert rb["p_value"].iloc[0] < 0.02


def test_ri_refuses_timing_within_government():
    panel, _ = _panel(n_gov=6, assign="unit")
    with pytest.raises(InputError, match="varies within"):
        fc.randomization_inference(panel, Y, UNIT, TIME, G, cluster="gov_code")


# ---- value chain -------------------------------------------------------------------------------
def test_value_chain_tables_add_wild_rows_with_few_governments():
    from berakhlak_research.models import value_chain
    from tests._data.chain import value_chain_fixture

    panel = value_chain_fixture(1, n_gov=8, units_per_gov=6)
    out = value_chain.model_tables(panel, n_boot=200, n_wild=999)
    paths = out["value_chain_paths"]
    wild = paths[paths["method"] == "wild_cluster_bootstrap"].set_index("path")
    cr1 = paths[paths["method"] == "cr1"].set_index("path")
    assert set(wild.index) == {"a", "direct", "total"}
    for p in wild.index:  # the same estimate, another inference
        assert wild.loc[p, "estimate"] == pytest.approx(cr1.loc[p, "estimate"], rel=1e-9)
        assert wild.loc[p, "se"] == pytest.approx(cr1.loc[p, "se"], rel=0.05)
        assert wild.loc[p, "ci_low"] < wild.loc[p, "estimate"] < wild.loc[p, "ci_high"]
    assert set(paths.loc[paths["preferred"], "method"]) == {
        "wild_cluster_bootstrap", "cluster_bootstrap"
    }  # fmt: skip
    assert paths.groupby("path")["preferred"].sum().eq(1).all()
    link = out["culture_ikm_link"]
    lw = link[link["method"] == "wild_cluster_bootstrap"].set_index(["model", "value"])
    lc = link[link["method"] == "cr1"].set_index(["model", "value"])
    assert len(lw) == len(lc) == 8 + 8 + 7
    np.testing.assert_allclose(lw["estimate"], lc.loc[lw.index, "estimate"], rtol=1e-8)
    assert link.groupby(["model", "value"])["preferred"].sum().eq(1).all()
    # (Enough governments, no wild rows: tests/models/value_chain, 40 governments.)


def test_pipeline_inference_policy_table():
    from berakhlak_research.pipeline import inference_policy

    panel, _ = _panel(n_gov=7)
    gov = panel.groupby(["gov_code", "wave"], as_index=False)[Y].mean()
    pol = inference_policy(panel, gov)
    assert list(pol["table"]) == [
        "did_effects", "value_chain_paths", "culture_ikm_link", "did_effects"
    ]  # fmt: skip
    assert pol["few"].all() and (pol["n_clusters"] == 7).all()
    assert set(pol["inference"]) == {"wild_cluster_bootstrap"}
    big, _ = _panel(n_gov=25)
    assert not inference_policy(big)["few"].any()


def test_wcr_equals_r_brute_force():
    """Against tests/r/wild_bootstrap_reference.R (lm + sandwich::vcovCL, all 2^6 draws)."""
    here = Path(__file__).resolve().parents[1] / "r"
    df = pd.read_csv(here / "wild_bootstrap_fixture.csv")
    ref = pd.read_csv(here / "wild_bootstrap_reference.csv")
    n, k, g = len(df), 1 + 3, df["gov"].nunique()
    cfac = g / (g - 1) * (n - 1) / (n - k)
    for _, r in ref.iterrows():
        res = fc.wild_bootstrap_ols(
            df, "y", "x", cluster="gov", dummies=["wave"], fixed_effects=["unit"],
            null=r["null"], n_boot=999, multipliers="rademacher", level=0.95,
        )  # fmt: skip
        assert res["p_value"].iloc[0] == pytest.approx(r["p_value"], abs=1e-12)
        assert res.attrs["t_stat"] * np.sqrt(cfac) == pytest.approx(r["t_stat"], rel=1e-6)


def test_wcr_equals_wildboottest():
    """Against tests/r/wildboottest_reference.py (wildboottest 0.3.2, the Python port of
    fwildclusterboot's algorithm, run in its own environment; numbers committed).

    t: wildboottest counts the unit and wave dummies in its small-sample factor
    (k = 22) where we absorb the units (k = 4), so the t-statistics agree after
    rescaling. Rademacher (all 64 draws enumerated): equal p-values up to the tie
    of the observed draw and its mirror image, which have |t*| = |t| exactly and
    which wildboottest's strict ``|t| < |t*|`` drops or keeps by rounding noise
    (2/64 at most; we count them, as R's brute force in wild_bootstrap_reference.R
    does). Webb (random draws on both sides, 99,999 each): equal within Monte Carlo
    error (SD of the difference about 0.002 at these p-values)."""
    here = Path(__file__).resolve().parents[1] / "r"
    df = pd.read_csv(here / "wild_bootstrap_fixture.csv")
    ref = pd.read_csv(here / "wildboottest_reference.csv")
    n, g = len(df), df["gov"].nunique()
    k_ours, k_wbt = 1 + 3, 1 + (df["unit"].nunique() - 1) + (df["wave"].nunique() - 1) + 1
    c_ours = g / (g - 1) * (n - 1) / (n - k_ours)
    c_wbt = g / (g - 1) * (n - 1) / (n - k_wbt)
    for _, r in ref.iterrows():
        res = fc.wild_bootstrap_ols(
            df, "y", "x", cluster="gov", dummies=["wave"], fixed_effects=["unit"],
            null=r["null"], n_boot=r["B"], multipliers=r["weights"], level=0.95, seed=5,
        )  # fmt: skip
        t = res.attrs["t_stat"] * np.sqrt(c_ours / c_wbt)
        assert t == pytest.approx(r["t_stat"], rel=1e-6)
        p = res["p_value"].iloc[0]
        if r["weights"] == "rademacher":
            assert res["n_draws"].iloc[0] == 64 and res["exact"].iloc[0]
            assert 0 <= p - r["p_value"] <= 2 / 64 + 1e-12
        else:
            assert p == pytest.approx(r["p_value"], abs=0.01)
