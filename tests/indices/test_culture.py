"""Culture indices: independent recomputation, categories, suppression, edge cases, coverage."""

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import indices, survey
from berakhlak_research.exceptions import InputError, ParameterError
from berakhlak_research.framework import (
    BEHAVIOUR_CODES,
    VALUE_CODES,
    behaviours_of,
    culture_category,
)
from berakhlak_research.indices import culture as culture_module
from tests._data.measure import culture_population, culture_sample


def _scores(r, scoring):
    x = r[list(BEHAVIOUR_CODES)].astype("float64")
    return (x >= 4).where(x.notna()) * 100.0 if scoring == "favourable" else (x - 1) / 4 * 100


def _by_hand(r, keys, scoring, weights=None):
    """Straightforward pandas version: respondent value score = mean of answered items."""
    s = _scores(r, scoring)
    vals = pd.DataFrame({v: s[list(behaviours_of(v))].mean(axis=1) for v in VALUE_CODES})
    vals["overall"] = vals[list(VALUE_CODES)].mean(axis=1)
    w = pd.Series(1.0 if weights is None else weights, index=r.index)
    rows = []
    grouper = keys if len(keys) > 1 else keys[0]
    for key, idx in r.groupby(grouper, sort=False).groups.items():
        key = key if isinstance(key, tuple) else (key,)
        for v in ["overall", *VALUE_CODES]:
            y = vals.loc[idx, v]
            ok = y.notna()
            rows.append(
                (
                    *key,
                    v,
                    np.average(y[ok], weights=w[idx][ok]) if ok.any() else np.nan,
                    int(ok.sum()),
                )
            )
    return pd.DataFrame(rows, columns=[*keys, "value", "estimate", "n"])


@pytest.mark.parametrize("scoring", ["favourable", "mean"])
@pytest.mark.parametrize(
    "keys", [["gov_code", "wave"], ["gov_code", "unit_code", "wave"], ["wave", "sex"]]
)
def test_culture_index_recomputed_by_hand(scoring, keys):
    r, _ = culture_sample()
    got = indices.culture_index(r, by=keys, scoring=scoring, min_group=5)
    exp = _by_hand(r, keys, scoring)
    got = got[[*keys, "value", "estimate", "n"]].astype({"value": "string"})
    exp = exp.astype({"value": "string"})
    keep = (exp["n"] >= 5).to_numpy()
    pd.testing.assert_frame_equal(
        got[keep].reset_index(drop=True), exp[keep].reset_index(drop=True), check_dtype=False
    )


def test_weighted_index_and_behaviours_by_hand():
    r, _ = culture_sample(seed=4)
    w = np.random.default_rng(0).uniform(0.5, 2, len(r))
    got = indices.culture_index(r, by=["gov_code", "wave"], weights=w, min_group=5)
    exp = _by_hand(r, ["gov_code", "wave"], "favourable", weights=w)
    np.testing.assert_allclose(got["estimate"], exp["estimate"])
    beh = indices.culture_index(r, by=["gov_code", "wave"], scoring="mean", behaviours=True)
    s = _scores(r, "mean")
    b = s.groupby([r["gov_code"], r["wave"]], sort=False).mean().stack().to_numpy()
    np.testing.assert_allclose(beh["estimate"], b)


def test_complete_answers_value_is_mean_of_behaviours():
    r, u = culture_sample(miss=0.0)
    t = indices.culture_tables(r, u, min_group=5)
    v = t["culture_index"].query("aggregation == 'government' and scoring == 'mean'")
    v = v.astype({"value": "string"})
    b = t["culture_behaviour"].query("aggregation == 'government' and scoring == 'mean'")
    b = b.assign(value=b["behaviour"].astype(str).str[:2])
    b = b.astype({"gov_code": "string"})
    v = v.astype({"gov_code": "string"})
    mean_b = b.groupby(["gov_code", "wave", "value"])["estimate"].mean()
    vv = v[v["value"] != "overall"].set_index(["gov_code", "wave", "value"])["estimate"]
    np.testing.assert_allclose(vv.sort_index(), mean_b.sort_index())
    ov = v[v["value"] == "overall"].set_index(["gov_code", "wave"])["estimate"].sort_index()
    np.testing.assert_allclose(ov, vv.groupby(level=[0, 1]).mean().sort_index())


