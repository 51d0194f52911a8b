"""Ratios (R's svyratio) and one-stage cluster designs, against R's survey on its api data.

R reference: tests/r/survey_ratio_reference.R (writes tests/r/api_*.csv from
``data(api)`` and tests/r/survey_ratio_reference.csv; versions in
tests/r/survey_ratio_reference_version.txt).
"""

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import survey
from berakhlak_research.exceptions import InputError
from tests._data import R_DIR

REF = pd.read_csv(R_DIR / "survey_ratio_reference.csv")


def _api(name: str) -> pd.DataFrame:
    return pd.read_csv(R_DIR / f"api_{name}.csv")


# our arguments for R's three designs
DESIGNS = {
    # svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc)
    "strat": ("strat", dict(cluster="snum", strata="stype", weights="pw",
                            stratum_population="fpc", stages=1)),
    # svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc): one-stage cluster
    "clus1": ("clus1", dict(cluster="dnum", strata=None, weights="pw",
                            stratum_population="fpc", stages=1)),
    # svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw)
    "clus2": ("clus2", dict(cluster="dnum", strata=None, weights="pw",
                            stratum_population="fpc1", psu_population="fpc2")),
}  # fmt: skip


def _ref(design: str, statistic: str, numerator: str, denominator=None) -> pd.DataFrame:
    r = REF[(REF["design"] == design) & (REF["statistic"] == statistic)]
    r = r[r["numerator"] == numerator]
    if denominator is not None:
        r = r[r["denominator"] == denominator]
    return r.assign(domain=r["domain"].fillna("all")).set_index("domain")


@pytest.mark.parametrize("design", list(DESIGNS))
@pytest.mark.parametrize(("num", "den"), [("api_stu", "enroll"), ("api00", "api99")])
def test_svyratio_matches_r(design, num, den):
    data, kw = DESIGNS[design]
    x = _api(data)
    ref = _ref(design, "ratio", num.replace("_", "."), den)
    nat = survey.svyratio(x, num, den, **kw)
    dom = survey.svyratio(x, num, den, by=["stype"], **kw).set_index("stype")
    got = pd.concat([nat.assign(stype="all").set_index("stype"), dom])
    for domain, r in ref.iterrows():
        assert got.loc[domain, "estimate"] == pytest.approx(r["estimate"], rel=1e-10)
        assert got.loc[domain, "se"] == pytest.approx(r["se"], rel=1e-8)
    assert list(nat.columns) == ["numerator", "denominator", "estimate", "se", "ci_low",
                                 "ci_high", "p_value", "n"]  # fmt: skip
    both = x[num].notna() & x[den].notna()
    assert nat["n"].iloc[0] == both.sum()  # clus2 has 6 schools without enrolment


@pytest.mark.parametrize("design", list(DESIGNS))
def test_svymean_one_stage_and_two_stage_match_r(design):
    data, kw = DESIGNS[design]
    x = _api(data)
    ref = _ref(design, "mean", "api00")
    nat = survey.svymean(x, "api00", **kw)
    dom = survey.svymean(x, "api00", by=["stype"], **kw).set_index("stype")
    got = pd.concat([nat.assign(stype="all").set_index("stype"), dom])
    for domain, r in ref.iterrows():
        assert got.loc[domain, "estimate"] == pytest.approx(r["estimate"], rel=1e-10)
        assert got.loc[domain, "se"] == pytest.approx(r["se"], rel=1e-8)


def test_one_stage_cluster_needs_no_fake_unit_populations():
    """Before stages=1 a one-stage design matched R only with psu_population = sample size."""
    x = _api("clus1")
    kw = dict(cluster="dnum", strata=None, weights="pw", stratum_population="fpc")
    one = survey.svymean(x, "api00", stages=1, **kw)["se"].iloc[0]
    faked = survey.svymean(x.assign(n_u=x.groupby("dnum")["snum"].transform("size")), "api00",
                           psu_population="n_u", **kw)["se"].iloc[0]  # fmt: skip
    two = survey.svymean(x, "api00", **kw)["se"].iloc[0]
    r = _ref("clus1", "mean", "api00").loc["all", "se"]
    assert one == pytest.approx(r, rel=1e-10) and faked == pytest.approx(r, rel=1e-10)
    assert two > r * (1 + 1e-4)  # the default two-stage variance adds a second-stage term


def test_ratio_of_a_0_1_variable_is_the_mean():
    x = _api("clus2").assign(one=1.0)
    kw = DESIGNS["clus2"][1]
    m = survey.svymean(x, "api00", by=["stype"], **kw)
    r = survey.svyratio(x, "api00", "one", by=["stype"], **kw)
    np.testing.assert_allclose(r["estimate"], m["estimate"], rtol=1e-12)
    np.testing.assert_allclose(r["se"], m["se"], rtol=1e-10)


def test_ratio_interval_and_p_value():
    x = _api("strat")
    kw = DESIGNS["strat"][1]
    r = survey.svyratio(x, ["api00", "api_stu"], ["api99", "enroll"], level=0.9, null=1.0, **kw)
    assert len(r) == 4 and list(r["numerator"]) == ["api00", "api00", "api_stu", "api_stu"]
    z = 1.6448536269514722
    np.testing.assert_allclose(r["ci_high"] - r["estimate"], z * r["se"], rtol=1e-12)
    from scipy import stats

    np.testing.assert_allclose(
        r["p_value"], 2 * stats.norm.sf(np.abs((r["estimate"] - 1) / r["se"])), rtol=1e-12
    )


def test_bad_options():
    x = _api("clus1")
    with pytest.raises(InputError, match="stages"):
        survey.svymean(x, "api00", cluster="dnum", strata=None, stages=3)
    with pytest.raises(InputError, match="second stage"):
        survey.svyratio(x, "api00", "api99", cluster="dnum", strata=None, stages=1,
                        psu_population="fpc")  # fmt: skip
    with pytest.raises(InputError, match="certainty"):
        survey.svymean(x, "api00", cluster="dnum", strata=None, stages=1, certainty=True)
    with pytest.raises(InputError, match="level"):
        survey.svyratio(x, "api00", "api99", cluster="dnum", strata=None, level=95)
    with pytest.raises(InputError, match="not in the data"):
        survey.svyratio(x, "api00", "nope", cluster="dnum", strata=None)


@pytest.mark.parametrize("stages", [2, 1])
def test_stratified_fixture_ratio_and_mean_match_r(stages):
    """Governments as strata, missing answers, weights varying within units, a lonely unit."""
    x = pd.read_csv(R_DIR / "survey_fixture.csv", dtype={"gov_code": "string"})
    kw = dict(cluster="unit_code", strata="gov_code", weights="w", stratum_population="M",
              stages=stages, psu_population="N" if stages == 2 else None)  # fmt: skip
    design = "fixture_two_stage" if stages == 2 else "fixture_one_stage"
    for stat, fn, args in (
        ("ratio", survey.svyratio, ("BP1", "AK1")),
        ("mean", survey.svymean, ("KB3",)),
    ):
        ref = _ref(design, stat, args[0])
        nat = fn(x, *args, **kw).assign(gov_code="all")
        dom = fn(x, *args, by=["gov_code"], **kw)
        got = pd.concat([nat, dom]).set_index("gov_code")
        for domain, r in ref.iterrows():
            assert got.loc[domain, "estimate"] == pytest.approx(r["estimate"], rel=1e-10)
            assert got.loc[domain, "se"] == pytest.approx(r["se"], rel=1e-8, abs=1e-12)
