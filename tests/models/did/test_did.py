"""Tests of berakhlak_research.models.did (staggered ATT, TWFE, event study, dose)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.models import did
from berakhlak_research.models.did.dose import DOSE_COLUMNS
from berakhlak_research.simulate.did import staggered_panel
from tests._data import R_DIR

Y, UNIT, TIME, G = "culture_overall", "unit_code", "wave", "first_treated"


@pytest.fixture(scope="module")
def hetero():
    """Large heterogeneous-effects panel: effects differ by cohort and grow with time;
    few never-treated units, so TWFE leans on already-treated comparisons."""
    return staggered_panel(
        n_units=4000,
        cohorts={2023: 0.3, 2024: 0.3, 2025: 0.3},
        effect_base={2023: 2.0, 2024: 4.0, 2025: 6.0},
        effect_slope=3.0,
        seed=2,
    )


@pytest.fixture(scope="module")
def small():
    return staggered_panel(n_units=400, seed=5)


@pytest.fixture(scope="module")
def r_panel():
    return pd.read_csv(R_DIR / "did_panel.csv", dtype={"gov_code": str})


@pytest.fixture(scope="module")
def r_ref():
    return pd.read_csv(R_DIR / "did_reference.csv")


# ---- 2x2: the textbook difference in means -------------------------------------------------
def test_two_by_two_equals_difference_in_means():
    rng = np.random.default_rng(0)
    n = 50
    treat = np.arange(n) < 20
    y0 = rng.normal(50, 5, n)
    y1 = y0 + 1.0 + rng.normal(0, 2, n) + 3.0 * treat
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), 2),
            "wave": np.tile([2022, 2023], n),
            "y": np.column_stack([y0, y1]).ravel(),
            "g": np.repeat(np.where(treat, 2023, 0), 2),
        }
    )
    df["d"] = ((df["g"] > 0) & (df["wave"] >= df["g"])).astype(int)
    dy = y1 - y0
    textbook = dy[treat].mean() - dy[~treat].mean()
    res = did.staggered_att(df, "y", "unit", "wave", "g", n_boot=0)
    tab = res.table
    assert tab["estimate"].iloc[0] == pytest.approx(textbook, abs=1e-12)
    assert set(tab["aggregation"]) == {"overall", "cohort", "event_time", "group_time"}
    assert (tab["estimate"] - textbook).abs().max() < 1e-12
    # Analytic SE = sqrt(s1^2/n1 + s0^2/n0) with population variances, times the
    # small-sample factor sqrt(G/(G-1)) (G = units here).
    se = np.sqrt(dy[treat].var() / treat.sum() + dy[~treat].var() / (~treat).sum())
    se *= np.sqrt(n / (n - 1))
    assert tab["se"].iloc[0] == pytest.approx(se, rel=1e-10)
    # Two-way fixed effects equal the same difference in a balanced 2x2.
    tw = did.twfe(df, "y", "unit", "wave", "d")
    assert tw["estimate"].iloc[0] == pytest.approx(textbook, abs=1e-10)
    es = did.event_study(df, "y", "unit", "wave", "g")
    assert es.loc[es["event_time"] == 0, "estimate"].iloc[0] == pytest.approx(textbook, abs=1e-10)


# ---- R reference numbers (tests/r/did_reference.R) ---------------------------------------------
def test_twfe_matches_r_lm_vcovcl(r_panel, r_ref):
    for kind in ("full", "nested"):
        ref = r_ref[r_ref["quantity"] == f"twfe_{kind}"].iloc[0]
        tw = did.twfe(
            r_panel, "y", "unit_code", "wave", "treated", cluster="gov_code", small_sample=kind
        )
        assert tw["estimate"].iloc[0] == pytest.approx(ref["estimate"], rel=1e-8)
        assert tw["se"].iloc[0] == pytest.approx(ref["se"], rel=1e-8)


def test_event_study_matches_r(r_panel, r_ref):
    es = did.event_study(r_panel, "y", "unit_code", "wave", "first_treated", cluster="gov_code")
    ref = r_ref[r_ref["quantity"] == "event_study"].set_index("event_time")
    got = es.set_index("event_time").drop(index=-1)
    np.testing.assert_allclose(got["estimate"], ref.loc[got.index, "estimate"], rtol=1e-8)
    np.testing.assert_allclose(got["se"], ref.loc[got.index, "se"], rtol=1e-8)
    assert es.loc[es["event_time"] == -1, "estimate"].iloc[0] == 0.0


@pytest.mark.parametrize("control", ["never", "notyet"])
def test_group_time_matches_r_loops(r_panel, r_ref, control):
    res = did.staggered_att(
        r_panel, "y", "unit_code", "wave", "first_treated", control=control,
        cluster="gov_code", n_boot=0,
    )  # fmt: skip
    ref = r_ref[r_ref["quantity"] == f"att_gt_{control}"].copy()
    ref["time"] = ref["time"].astype(int)
    gt = res.group_time.merge(ref, on=["cohort", "time"], suffixes=("", "_r"))
    assert len(gt) == len(ref) == 9
    np.testing.assert_allclose(gt["estimate"], gt["estimate_r"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gt["se"], gt["se_r"], rtol=1e-9)
    simple = r_ref[r_ref["quantity"] == f"att_simple_{control}"].iloc[0]
    ov = res.table.iloc[0]
    assert ov["estimate"] == pytest.approx(simple["estimate"], rel=1e-9)
    assert ov["se"] == pytest.approx(simple["se"], rel=1e-9)


# ---- heterogeneous effects: staggered recovers the truth, TWFE does not -------------------------
def test_staggered_recovers_truth_twfe_biased(hetero):
    panel, truth = hetero
    res = did.staggered_att(panel, Y, UNIT, TIME, G, control="notyet", cluster="gov_code")
    ov = res.table.iloc[0]
    att = truth["att_overall"]
    assert ov["ci_low"] <= att <= ov["ci_high"]
    assert abs(ov["estimate"] - att) < 0.10 * abs(att)
    et = res.table[(res.table["aggregation"] == "event_time") & (res.table["event_time"] >= 0)]
    for _, row in et.iterrows():
        true_e = truth["att_by_event_time"][str(int(row["event_time"]))]
        assert row["ci_low"] <= true_e <= row["ci_high"]
        assert abs(row["estimate"] - true_e) < 0.10 * abs(true_e)
    coh = res.table[res.table["aggregation"] == "cohort"]
    for _, row in coh.iterrows():
        assert row["ci_low"] <= truth["att_by_cohort"][str(int(row["cohort"]))] <= row["ci_high"]
    # The same data through two-way fixed effects: the known bias (Goodman-Bacon 2021).
    tw = did.twfe(panel, Y, UNIT, TIME, "treated", cluster="gov_code").iloc[0]
    assert not (tw["ci_low"] <= att <= tw["ci_high"])
    assert (att - tw["estimate"]) > 0.25 * att


@pytest.fixture(scope="module")
def sim_demo(demo_sim):
    sim = demo_sim
    uw = sim.unit_waves.assign(
        uid=lambda d: d["gov_code"].astype(str) + "|" + d["unit_code"].astype(str)
    )
    return uw, sim.truth["did"]


def test_simulator_truth_recovered_twfe_biased(sim_demo):
    """The simulator's heterogeneous effects (demo scale, the demo seed; truth.json "did").

    Noise-free: on the realised unit effects Y - Y(0), the group-time estimator
    returns truth.json's overall ATT and event-time path exactly, while TWFE on
    the same numbers is off by more than a third and its event study shows
    spurious leads. Noisy: on the observed unit means, the 95 % interval of the
    overall ATT and the uniform band of the event-time path cover the truth.
    """
    uw, truth = sim_demo
    tau = uw.assign(tau=uw["culture_overall"] - uw["y0_overall"])
    exact = did.staggered_att(tau, "tau", "uid", "wave", G, n_boot=0).table
    assert exact["estimate"].iloc[0] == pytest.approx(truth["att_overall"], abs=1e-9)
    for e, v in truth["att_by_event_time"].items():
        row = exact[(exact["aggregation"] == "event_time") & (exact["event_time"] == int(e))]
        assert row["estimate"].iloc[0] == pytest.approx(v, abs=1e-9)
    tw = did.twfe(tau, "tau", "uid", "wave", "treated").iloc[0]
    assert abs(tw["estimate"] - truth["att_overall"]) > truth["att_overall"] / 3
    leads = did.event_study(tau, "tau", "uid", "wave", G).query("event_time < -1")
    assert leads["estimate"].abs().max() > 0.1  # the true leads are exactly 0

    res = did.staggered_att(uw, "culture_overall", "uid", "wave", G, control="notyet")
    ov = res.table.iloc[0]
    assert ov["ci_low"] <= truth["att_overall"] <= ov["ci_high"]
    et = res.table[(res.table["aggregation"] == "event_time") & (res.table["event_time"] >= 0)]
    for _, row in et.iterrows():
        true_e = truth["att_by_event_time"][str(int(row["event_time"]))]
        assert row["ci_low"] <= true_e <= row["ci_high"]


# ---- inference ------------------------------------------------------------------------------------
def test_bootstrap_reproducible_and_close_to_analytic(small):
    panel, _ = small
    a = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=999, seed=1, cluster="gov_code")
    b = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=999, seed=1, cluster="gov_code")
    pd.testing.assert_frame_equal(a.table, b.table)
    an = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, cluster="gov_code")
    ratio = a.table["se"] / an.table["se"]
    assert ratio.between(0.85, 1.15).all()
    # Uniform bands are wider than pointwise ones, the overall interval is pointwise.
    fam = a.table[a.table["aggregation"] == "group_time"]
    assert (fam["band"] == "uniform").all() and (fam["crit"] > 1.96).all()
    assert a.table["band"].iloc[0] == "pointwise"
    m = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=999, seed=1, multipliers="mammen")
    assert m.table["se"].iloc[0] == pytest.approx(an.table["se"].iloc[0], rel=0.25)


def test_clustering_matters_with_government_shocks():
    panel, _ = staggered_panel(n_units=800, units_per_gov=10, sd_gov_wave=3.0, seed=9)
    by_unit = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0)
    by_gov = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, cluster="gov_code")
    assert by_gov.table["se"].iloc[0] > 1.5 * by_unit.table["se"].iloc[0]
    assert by_gov.settings["n_clusters"] == 80


def test_pretrend_test_detects_violation(small):
    panel, _ = small
    ok = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, cluster="gov_code").pretrend
    assert ok["df"].iloc[0] == 3 and ok["p_value"].iloc[0] > 0.01
    # Later cohorts drift upwards before treatment: pre-trends differ.
    bad = panel.assign(culture_overall=panel[Y] + 1.5 * (panel[G] >= 2024) * (panel[TIME] - 2022))
    pt = did.staggered_att(bad, Y, UNIT, TIME, G, n_boot=0, cluster="gov_code").pretrend
    assert pt["p_value"].iloc[0] < 1e-4


def test_covariates_restore_conditional_parallel_trends():
    panel, truth = staggered_panel(n_units=2000, seed=4, effect_sd=0.5)
    rng = np.random.default_rng(4)
    units = panel[UNIT].unique()
    x = pd.Series(rng.normal(0, 1, len(units)), index=units)
    # Treated units have higher x, and x drives the trend.
    g = panel.groupby(UNIT)[G].first()
    x = x + 0.8 * (g > 0)
    panel = panel.assign(x=panel[UNIT].map(x))
    panel[Y] = panel[Y] + 2.0 * panel["x"] * (panel[TIME] - 2022)
    plain = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0)
    adj = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, covariates=["x"])
    att = truth["att_overall"]
    assert abs(plain.table["estimate"].iloc[0] - att) > 1.0
    ov = adj.table.iloc[0]
    assert ov["ci_low"] <= att <= ov["ci_high"]


# ---- edge cases are handled and reported ----------------------------------------------------------
def test_always_treated_single_unit_and_late_cohorts_reported(small):
    panel, _ = small
    units = panel[UNIT].unique()
    p = panel.assign(**{G: panel[G].astype(float)})
    p.loc[p[UNIT].isin(units[:5]), G] = 2022  # treated in the first period
    p.loc[p[UNIT] == units[10], G] = 2024.5  # a cohort of one unit
    p.loc[p[UNIT].isin(units[20:23]), G] = 2030  # treated after the panel
    res = did.staggered_att(p, Y, UNIT, TIME, G, n_boot=0)
    ex = res.excluded
    assert set(ex["kind"]) >= {"units", "cohort"}
    always = ex[ex["reason"].str.contains("first period")]
    assert always["n"].sum() == 5 and always["cohort"].iloc[0] == 2022
    single = ex[ex["kind"] == "cohort"]
    assert single["n"].iloc[0] == 1 and single["cohort"].iloc[0] == pytest.approx(2024.5)
    assert ex["reason"].str.contains("after the last period").any()
    assert res.settings["n_units"] == len(units) - 5
    assert 2024.5 not in set(res.group_time["cohort"].astype(float))


def test_unbalanced_panel_uses_available_pairs(small):
    panel, _ = small
    p = panel.drop(index=panel.index[::7])
    res = did.staggered_att(p, Y, UNIT, TIME, G, n_boot=0)
    assert res.excluded["reason"].str.contains("missing in some periods").any()
    # Each cell equals the difference in means over units that have both periods.
    w = p.pivot(index=UNIT, columns=TIME, values=Y)
    g = p.groupby(UNIT)[G].first().reindex(w.index)
    dy = w[2024] - w[2023]
    tr, co = (g == 2024) & dy.notna(), (g == 0) & dy.notna()
    row = res.group_time.query("cohort == 2024 and time == 2024").iloc[0]
    assert row["estimate"] == pytest.approx(dy[tr].mean() - dy[co].mean(), abs=1e-10)
    assert row["n"] == tr.sum() and row["n_control"] == co.sum()


def test_notyet_without_never_treated(small):
    panel, _ = small
    p = panel[panel[G] > 0]
    with pytest.raises(EstimationError, match="notyet"):
        did.staggered_att(p, Y, UNIT, TIME, G, control="never")
    res = did.staggered_att(p, Y, UNIT, TIME, G, control="notyet", n_boot=0)
    # The last cohort has no comparison units once everyone is treated: reported.
    assert res.excluded["reason"].str.contains("no comparison units").any()
    assert 2025 not in set(res.group_time.query("time == 2025")["cohort"])


def test_input_errors(small):
    panel, _ = small
    with pytest.raises(InputError, match="not a column"):
        did.staggered_att(panel, "nope", UNIT, TIME, G)
    with pytest.raises(InputError, match="more than one row"):
        did.staggered_att(pd.concat([panel, panel.head(3)]), Y, UNIT, TIME, G)
    with pytest.raises(InputError, match="control"):
        did.staggered_att(panel, Y, UNIT, TIME, G, control="later")
    bad = panel.copy()
    bad.loc[bad.index[0], G] = 2023 if bad[G].iloc[0] != 2023 else 2024
    with pytest.raises(InputError, match="varies within"):
        did.staggered_att(bad, Y, UNIT, TIME, G)


# ---- TWFE machinery ------------------------------------------------------------------------------
def test_twfe_demeaning_equals_dummy_regression_unbalanced():
    rng = np.random.default_rng(3)
    n, T = 30, 5
    df = pd.DataFrame({"u": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    df["d"] = ((df["u"] % 3 == 0) & (df["t"] >= 2 + df["u"] % 2)).astype(float)
    df["y"] = rng.normal(0, 1, len(df)) + 0.3 * df["u"] + 0.5 * df["t"] + 2 * df["d"]
    df = df.drop(index=rng.choice(len(df), 25, replace=False))
    X = np.column_stack(
        [df["d"], pd.get_dummies(df["u"], dtype=float), pd.get_dummies(df["t"], dtype=float)]
    )
    beta, *_ = np.linalg.lstsq(X, df["y"].to_numpy(), rcond=None)
    tw = did.twfe(df, "y", "u", "t", "d")
    assert tw["estimate"].iloc[0] == pytest.approx(beta[0], abs=1e-8)


# ---- dose -----------------------------------------------------------------------------------------
def test_dose_response_bins_and_slope():
    panel, truth = staggered_panel(n_units=1600, seed=6)
    dr = did.dose_response(panel, Y, UNIT, TIME, G, "hours", cluster="gov_code", n_boot=199)
    bins = dr[dr["aggregation"] == "bin"].sort_values("dose_low")
    assert len(bins) >= 3 and bins["estimate"].is_monotonic_increasing
    slope = dr[dr["aggregation"] == "slope"].iloc[0]
    assert slope["ci_low"] <= truth["dose_slope"] <= slope["ci_high"]
    assert list(dr.columns[:11]) == DOSE_COLUMNS


# ---- results-store tables ------------------------------------------------------------------------
def test_model_tables_contract(small):
    panel, _ = small
    panel = panel.assign(ikm=np.where(panel.index % 5 == 0, np.nan, 70 + 0.2 * panel[Y]))
    gov = panel.groupby(["gov_code", "wave"], as_index=False).agg(
        culture_overall=(Y, "mean"), first_treated=(G, "max"), hours=("hours", "mean")
    )
    out = did.model_tables(panel, gov, outcomes=["culture_overall", "ikm", "culture_AD"], n_boot=99)
    eff = out["did_effects"]
    need = ["outcome", "estimator", "aggregation", "cohort", "event_time", "time", "estimate", "se",
            "ci_low", "ci_high", "p_value", "n", "panel"]  # fmt: skip
    assert list(eff.columns[: len(need)]) == need
    assert set(eff["estimator"]) == {"staggered_att", "twfe"}
    assert set(eff["panel"]) == {"unit", "government"}
    assert set(eff["aggregation"]) == {"overall", "cohort", "event_time", "group_time"}
    pt = out["did_pretrend"]
    assert list(pt.columns[:5]) == ["outcome", "panel", "statistic", "df", "p_value"]
    assert len(pt) == 3
    ex = out["did_excluded"]
    assert ((ex["outcome"] == "culture_AD") & (ex["reason"] == "no data")).sum() == 2
    assert "did_dose" in out and set(out["did_dose"]["aggregation"]) == {"bin", "slope"}
    assert set(eff.loc[eff["panel"] == "unit", "cluster"]) == {"government"}
    assert eff["preferred"].all() and set(eff["inference"]) == {"multiplier_bootstrap", "cr1"}
    # Too few governments (few_clusters_policy): still clustered by government, plus
    # wild-bootstrap and randomisation rows for the overall effects, and a note.
    few = did.model_tables(panel, None, outcomes=["culture_overall"], n_boot=0, min_clusters=60,
                           n_wild=999, n_perm=199)  # fmt: skip
    fe = few["did_effects"]
    assert set(fe["cluster"]) == {"government"}
    assert (few["did_excluded"]["kind"] == "inference").sum() == 1
    ov = fe[fe["aggregation"] == "overall"]
    assert sorted(ov["inference"]) == sorted(["analytic", "cr1", *["wild_cluster_bootstrap",
                                              "randomization_inference"] * 2])  # fmt: skip
    pref = ov[ov["preferred"]]
    assert set(pref["inference"]) == {"wild_cluster_bootstrap"} and len(pref) == 2
    assert fe.loc[fe["aggregation"] != "overall", "preferred"].all()


def test_pretrend_small_cluster_form():
    """With few clusters the F form of the pre-trend test is less extreme than chi-square."""
    from scipy import stats

    panel, _ = staggered_panel(n_units=96, units_per_gov=12, seed=8)
    res = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, cluster="gov_code")
    pt = res.pretrend.iloc[0]
    q, n_cl = int(pt["df"]), int(pt["n_clusters"])
    assert n_cl == 8 and q == 3
    f = pt["statistic"] * (n_cl - q) / (q * (n_cl - 1))
    assert pt["p_value"] == pytest.approx(stats.f.sf(f, q, n_cl - q))
    assert pt["p_value"] > stats.chi2.sf(pt["statistic"], q)


# ---- slow: coverage over many seeds --------------------------------------------------------------
@pytest.mark.slow
def test_coverage_study():
    """1,000 simulated roll-outs (100 governments x 8 units, whole governments adopt,
    cohort sizes random): the 95 % interval of the overall ATT and the 95 % uniform
    band of the event-time path cover the design's (population) truth 93-97 % of the
    time."""
    n_rep = 1000
    hit_overall = np.zeros(n_rep, dtype=bool)
    hit_band = np.zeros(n_rep, dtype=bool)
    for s in range(n_rep):
        panel, truth = staggered_panel(n_units=800, seed=10_000 + s, exact_shares=False)
        pop = truth["population"]
        res = did.staggered_att(panel, Y, UNIT, TIME, G, cluster="gov_code", n_boot=499, seed=s)
        tab = res.table
        ov = tab.iloc[0]
        hit_overall[s] = ov["ci_low"] <= pop["att_overall"] <= ov["ci_high"]
        et = tab[(tab["aggregation"] == "event_time") & (tab["event_time"] >= 0)]
        true_e = np.array([pop["att_by_event_time"][str(int(e))] for e in et["event_time"]])
        lo, hi = et["ci_low"].to_numpy(), et["ci_high"].to_numpy()
        hit_band[s] = bool(((lo <= true_e) & (true_e <= hi)).all())
    print(f"coverage: overall {hit_overall.mean():.3f}, event-time band {hit_band.mean():.3f}")
    assert 0.93 <= hit_overall.mean() <= 0.97, hit_overall.mean()
    assert 0.93 <= hit_band.mean() <= 0.97, hit_band.mean()


@pytest.mark.slow
def test_simulator_bias_over_seeds():
    """Twenty simulator runs (demo scale): the group-time estimator's mean error is
    under 10 % of the mean true ATT; TWFE's is over 25 %."""
    simulate = pytest.importorskip("berakhlak_research.simulate").simulate
    err_cs, err_tw, truth = [], [], []
    for seed in range(20):
        sim = simulate("demo", seed=100 + seed)
        uw = sim.unit_waves.assign(
            uid=lambda d: d["gov_code"].astype(str) + "|" + d["unit_code"].astype(str)
        )
        att = sim.truth["did"]["att_overall"]
        cs = did.staggered_att(uw, "culture_overall", "uid", "wave", G, control="notyet", n_boot=0)
        tw = did.twfe(uw, "culture_overall", "uid", "wave", "treated")
        err_cs.append(cs.table["estimate"].iloc[0] - att)
        err_tw.append(tw["estimate"].iloc[0] - att)
        truth.append(att)
    print(f"mean truth {np.mean(truth):.3f}, bias: staggered {np.mean(err_cs):.3f}, "
          f"twfe {np.mean(err_tw):.3f}")  # fmt: skip
    assert abs(np.mean(err_cs)) < 0.10 * np.mean(truth)
    assert abs(np.mean(err_tw)) > 0.25 * np.mean(truth)


