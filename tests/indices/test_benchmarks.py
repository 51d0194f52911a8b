"""Ranks, peer quartiles and change tests, recomputed by hand; the suppression table."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from berakhlak_research import indices


def _index_table():
    govs = ["35.75", "35.73", "35.78", "35.14", "35.07", "35"]
    rows = []
    rng = np.random.default_rng(5)
    for wave in (2023, 2024):
        for g in govs:
            for v in ("overall", "AD"):
                rows.append((g, wave, v, rng.uniform(40, 80), rng.uniform(1, 3)))
    d = pd.DataFrame(rows, columns=["gov_code", "wave", "value", "estimate", "se"])
    d["aggregation"] = "government"
    d["scoring"] = "favourable"
    return d


def test_ranks_and_peers_by_hand():
    d = _index_table()
    b = indices.culture_benchmarks(d)
    kinds = {"35.75": "kota", "35.73": "kota", "35.78": "kota", "35.14": "kabupaten",
             "35.07": "kabupaten", "35": "provinsi"}  # fmt: skip
    assert b["kind"].tolist() == [kinds[g] for g in b["gov_code"]]
    for _key, grp in b.groupby(["wave", "value"]):
        order = grp["estimate"].rank(ascending=False, method="min")
        assert (grp["rank_national"] == order).all()
        assert (grp["n_national"] == len(grp)).all()
        assert grp["peer_median_national"].iloc[0] == pytest.approx(grp["estimate"].median())
        assert grp["peer_q75_national"].iloc[0] == pytest.approx(grp["estimate"].quantile(0.75))
        kota = grp[grp["kind"] == "kota"]
        assert (kota["rank_kind"] == kota["estimate"].rank(ascending=False, method="min")).all()
        assert kota["peer_median_kind"].iloc[0] == pytest.approx(kota["estimate"].median())
        assert (kota["n_kind"] == 3).all()


def test_change_since_previous_wave_by_hand():
    d = _index_table()
    b = indices.culture_benchmarks(d)
    row = b[(b["gov_code"] == "35.75") & (b["wave"] == 2024) & (b["value"] == "AD")].iloc[0]
    cur = d[(d["gov_code"] == "35.75") & (d["wave"] == 2024) & (d["value"] == "AD")].iloc[0]
    prev = d[(d["gov_code"] == "35.75") & (d["wave"] == 2023) & (d["value"] == "AD")].iloc[0]
    se = np.hypot(cur["se"], prev["se"])
    assert row["change"] == pytest.approx(cur["estimate"] - prev["estimate"])
    assert row["change_se"] == pytest.approx(se)
    assert row["change_ci_low"] == pytest.approx(row["change"] - 1.959963984540054 * se)
    assert row["change_p_value"] == pytest.approx(2 * stats.norm.sf(abs(row["change"]) / se))
    assert row["previous_wave"] == 2023
    first = b[b["wave"] == 2023]
    assert first["change"].isna().all() and first["previous_wave"].isna().all()


def test_suppressed_governments_are_not_ranked():
    d = _index_table()
    d.loc[0, "estimate"] = np.nan  # withheld
    b = indices.culture_benchmarks(d)
    g0 = d.loc[0]
    row = b[
        (b["gov_code"] == g0["gov_code"]) & (b["wave"] == g0["wave"]) & (b["value"] == g0["value"])
    ]
    assert row["rank_national"].isna().all()
    assert (b[(b["wave"] == g0["wave"]) & (b["value"] == g0["value"])]["n_national"] == 5).all()


def test_suppression_table_lists_groups_once():
    t = pd.DataFrame(
        {
            "aggregation": ["unit"] * 4,
            "gov_code": ["35.75"] * 4,
            "unit_code": ["A", "A", "B", "C"],
            "wave": [2024] * 4,
            "value": ["overall", "BP", "overall", "overall"],
            "n": [4, 3, 12, 7],
            "suppressed": [True, True, False, True],
            "suppression_reason": [
                "fewer than 10 respondents",
                "fewer than 10 respondents",
                None,
                "fewer than 10 respondents",
            ],
        }
    )
    s = indices.suppression_table({"culture_index": t, "other": None})
    cols = ["table", "aggregation", "gov_code", "unit_code", "wave", "n", "reason"]
    assert s.columns.tolist() == cols
    assert s["unit_code"].tolist() == ["A", "C"]
    assert s["n"].tolist() == [3, 7]
    empty = indices.suppression_table({})
    assert empty.empty and "reason" in empty.columns
    # the pipeline's tables hold categoricals (categories in any order, NA codes):
    # grouped by code, they give the same table as plain strings
    cat = t.assign(
        aggregation=pd.Categorical(t["aggregation"], categories=["unit", "government"]),
        unit_code=pd.Categorical(t["unit_code"], categories=["C", "B", "A"]),
        suppression_reason=t["suppression_reason"].astype("category"),
    )
    cat.loc[3, "unit_code"] = np.nan  # a government-level row has no unit
    plain = t.astype({"unit_code": "string"})
    plain.loc[3, "unit_code"] = pd.NA
    pd.testing.assert_frame_equal(
        indices.suppression_table({"culture_index": cat}),
        indices.suppression_table({"culture_index": plain}),
    )