def test_levels_nest_and_categories():
    r, u = culture_sample()
    t = indices.culture_tables(r, u, min_group=5)["culture_index"]
    assert set(t["aggregation"].astype(str)) == {"national", "province", "government", "unit"}
    nat = t.query("aggregation == 'national' and scoring == 'favourable' and value == 'overall'")
    exp = _by_hand(r, ["wave"], "favourable").query("value == 'overall'")
    np.testing.assert_allclose(nat["estimate"], exp["estimate"])
    prov = t.query("aggregation == 'province'")
    assert set(prov["gov_code"]) == {"35", "11"}
    shown = t[~t["suppressed"]]
    exp_cat = [culture_category(x).code for x in shown["estimate"]]
    assert shown["category"].astype(str).tolist() == exp_cat
    keys = ["aggregation", "gov_code", "unit_code", "wave", "value", "scoring"]
    assert t.columns[:6].tolist() == keys


def test_suppressed_units_still_count_in_government():
    r, u = culture_sample(resp=(2, 14))
    t = indices.culture_tables(r, u)["culture_index"]
    unit = t.query("aggregation == 'unit'")
    sup = unit[unit["suppressed"]]
    assert len(sup) > 0 and sup["estimate"].isna().all() and sup["se"].isna().all()
    assert (sup["n"] < 10).all()
    assert sup["suppression_reason"].astype(str).str.startswith("fewer than 10").all()
    gov = t.query("aggregation == 'government' and value == 'overall' and scoring == 'favourable'")
    n_rows = r.groupby(["gov_code", "wave"]).size()
    got_n = (
        gov.astype({"gov_code": "string"})
        .set_index(["gov_code", "wave"])["n"]
        .sort_index()
        .to_numpy()
    )
    np.testing.assert_array_equal(got_n, n_rows.sort_index().to_numpy())
    table = indices.suppression_table({"culture_index": t})
    cols = {"table", "aggregation", "gov_code", "unit_code", "wave", "n", "reason"}
    assert set(table.columns) == cols
    assert len(table) == sup[["gov_code", "unit_code", "wave"]].drop_duplicates().shape[0]


def test_min_group_configurable_never_below_five():
    r, u = culture_sample()
    a = indices.culture_tables(r, u, min_group=20)["culture_index"]
    b = indices.culture_tables(r, u, min_group=5)["culture_index"]
    assert a["suppressed"].sum() > b["suppressed"].sum()
    with pytest.raises(ParameterError):
        indices.culture_tables(r, u, min_group=4)
    with pytest.raises(ParameterError):
        indices.culture_index(r, min_group=3)


def test_edge_cases_single_respondent_all_missing_item_single_wave():
    r, u = culture_sample(waves=(2024,))
    one = r.iloc[[0]].assign(unit_code="SOLO")
    r = pd.concat([r, one], ignore_index=True)
    u = pd.concat(
        [u, pd.DataFrame({"gov_code": ["35.75"], "unit_code": ["SOLO"], "headcount": [3]})]
    )
    r["AD2"] = pd.array([pd.NA] * len(r), dtype="Int8")
    t = indices.culture_tables(r, u, min_group=5)
    b = t["culture_behaviour"]
    ad2 = b[b["behaviour"] == "AD2"]
    assert (ad2["n"] == 0).all() and ad2["estimate"].isna().all() and ad2["suppressed"].all()
    ci = t["culture_index"]
    solo = ci[(ci["unit_code"] == "SOLO")]
    assert solo["suppressed"].all()
    gov = ci.query("aggregation == 'government' and gov_code == '35.75'")
    assert gov["estimate"].notna().all() and np.isfinite(gov["se"]).all()
    assert set(ci["wave"]) == {2024}
    # AD is still scored from AD1 and AD3.
    assert ci.query("value == 'AD' and aggregation == 'national'")["estimate"].notna().all()


@pytest.mark.parametrize(
    ("dtype", "bad"),
    [("Int8", 7), ("Int8", 0), ("Int8", -1), ("Int64", 300), ("int64", 260), ("float64", 2.5)],
)
def test_bad_answers_rejected(dtype, bad):
    r, _ = culture_sample()
    r["BP1"] = r["BP1"].fillna(3).astype(dtype)
    r.loc[5, "BP1"] = bad
    with pytest.raises(InputError, match=r"Item BP1 .*first bad row 5"):
        indices.culture_index(r)