# ---- plots ---------------------------------------------------------------------------------------
def test_plots_draw_the_tables(small):
    from matplotlib.figure import Figure

    from berakhlak_research.plots import did as dplot

    panel, _ = small
    out = did.model_tables(panel, None, outcomes=["culture_overall"], n_boot=99)
    eff = out["did_effects"]
    fig = dplot.event_study_plot(eff, lang="id")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Tahun sejak program")
    # The group-time series passes through its estimates.
    es = eff[(eff["aggregation"] == "event_time") & (eff["estimator"] == "staggered_att")]
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), es.sort_values("event_time")["estimate"])
    assert isinstance(dplot.cohort_plot(eff), Figure)
    gt = dplot.group_time_plot(eff)
    assert len(gt.axes) == eff.query("aggregation == 'cohort'")["cohort"].nunique()
    assert isinstance(dplot.dose_plot(out["did_dose"], dose_name="hours"), Figure)
    two = pd.concat([eff, eff.assign(outcome="ikm")])
    with pytest.raises(InputError, match="several outcomes"):
        dplot.event_study_plot(two)
    # A StaggeredResult table works too.
    res = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0)
    assert isinstance(dplot.event_study_plot(res.table), Figure)


def test_event_study_window_and_universal_base(small):
    panel, _ = small
    es = did.event_study(panel, Y, UNIT, TIME, G, window=(-2, 1))
    assert list(es["event_time"]) == [-2, -1, 0, 1]
    assert (
        es.loc[es["event_time"] == 1, "n"].iloc[0]
        == ((panel[G] > 0) & (panel[TIME] - panel[G] >= 1)).sum()
    )
    res = did.staggered_att(panel, Y, UNIT, TIME, G, n_boot=0, base_period="universal")
    w = panel.pivot(index=UNIT, columns=TIME, values=Y)
    g = panel.groupby(UNIT)[G].first().reindex(w.index)
    dy = w[2022] - w[2024]  # cohort 2025, period 2022, against its base 2024
    want = dy[g == 2025].mean() - dy[g == 0].mean()
    row = res.group_time.query("cohort == 2025 and time == 2022").iloc[0]
    assert row["base_time"] == 2024 and row["estimate"] == pytest.approx(want, abs=1e-10)
    assert len(res.group_time.query("cohort == 2025 and time == 2024")) == 0
