"""IKM (PermenPANRB 14/2017) and Krejcie-Morgan: golden values and independent recomputation."""

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import indices
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import IKM_ELEMENT_CODES, ikm_band
from tests._data import R_DIR
from tests._data.measure import skm_from_totals, skm_sample

GOLDEN_TOTALS = [105, 101, 100, 116, 102, 105, 106, 105, 115]


def test_golden_29_respondents_exact_weight():
    skm = skm_from_totals(GOLDEN_TOTALS)
    assert skm[list(IKM_ELEMENT_CODES)].sum().tolist() == GOLDEN_TOTALS
    r = indices.ikm(skm).iloc[0]
    assert round(r["estimate"], 2) == 91.48
    assert r["band"] == "A" and r["band_label_id"] == "Sangat Baik"
    assert r["ikm_interval"] == pytest.approx(955 / 29 / 9)
    assert r["n"] == 29 and r["method_version"] == "2017"


def test_golden_rounded_weight():
    r = indices.ikm(skm_from_totals(GOLDEN_TOTALS), element_weight="rounded").iloc[0]
    assert round(r["estimate"], 2) == 91.38


def test_element_table_golden():
    e = indices.ikm_elements_table(skm_from_totals(GOLDEN_TOTALS))
    assert e["total"].tolist() == GOLDEN_TOTALS
    np.testing.assert_allclose(e["nrr"], np.array(GOLDEN_TOTALS) / 29)
    np.testing.assert_allclose(e["nrr_weighted"], np.array(GOLDEN_TOTALS) / 29 / 9)
    np.testing.assert_allclose(e["nrr_x25"], np.array(GOLDEN_TOTALS) / 29 * 25)
    assert e["band"].tolist() == [ikm_band(t / 29 * 25).code for t in GOLDEN_TOTALS]
    assert e["element_name_id"].iloc[0] == "Persyaratan"


@pytest.mark.parametrize(
    ("population", "required"),
    [(10, 10), (50, 44), (100, 80), (250, 152), (1000, 278), (1500, 306), (1_000_000, 384)],
)
def test_krejcie_morgan_printed_table(population, required):
    assert indices.krejcie_morgan(population) == required


def test_krejcie_morgan_vectorised_and_limit():
    np.testing.assert_array_equal(indices.krejcie_morgan([10, 100]), [10, 80])
    assert indices.KM_INFINITE == 384
    with pytest.raises(ParameterError):
        indices.krejcie_morgan(0)


def _by_hand(skm, keys, weight=1 / 9):
    """Straightforward IKM: per group, per element mean over answerers; sum x weight x 25."""
    rows = []
    for key, g in skm.groupby(keys, sort=False):
        nrr = [g[c].dropna().astype(float).mean() for c in IKM_ELEMENT_CODES]
        rows.append((*key, sum(nrr) * weight * 25, len(g)))
    return pd.DataFrame(rows, columns=[*keys, "estimate", "n"])


def test_ikm_recomputed_by_hand_with_missing_answers():
    skm = skm_sample()
    got = indices.ikm(skm, by=["gov_code", "unit_code"], min_group=5)
    exp = _by_hand(skm, ["gov_code", "unit_code"])
    shown = ~got["suppressed"]
    np.testing.assert_allclose(got.loc[shown, "estimate"], exp.loc[shown.to_numpy(), "estimate"])
    assert (got["n"] == exp["n"]).all()


def test_ikm_se_by_hand_unit_and_government():
    skm = skm_sample(
        units=(("35.75", "A"), ("35.75", "B"), ("35.75", "C")), resp=(30, 60), miss=0.0
    )
    # Complete answers: the linearised variable is 25/9 * (row sum - group mean row sum).
    s = skm[list(IKM_ELEMENT_CODES)].astype(float).sum(axis=1) * 25 / 9
    got = indices.ikm(skm, by=["gov_code", "unit_code"])
    for (_, u), g in skm.groupby(["gov_code", "unit_code"]):
        x = s[g.index]
        se = x.std(ddof=1) / np.sqrt(len(x))
        assert got.set_index("unit_code").loc[u, "se"] == pytest.approx(se, rel=1e-9)
    gov = indices.ikm(skm, by=["gov_code"], cluster="unit_code").iloc[0]
    z = (s - s.mean()) / len(s)
    t = z.groupby(skm["unit_code"]).sum()
    m = len(t)
    assert gov["se"] == pytest.approx(np.sqrt(m / (m - 1) * (t**2).sum()), rel=1e-9)
    assert gov["estimate"] == pytest.approx(s.mean())


