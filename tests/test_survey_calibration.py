"""Calibration-aware (linearisation) SE after raking, against R's survey ``calibrate``.

R reference: tests/r/survey_ratio_reference.R (``calibrate(design, ~stype + sch.wide, pop,
calfun = "raking")`` on the api designs; its weights in tests/r/api_calibrated_weights.csv).
"""

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import survey
from berakhlak_research.exceptions import InputError
from tests._data import R_DIR
from tests.test_survey import _fixture
from tests.test_survey_ratio import DESIGNS, REF, _api


def _calibrated(design: str) -> tuple[pd.DataFrame, dict]:
    data, kw = DESIGNS[design]
    w = pd.read_csv(R_DIR / "api_calibrated_weights.csv")
    x = _api(data).merge(w[w["design"] == design][["snum", "w_cal"]], on="snum",
                         validate="1:1")  # fmt: skip
    return x, {k: v for k, v in kw.items() if k != "weights"}


def _r(design: str, statistic: str) -> pd.DataFrame:
    r = REF[(REF["design"] == design) & (REF["statistic"] == statistic)]
    return r.assign(domain=r["domain"].fillna("all")).set_index("domain")


@pytest.mark.parametrize("design", list(DESIGNS))
def test_calibrated_mean_matches_r_calibrate(design):
    x, kw = _calibrated(design)
    args = dict(margins=["stype", "sch_wide"], weights="w_cal", design_weight="pw", **kw)
    nat = survey.calibrated_svymean(x, "api00", **args)
    dom = survey.calibrated_svymean(x, "api00", by=["stype"], **args).set_index("stype")
    got = pd.concat([nat.assign(stype="all").set_index("stype"), dom])
    ref = _r(design, "calibrated_mean")
    for domain, r in ref.iterrows():
        assert got.loc[domain, "estimate"] == pytest.approx(r["estimate"], rel=1e-10)
        assert got.loc[domain, "se"] == pytest.approx(r["se"], rel=1e-9)
    assert list(nat.columns) == ["variable", "estimate", "se", "ci_low", "ci_high", "p_value",
                                 "n"]  # fmt: skip


def test_calibration_lowers_the_se_of_the_issue():
    """apistrat: 9.2695 calibration-aware (R calibrate), 9.4102 with the raked weights fixed."""
    x, kw = _calibrated("strat")
    cal = survey.calibrated_svymean(x, "api00", margins=["stype", "sch_wide"], weights="w_cal",
                                    design_weight="pw", **kw)["se"].iloc[0]  # fmt: skip
    fixed = survey.svymean(x, "api00", weights="w_cal", **kw)["se"].iloc[0]
    assert fixed == pytest.approx(_r("strat", "calibrated_weights_as_fixed").loc["all", "se"],
                                  rel=1e-8)  # fmt: skip
    assert cal == pytest.approx(9.26954760646102, rel=1e-7) and cal < fixed
    # rake()'s approximation (unweighted backfitting) is within 0.05 %
    assert cal == pytest.approx(_r("strat", "raked_mean_rake").loc["all", "se"], rel=5e-4)
    # regression on the calibrated instead of the design weights: nearly the same
    own = survey.calibrated_svymean(x, "api00", margins=["stype", "sch_wide"], weights="w_cal",
                                    **kw)["se"].iloc[0]  # fmt: skip
    assert own == pytest.approx(cal, rel=1e-2)


def test_no_margins_is_svymean_and_headcount_raking_needs_none():
    """The pipeline rakes to unit headcounts only: its SE is svymean's two-stage SE."""
    x, units = _fixture()
    x["y"] = x["BP1"].astype(float)
    rk = survey.rake_weights(x, units, trim=None)
    x["w_r"] = rk.weights
    kw = dict(cluster="unit_code", strata="gov_code", weights="w_r", psu_population="N",
              stratum_population="M", by=["gov_code"])  # fmt: skip
    a = survey.calibrated_svymean(x, "y", margins=[], **kw)
    b = survey.svymean(x, "y", **kw)
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-10)