@pytest.mark.parametrize("dtype", ["Int16", "Int64", "float64", "int64", "int8"])
def test_item_dtypes_give_identical_indices(dtype):
    """Nullable Int8 (the fast path) and every other integer or float column agree."""
    r, _ = culture_sample()
    if dtype.startswith("int"):  # plain integers cannot hold missing answers
        r[list(BEHAVIOUR_CODES)] = r[list(BEHAVIOUR_CODES)].fillna(3)
    ref = indices.culture_index(r.astype({c: "Int8" for c in BEHAVIOUR_CODES}), behaviours=True)
    got = indices.culture_index(r.astype({c: dtype for c in BEHAVIOUR_CODES}), behaviours=True)
    pd.testing.assert_frame_equal(got, ref)


def test_raked_weights_flow_through():
    r, u = culture_sample()
    w = survey.rake_weights(r, u).weights
    t = indices.culture_index(
        r, by=["gov_code", "wave"], weights=w.to_numpy(), units=u, min_group=5
    )
    exp = _by_hand(r, ["gov_code", "wave"], "favourable", weights=w.to_numpy())
    np.testing.assert_allclose(t["estimate"], exp["estimate"])


@pytest.mark.parametrize("threads", ["1", "2", "7"])
@pytest.mark.parametrize("grouped", [True, False])
def test_blocks_and_threads_give_identical_tables(monkeypatch, threads, grouped):
    """Rows grouped by unit are cut into cache-sized blocks at unit boundaries; otherwise
    values are split over threads; levels and item columns run on threads too. Whatever
    the split, the numbers are the same, bit for bit, as one pass on one thread."""
    r, u = culture_sample()
    order = ["wave", "gov_code", "unit_code"]
    r = r.sort_values(order) if grouped else r.sample(frac=1.0, random_state=5)
    r = r.reset_index(drop=True)
    w = survey.rake_weights(r, u).weights.to_numpy()
    monkeypatch.setenv("BERAKHLAK_THREADS", "1")
    monkeypatch.setattr(culture_module, "_BLOCK_ROWS", 10**9)  # one pass over all rows
    one = indices.culture_tables(r, u, weights=w, n_boot=20, seed=3)
    monkeypatch.setenv("BERAKHLAK_THREADS", threads)
    monkeypatch.setattr(culture_module, "_BLOCK_ROWS", 64)  # ~10 blocks of whole units
    many = indices.culture_tables(r, u, weights=w, n_boot=20, seed=3)
    for name in one:
        pd.testing.assert_frame_equal(one[name], many[name], check_exact=True)


def test_bad_thread_setting_is_named(monkeypatch):
    r, u = culture_sample()
    monkeypatch.setenv("BERAKHLAK_THREADS", "two")
    with pytest.raises(ParameterError, match="BERAKHLAK_THREADS"):
        indices.culture_tables(r, u)


def _coverage(n_rep, seed):
    rng = np.random.default_rng(seed)
    pop, units = culture_population(rng)
    s = _scores(pop, "mean")
    vals = pd.DataFrame({v: s[list(behaviours_of(v))].mean(axis=1) for v in VALUE_CODES})
    overall = vals.mean(axis=1)
    true_gov = overall.groupby(pop["gov_code"]).mean()
    true_unit = overall.groupby(pop["unit_code"]).mean()
    hits_g, hits_u = [], []
    for _ in range(n_rep):  # replications of the whole survey, not groups
        frac = rng.uniform(0.2, 0.8, len(units))
        keep = rng.random(len(pop)) < frac[pop["unit_code"].str.slice(1).astype(int).to_numpy()]
        smp = pop[keep].reset_index(drop=True)
        w = survey.rake_weights(smp, units, trim=None).weights.to_numpy()
        t = indices.culture_tables(
            smp,
            units,
            aggregations=("government", "unit"),
            scorings=("mean",),
            weights=w,
            min_group=5,
        )["culture_index"]
        t = t[t["value"] == "overall"]
        g = t[t["aggregation"] == "government"].set_index("gov_code")
        hits_g.append(
            ((g["ci_low"] <= true_gov[g.index]) & (true_gov[g.index] <= g["ci_high"])).to_numpy()
        )
        un = t[(t["aggregation"] == "unit") & ~t["suppressed"]].set_index("unit_code")
        tu = true_unit[un.index]
        hits_u.append(((un["ci_low"] <= tu) & (tu <= un["ci_high"])).to_numpy())
    return np.concatenate(hits_g).mean(), np.concatenate(hits_u).mean()


