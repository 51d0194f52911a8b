"""Answer shares per behaviour and the index by demographic group, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import framework as fw
from berakhlak_research.indices import demographic_index, item_shares, item_tables


def _resp(answers: list[int], sex: list[str]) -> pd.DataFrame:
    d = pd.DataFrame({b: answers for b in fw.BEHAVIOUR_CODES})
    d.insert(0, "gov_code", "35.75")
    d.insert(1, "wave", 2025)
    d["sex"] = sex
    return d


def test_item_shares_by_hand_with_weights():
    d = _resp([1, 3, 4, 5, 2, 4], ["L"] * 6)
    d.loc[4, "BP1"] = np.nan  # a missing answer leaves the denominator
    w = np.array([1.0, 2.0, 1.0, 1.0, 5.0, 1.0])
    s = item_shares(d, weights=w, min_group=5).set_index("behaviour")
    bp1 = s.loc["BP1"]
    assert bp1["n"] == 5
    assert bp1["unfavourable"] == pytest.approx(100 * 1 / 6)
    assert bp1["neutral"] == pytest.approx(100 * 2 / 6)
    assert bp1["favourable"] == pytest.approx(100 * 3 / 6)
    ak1 = s.loc["AK1"]  # the weight-5 answer 2 counts here
    assert ak1["unfavourable"] == pytest.approx(100 * 6 / 11)
    np.testing.assert_allclose(s[["unfavourable", "neutral", "favourable"]].sum(axis=1), 100)
    # under the threshold: withheld
    small = item_shares(d, weights=w, min_group=10)
    assert small["suppressed"].all() and small["favourable"].isna().all()


def test_demographic_index_by_hand():
    d = _resp([5, 4, 1, 1, 1, 2, 3, 4, 4, 4], ["L"] * 5 + ["P"] * 5)
    d.loc[0, "BP1"] = 1  # respondent 0: 20 of 21 favourable
    out = demographic_index(d, min_group=5).set_index(["dimension", "group"])
    scores = np.array([100 * 20 / 21, 100, 0, 0, 0])
    male = out.loc[("sex", "L")]
    assert male["estimate"] == pytest.approx(scores.mean())
    se = np.sqrt(((scores - scores.mean()) ** 2).sum() * 5 / 4) / 5
    assert male["se"] == pytest.approx(se)
    assert out.loc[("sex", "P"), "estimate"] == pytest.approx(60.0)
    assert (out["n"] == 5).all()
    assert demographic_index(d, min_group=6)["estimate"].isna().all()


def test_demographic_index_clusters_units_by_hand():
    # ten men in three units: the SE is the linearised one with units as clusters
    d = _resp([5, 4, 1, 1, 1, 2, 3, 4, 4, 4], ["L"] * 10)
    d["unit_code"] = ["a", "a", "a", "b", "b", "b", "b", "c", "c", "c"]
    w = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0, 1.0])
    out = demographic_index(d, weights=w, min_group=5).set_index(["dimension", "group"])
    male = out.loc[("sex", "L")]
    scores = np.array([100.0, 100, 0, 0, 0, 0, 0, 100, 100, 100])
    est = (w * scores).sum() / w.sum()
    e = pd.Series(w * (scores - est)).groupby(d["unit_code"]).sum().to_numpy()
    se = np.sqrt(3 / 2 * (e**2).sum()) / w.sum()
    assert male["estimate"] == pytest.approx(est)
    assert male["se"] == pytest.approx(se)
    assert male["clusters"] == 3 and male["n"] == 10
    # without clusters: the with-replacement SE of a weighted mean, a different number
    flat = demographic_index(d, weights=w, min_group=5, cluster=None)
    flat = flat.set_index(["dimension", "group"]).loc[("sex", "L")]
    se_flat = np.sqrt(10 / 9 * ((w * (scores - est)) ** 2).sum()) / w.sum()
    assert flat["se"] == pytest.approx(se_flat)
    assert abs(flat["se"] - male["se"]) > 1e-6
    # all of a group in one unit: no between-unit variance to estimate
    d["unit_code"] = "a"
    one = demographic_index(d, min_group=5)
    assert one["se"].isna().all() and (one["clusters"] == 1).all()


def test_item_tables_equal_the_two_functions_for_int_and_float_answers():
    rng = np.random.default_rng(3)
    n = 400
    d = pd.DataFrame({b: rng.integers(1, 6, n) for b in fw.BEHAVIOUR_CODES})
    d = d.astype("Int8")
    d.iloc[rng.integers(0, n, 60), 3] = pd.NA
    d.iloc[0, 5] = 9  # outside 1-5: counts as missing
    d.insert(0, "gov_code", rng.choice(["35.75", "35.73"], n))
    d.insert(1, "wave", rng.choice([2024, 2025], n))
    d["unit_code"] = rng.choice(["U001", "U002", "U003"], n)
    d["sex"] = rng.choice(["L", "P"], n)
    d["age_group"] = rng.choice(["<30", "30-39", "50+"], n)
    w = rng.uniform(0.5, 2, n)
    both = item_tables(d, weights=w, min_group=10)
    pd.testing.assert_frame_equal(both["culture_item_shares"], item_shares(d, weights=w))
    pd.testing.assert_frame_equal(both["culture_demographics"],
                                  demographic_index(d, weights=w))  # fmt: skip
    # float answers (an export read without the canonical dtype) give the same tables
    f = d.astype({b: "float64" for b in fw.BEHAVIOUR_CODES})
    pd.testing.assert_frame_equal(item_shares(f, weights=w), both["culture_item_shares"])
    pd.testing.assert_frame_equal(demographic_index(f, weights=w), both["culture_demographics"])
    assert both["culture_demographics"]["clusters"].between(1, 3).all()
