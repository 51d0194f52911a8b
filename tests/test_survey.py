"""Design-based estimates and raking, checked against R's survey package and by hand."""

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import survey
from berakhlak_research.exceptions import EstimationError
from berakhlak_research.framework import BEHAVIOUR_CODES
from berakhlak_research.indices import culture_tables
from tests._data import R_DIR


def _fixture():
    x = pd.read_csv(
        R_DIR / "survey_fixture.csv", dtype={"gov_code": "string", "unit_code": "string"}
    )
    for c in BEHAVIOUR_CODES:
        x[c] = x[c].astype("Int8")
    units = x.groupby(["gov_code", "unit_code"], as_index=False).agg(
        headcount=("N", "first"), M=("M", "first")
    )
    # Units that were not surveyed complete each government's frame (stage-one FPC).
    extra = []
    for gov, grp in units.groupby("gov_code"):
        for k in range(int(grp["M"].iloc[0]) - len(grp)):
            extra.append({"gov_code": gov, "unit_code": f"{gov}-X{k}", "headcount": 30, "M": 0})
    units = pd.concat([units, pd.DataFrame(extra)], ignore_index=True)
    return x, units[["gov_code", "unit_code", "headcount"]]


_R_VARS = {
    "BP1_fav": ("culture_behaviour", "behaviour", "BP1", "favourable"),
    "AD2_mean": ("culture_behaviour", "behaviour", "AD2", "mean"),
    "AD_fav": ("culture_index", "value", "AD", "favourable"),
    "overall_fav": ("culture_index", "value", "overall", "favourable"),
    "overall_mean": ("culture_index", "value", "overall", "mean"),
}


@pytest.mark.parametrize("design", ["two_stage", "ultimate_cluster"])
def test_culture_se_matches_r_survey(design):
    x, units = _fixture()
    ref = pd.read_csv(
        R_DIR / "survey_reference.csv", dtype={"gov_code": "string", "unit_code": "string"}
    )
    ref = ref[ref["design"] == design]
    tabs = culture_tables(x, units, weights="w", fpc=design == "two_stage", min_group=5)
    checked = 0
    for var, (table, col, code, scoring) in _R_VARS.items():
        t = tabs[table]
        t = t[(t[col] == code) & (t["scoring"] == scoring)]
        for _, r in ref[ref["variable"] == var].iterrows():
            sel = t["aggregation"] == r["level"]  # the R reference names it level
            if r["level"] != "national":
                sel &= t["gov_code"] == r["gov_code"]
            if r["level"] == "unit":
                sel &= t["unit_code"] == r["unit_code"]
            row = t[sel]
            assert len(row) == 1, (var, r.to_dict())
            if row["suppressed"].iloc[0]:
                continue
            np.testing.assert_allclose(row["estimate"].iloc[0], r["estimate"], rtol=1e-10)
            np.testing.assert_allclose(row["se"].iloc[0], r["se"], rtol=1e-8, atol=1e-5)
            checked += 1
    assert checked >= 40 if design == "two_stage" else checked >= 15


def test_svymean_matches_r_with_independent_scores():
    x, _ = _fixture()
    x["BP1_fav"] = np.where(x["BP1"].isna(), np.nan, 100.0 * (x["BP1"].astype(float) >= 4))
    ref = pd.read_csv(R_DIR / "survey_reference.csv", dtype={"gov_code": "string"})
    ref = ref[(ref["variable"] == "BP1_fav") & (ref["level"] == "government")]
    for design, fpc in (("two_stage", True), ("ultimate_cluster", False)):
        got = survey.svymean(
            x, "BP1_fav", by=["gov_code"], weights="w", psu_population="N",
            stratum_population="M", fpc=fpc,
        )  # fmt: skip
        exp = ref[ref["design"] == design].set_index("gov_code").loc[got["gov_code"]]
        np.testing.assert_allclose(got["estimate"], exp["estimate"], rtol=1e-10)
        np.testing.assert_allclose(got["se"], exp["se"], rtol=1e-8)