def test_raked_to_a_sex_margin_per_government():
    """rake_weights with a margin, then calibration residuals within each government."""
    x, units = _fixture()
    rng = np.random.default_rng(5)
    x["sex"] = np.where(rng.random(len(x)) < 0.45, "F", "M")
    x["y"] = x["BP1"].astype(float) + (x["sex"] == "F") * 0.8
    share = x.groupby("gov_code")["sex"].apply(lambda s: (s == "F").mean())
    hc = units.groupby("gov_code")["headcount"].sum()
    margin = pd.DataFrame(
        [
            {"gov_code": g, "sex": s, "total": hc[g] * (p if s == "F" else 1 - p)}
            for g, p in share.items()
            for s in ("F", "M")
        ]  # fmt: skip
    )
    base = survey.rake_weights(x, units, trim=None).weights
    raked = survey.rake_weights(x, units, margins={"sex": margin}, trim=None).weights
    x = x.assign(w_d=base, w_r=raked)
    kw = dict(cluster="unit_code", strata="gov_code", weights="w_r", psu_population="N",
              stratum_population="M", by=["gov_code"])  # fmt: skip
    cal = survey.calibrated_svymean(x, "y", margins=["sex"], design_weight="w_d",
                                    calibration_groups=["gov_code"], **kw)  # fmt: skip
    fixed = survey.svymean(x, "y", **kw)
    np.testing.assert_allclose(cal["estimate"], fixed["estimate"], rtol=1e-12)
    assert (cal["se"] <= fixed["se"] * (1 + 1e-9)).all()
    # each government calibrated on its own equals the joint computation
    for g, part in x.groupby("gov_code"):
        one = survey.calibrated_svymean(part, "y", margins=["sex"], design_weight="w_d",
                                        **{**kw, "by": None})  # fmt: skip
        row = cal[cal["gov_code"] == g]
        assert one["se"].iloc[0] == pytest.approx(row["se"].iloc[0], rel=1e-9)


def test_residuals_are_the_weighted_least_squares_residuals():
    rng = np.random.default_rng(2)
    n = 300
    a, b = rng.integers(0, 3, n), rng.integers(0, 4, n)
    v = rng.normal(size=(n, 2)) + a[:, None]
    dw = rng.uniform(1, 5, n)
    res = survey.calibration_residuals(v, [a, b], dw)
    x = np.column_stack([np.eye(3)[a], np.eye(4)[b][:, 1:]])
    sw = np.sqrt(dw)[:, None]
    beta = np.linalg.lstsq(x * sw, v * sw, rcond=None)[0]
    np.testing.assert_allclose(res, v - x @ beta, atol=1e-9)


def test_calibration_bad_input():
    x, kw = _calibrated("strat")
    with pytest.raises(InputError, match="not in the data"):
        survey.calibrated_svymean(x, "api00", margins=["nope"], weights="w_cal", **kw)
    with pytest.raises(InputError, match="level"):
        survey.calibrated_svymean(x, "api00", margins=[], weights="w_cal", level=1.5, **kw)


def test_nested_path_equals_general_path(monkeypatch):
    """Domains made of whole calibration groups: one residualisation equals one per domain."""
    x, units = _fixture()
    rng = np.random.default_rng(8)
    x["sex"] = np.where(rng.random(len(x)) < 0.5, "F", "M")
    x.loc[rng.random(len(x)) < 0.05, "sex"] = None  # not in the sex margin
    x["y"] = x["AD2"].astype(float) + (x["sex"] == "F") * 0.5
    x["w_d"] = survey.rake_weights(x, units, trim=None).weights
    x["w_r"] = x["w_d"] * np.where(x["sex"] == "F", 1.1, 0.95)
    kw = dict(margins=["sex"], weights="w_r", design_weight="w_d", cluster="unit_code",
              strata="gov_code", psu_population="N", stratum_population="M",
              calibration_groups=["gov_code"], by=["gov_code"])  # fmt: skip
    fast = survey.calibrated_svymean(x, ["y", "BP1"], **kw)
    monkeypatch.setattr(survey, "CALIBRATION_NESTED_PATH", False)
    general = survey.calibrated_svymean(x, ["y", "BP1"], **kw)
    pd.testing.assert_frame_equal(fast, general, rtol=1e-9)