def test_interval_coverage_finite_population_quick():
    cov_g, cov_u = _coverage(40, seed=7)
    assert 0.88 <= cov_g <= 0.99, cov_g
    assert 0.90 <= cov_u <= 0.98, cov_u


@pytest.mark.slow
def test_interval_coverage_finite_population_many_seeds():
    res = np.array([_coverage(50, seed=s) for s in range(20)])
    cov_g, cov_u = res.mean(0)
    assert 0.93 <= cov_g <= 0.97, cov_g
    assert 0.93 <= cov_u <= 0.97, cov_u


def test_bootstrap_agrees_with_analytic_without_fpc():
    r, u = culture_sample(seed=9, units_per=24, resp=(15, 40), waves=(2024,))
    t = indices.culture_tables(
        r, u, aggregations=("government",), scorings=("mean",), fpc=False, n_boot=300, seed=3
    )["culture_index"]
    ratio = t["boot_se"] / t["se"]
    assert 0.85 <= ratio.mean() <= 1.15, ratio.describe()
    assert ratio.between(0.6, 1.5).all()
    # With the finite-population correction and every unit surveyed the analytic SE is
    # smaller: only the within-unit sampling remains.
    t_fpc = indices.culture_tables(r, u, aggregations=("government",), scorings=("mean",))
    assert (t_fpc["culture_index"]["se"].to_numpy() < t["se"].to_numpy()).all()


@pytest.mark.parametrize("points", [4, 6])
def test_other_scale_lengths_by_hand(points):
    rng = np.random.default_rng(points)
    r, _ = culture_sample(seed=points)
    for c in BEHAVIOUR_CODES:
        x = rng.integers(1, points + 1, len(r)).astype(float)
        x[rng.random(len(r)) < 0.05] = np.nan
        r[c] = pd.array(x).astype("Int8")
    got = indices.culture_index(
        r, by=["gov_code", "wave"], scoring="mean", points=points, min_group=5
    )
    x = r[list(BEHAVIOUR_CODES)].astype("float64")
    s = (x - 1) / (points - 1) * 100
    vals = pd.DataFrame({v: s[list(behaviours_of(v))].mean(axis=1) for v in VALUE_CODES})
    overall = vals.mean(axis=1).groupby([r["gov_code"], r["wave"]], sort=False).mean()
    np.testing.assert_allclose(got[got["value"] == "overall"]["estimate"], overall.to_numpy())
    fav = indices.culture_index(r, by=["wave"], behaviours=True, points=points, min_group=5)
    exp = (x >= points - 1).astype(float).where(x.notna()).groupby(
        r["wave"], sort=False
    ).mean() * 100
    np.testing.assert_allclose(fav["estimate"], exp.to_numpy().ravel())


def test_intervals_stay_on_the_scale():
    """Near the top of the scale the Wald interval is truncated at 100 (and at 0 below)."""
    r, u = culture_sample()
    items = list(BEHAVIOUR_CODES)
    top = r["unit_code"] == r["unit_code"].iloc[0]
    r.loc[top, items] = 5  # one unit all favourable ...
    r.loc[top & (np.arange(len(r)) % 7 == 0), items] = 3  # ... but a few
    tabs = indices.culture_tables(r, u, min_group=5)
    both = pd.concat([tabs["culture_index"], tabs["culture_behaviour"]])
    shown = both.dropna(subset=["estimate"])
    assert (shown["ci_low"] >= 0).all() and (shown["ci_high"] <= 100).all()
    assert ((shown["estimate"] + 1.96 * shown["se"]) > 100).any()  # truncation happened
    one = indices.culture_index(r, by=["gov_code", "unit_code", "wave"])
    assert (one["ci_high"].dropna() <= 100).all()