def test_svymean_srs_by_hand():
    rng = np.random.default_rng(3)
    y = rng.normal(50, 10, 40)
    d = pd.DataFrame({"y": y, "u": 1, "N": 200})
    got = survey.svymean(d, "y", cluster="u", strata=None, psu_population="N", certainty=True)
    se = np.sqrt((1 - 40 / 200) * y.var(ddof=1) / 40)
    assert got["estimate"].iloc[0] == pytest.approx(y.mean())
    assert got["se"].iloc[0] == pytest.approx(se, rel=1e-10)
    # A census has no sampling error.
    d["N"] = 40
    got = survey.svymean(d, "y", cluster="u", strata=None, psu_population="N", certainty=True)
    assert got["se"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def test_svymean_rejects_bad_weights():
    d = pd.DataFrame({"y": [1.0, 2.0], "u": [1, 2], "w": [1.0, -1.0]})
    with pytest.raises(EstimationError):
        survey.svymean(d, "y", strata=None, cluster="u", weights="w")


def test_bootstrap_agrees_with_ultimate_cluster_variance():
    rng = np.random.default_rng(11)
    n_units, per = 60, 25
    unit = np.repeat(np.arange(n_units), per)
    y = 50 + rng.normal(0, 8, n_units)[unit] + rng.normal(0, 20, unit.size)
    d = pd.DataFrame({"y": y, "unit": unit, "gov": unit % 3})
    got = survey.svymean(
        d, "y", by=["gov"], cluster="unit", strata="gov", fpc=False, n_boot=800, seed=5
    )
    ratio = got["boot_se"] / got["se"]
    assert ratio.between(0.85, 1.15).all(), ratio.tolist()


def test_rake_to_headcounts_is_poststratification():
    resp = pd.DataFrame(
        {
            "gov_code": ["A"] * 5 + ["B"] * 2,
            "unit_code": ["u", "u", "v", "v", "v", "u", "u"],
            "wave": 2024,
        }
    )
    units = pd.DataFrame(
        {"gov_code": ["A", "A", "B"], "unit_code": ["u", "v", "u"], "headcount": [10, 30, 4]}
    )
    res = survey.rake_weights(resp, units, trim=None)
    np.testing.assert_allclose(res.weights, [5, 5, 10, 10, 10, 2, 2])
    summ = res.summary.set_index("gov_code")
    assert summ.loc["A", "weight_sum"] == pytest.approx(40)
    assert summ.loc["A", "deff"] == pytest.approx(survey.kish_deff([5, 5, 10, 10, 10]))


def test_rake_to_sex_margin_hits_both_margins():
    rng = np.random.default_rng(2)
    n = 400
    resp = pd.DataFrame(
        {
            "gov_code": "A",
            "unit_code": rng.choice(["u", "v", "w"], n),
            "wave": 2024,
            "sex": rng.choice(["L", "P"], n, p=[0.7, 0.3]),
        }
    )
    units = pd.DataFrame(
        {"gov_code": "A", "unit_code": ["u", "v", "w"], "headcount": [300, 500, 200]}
    )
    margins = {"sex": pd.DataFrame({"gov_code": "A", "sex": ["L", "P"], "total": [450, 550]})}
    res = survey.rake_weights(resp, units, margins, trim=None)
    w = res.weights
    np.testing.assert_allclose(
        w.groupby(resp["unit_code"]).sum().to_numpy(), [300, 500, 200], rtol=1e-6
    )
    np.testing.assert_allclose(w.groupby(resp["sex"]).sum().to_numpy(), [450, 550], rtol=1e-6)
    assert bool(res.summary["converged"].iloc[0])
    assert res.summary["deff"].iloc[0] > 1


def test_trimming_caps_weights():
    resp = pd.DataFrame({"gov_code": "A", "unit_code": ["u"] * 2 + ["v"] * 40, "wave": 2024})
    units = pd.DataFrame({"gov_code": "A", "unit_code": ["u", "v"], "headcount": [400, 40]})
    res = survey.rake_weights(resp, units, trim=(0.5, 3.0))
    mean_w = 440 / 42
    assert res.weights.max() <= 3.0 * mean_w + 1e-9
    assert res.weights.min() >= 0.5 * mean_w - 1e-9
    # Unit u's two weights (200) are capped, unit v's forty (1) raised.
    assert res.summary["trimmed"].iloc[0] == 42


@pytest.mark.parametrize("fpc", [True, False])
def test_culture_levels_fast_path_equals_general_engine(fpc):
    """With one weight per unit (headcount raking) culture_tables takes every level from
    per-stratum sums (survey_levels); the bootstrap option runs the general engine instead.
    Both give the same estimates and SEs at every level."""
    x, units = _fixture()
    w = survey.rake_weights(x, units).weights.to_numpy()
    fast = culture_tables(x, units, weights=w, fpc=fpc, min_group=5)
    general = culture_tables(x, units, weights=w, fpc=fpc, min_group=5, n_boot=2, seed=1)
    for name, t in fast.items():
        g = general[name]
        assert len(t) == len(g)
        for c in ("estimate", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(t[c], g[c], rtol=1e-9, atol=1e-10, err_msg=(name, c))
        assert set(t["aggregation"]) == {"unit", "government", "province", "national"}
        assert (t["se"].dropna() > 0).mean() > 0.9