def test_all_missing_element_uses_answered_elements():
    skm = skm_from_totals(GOLDEN_TOTALS)
    skm["U4"] = pd.array([pd.NA] * len(skm), dtype="Int8")
    r = indices.ikm(skm).iloc[0]
    others = [t for c, t in zip(IKM_ELEMENT_CODES, GOLDEN_TOTALS, strict=True) if c != "U4"]
    assert r["elements"] == 8
    assert r["estimate"] == pytest.approx(sum(others) / 29 / 8 * 25)
    e = indices.ikm_elements_table(skm)
    assert np.isnan(e.loc[e["element"] == "U4", "nrr"]).all()


def test_suppression_of_small_units_and_min_group_floor():
    skm = skm_sample(resp=(3, 8))
    got = indices.ikm(skm, by=["gov_code", "unit_code"])
    assert got["suppressed"].all() and got["estimate"].isna().all()
    assert got["suppression_reason"].astype(str).str.contains("fewer than 10").all()
    with pytest.raises(ParameterError):
        indices.ikm(skm, min_group=4)


def test_method_2004_weight_and_bands():
    rng = np.random.default_rng(0)
    d = pd.DataFrame(
        {f"E{i}": pd.array(rng.integers(1, 5, 40), dtype="Int8") for i in range(1, 15)}
    )
    d["g"] = "x"
    r = indices.ikm(d, by=["g"], method="2004").iloc[0]
    exp = d[[f"E{i}" for i in range(1, 15)]].astype(float).mean().sum() / 14 * 25
    assert r["estimate"] == pytest.approx(exp)
    assert r["method_version"] == "2004"
    assert r["band"] == ikm_band(exp, "2004").code


def test_sample_adequacy():
    skm = skm_sample(resp=(20, 30))
    pop = pd.DataFrame({"gov_code": ["35.75"], "unit_code": ["A"], "population": [25]})
    a = indices.sample_adequacy(skm, pop).set_index(["gov_code", "unit_code"])
    assert a.loc[("35.75", "A"), "required"] == indices.krejcie_morgan(25)
    assert a.loc[("35.75", "B"), "required"] == 384
    assert not a.loc[("35.75", "B"), "adequate"]
    assert a.loc[("35.75", "A"), "adequate"] == (a.loc[("35.75", "A"), "respondents"] >= 24)


def test_ikm_and_se_match_r_survey():

    r_dir = R_DIR
    x = pd.read_csv(r_dir / "ikm_fixture.csv", dtype={"gov_code": "string", "unit_code": "string"})
    for c in IKM_ELEMENT_CODES:
        x[c] = x[c].astype("Int8")
    ref = pd.read_csv(
        r_dir / "ikm_reference.csv", dtype={"gov_code": "string", "unit_code": "string"}
    )
    unit = indices.ikm(x, by=["gov_code", "unit_code", "period"])
    exp = ref[ref["level"] == "unit"].set_index("unit_code").loc[unit["unit_code"]]
    np.testing.assert_allclose(unit["estimate"], exp["estimate"], rtol=1e-12)
    np.testing.assert_allclose(unit["se"], exp["se"], rtol=1e-9)
    gov = indices.ikm(x[x["gov_code"] == "35.75"], by=["gov_code", "period"], cluster="unit_code")
    exp = ref[ref["level"] == "government"].iloc[0]
    assert gov["estimate"].iloc[0] == pytest.approx(exp["estimate"], rel=1e-12)
    assert gov["se"].iloc[0] == pytest.approx(exp["se"], rel=1e-9)
