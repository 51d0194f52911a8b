"""Alpha when omega fails, pairwise vs listwise alpha, and omega vs semTools, against R.

R reference: tests/r/reliability_reference.R (psych 2.2.9, lavaan, semTools; versions in
tests/r/reliability_reference_version.txt) on tests/r/reliability_items.csv, which
tests/r/make_reliability_fixture.py writes with a fixed seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import psychometrics as ps
from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.psychometrics._moments import pairwise_moments
from tests._data import R_DIR

K = {"few_rows": 11, "negative": 3, "missing": 6}
REF = pd.read_csv(R_DIR / "reliability_reference.csv")


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    d = pd.read_csv(R_DIR / "reliability_items.csv")
    return d.astype({c: "Int8" for c in d.columns if c != "set"})


def _set(items: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    cols = [f"i{j}" for j in range(1, K[name] + 1)]
    return items.loc[items["set"] == name, cols].reset_index(drop=True), cols


def _r(name: str, missing: str, statistic: str) -> float:
    hit = REF[(REF["set"] == name) & (REF["missing"] == missing) & (REF["statistic"] == statistic)]
    assert len(hit) == 1, (name, missing, statistic)
    return float(hit["value"].iloc[0])


@pytest.mark.parametrize("name", list(K))
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_alpha_matches_psych(items, name, missing):
    d, cols = _set(items, name)
    a = ps.cronbach_alpha(d, cols, missing=missing).iloc[0]
    for ours, theirs in (("estimate", "alpha"), ("se", "se"), ("ci_low", "ci_low"),
                         ("ci_high", "ci_high")):  # fmt: skip
        assert a[ours] == pytest.approx(_r(name, missing, theirs), abs=1e-10), ours
    assert a["n"] == _r(name, missing, "n")
    it = ps.item_total(d, value_map={"s": cols}, missing=missing)
    r_drop = [_r(name, missing, f"r_drop_i{j}") for j in range(1, K[name] + 1)]
    np.testing.assert_allclose(it["r_corrected"], r_drop, atol=1e-10)


def test_pairwise_and_listwise_differ_on_missing_data(items):
    d, cols = _set(items, "missing")
    lw = ps.cronbach_alpha(d, cols, missing="listwise").iloc[0]
    pw = ps.cronbach_alpha(d, cols, missing="pairwise").iloc[0]
    assert lw["n"] == _r("missing", "listwise", "n") < pw["n"] == 400
    assert abs(lw["estimate"] - pw["estimate"]) > 1e-3
    assert pw["se"] < lw["se"]  # more respondents behind every covariance


def test_alpha_returned_when_omega_cannot_be_fitted(items):
    """9 complete rows of 11 items: the covariance is singular, alpha is still defined."""
    d, cols = _set(items, "few_rows")
    a = ps.cronbach_alpha(d, cols)
    assert a["n"].iloc[0] == 9
    assert a["estimate"].iloc[0] == pytest.approx(_r("few_rows", "listwise", "alpha"), abs=1e-10)
    rel = ps.alpha_by(d, value_map={"s": cols}).iloc[0]
    assert rel["reason"] == "" and np.isfinite(rel["estimate"])
    assert np.isnan(rel["omega"]) and "not estimable" in rel["omega_note"]
    with pytest.raises(EstimationError, match="not estimable"):
        ps.mcdonald_omega(d, cols)


def test_alpha_returned_with_negative_covariance(items):
    d, cols = _set(items, "negative")
    c = d.astype(float).cov().to_numpy()
    assert c[0, 1] * c[0, 2] * c[1, 2] < 0  # the case: one negative covariance
    a = ps.cronbach_alpha(d, cols).iloc[0]
    assert a["estimate"] == pytest.approx(_r("negative", "listwise", "alpha"), abs=1e-10)
    rel = ps.alpha_by(d, value_map={"s": cols}).iloc[0]
    assert rel["reason"] == "" and np.isnan(rel["omega"])
    assert "negative inter-item covariance" in rel["omega_note"]
    with pytest.raises(EstimationError, match="negative inter-item covariance"):
        ps.mcdonald_omega(d, cols)


def test_measurement_tables_keep_omega_note_apart(items):
    d, cols = _set(items, "negative")
    d = d.rename(columns=dict(zip(cols, ["a1", "a2", "a3"], strict=True)))
    t = ps.measurement_tables(
        d.assign(gov_code="35.75", wave=2024),
        value_map={"A": ["a1", "a2", "a3"]},
        cfa_by_gov=False,
        min_n=10,
    )
    rel = t["reliability"]
    assert (rel["reason"] == "").all() and rel["alpha"].notna().all()
    assert rel["omega"].isna().all()
    assert rel["omega_note"].str.contains("negative inter-item covariance").all()


@pytest.mark.parametrize(("name", "k"), [("missing", 6), ("missing3", 3)])
def test_omega_is_comprelsem_without_observed_variance(items, name, k):
    d, _ = _set(items, "missing")
    cols = [f"i{j}" for j in range(1, k + 1)]
    om = ps.mcdonald_omega(d, cols)["estimate"].iloc[0]
    assert om == pytest.approx(_r(name, "listwise", "compRelSEM_obs_var_false"), abs=1e-5)
    assert om == pytest.approx(_r(name, "listwise", "omega_formula"), abs=1e-5)
    if k == 3:  # just identified: the default (observed total variance) is the same
        assert om == pytest.approx(_r(name, "listwise", "compRelSEM"), abs=1e-6)
    else:  # the default divides by the observed total variance instead
        assert abs(om - _r(name, "listwise", "compRelSEM")) > 1e-4


def test_pairwise_moments_equal_pandas_pairwise_cov(items):
    d, cols = _set(items, "missing")
    groups = np.arange(len(d)) % 3
    m = pairwise_moments(d[cols].to_numpy(dtype=float, na_value=np.nan), groups, 3)
    for g in range(3):
        direct = d[cols][groups == g].astype(float).cov()  # pandas: pairwise-complete
        np.testing.assert_allclose(m.cov[g], direct.to_numpy(), atol=1e-12)
        n_pair = d[cols][groups == g].notna().astype(int)
        np.testing.assert_array_equal(m.n_pair[g], (n_pair.T @ n_pair).to_numpy())


def test_missing_mode_is_checked(items):
    d, cols = _set(items, "missing")
    with pytest.raises(InputError, match="pairwise"):
        ps.cronbach_alpha(d, cols, missing="available")


def test_alpha_p_value_is_the_test_the_feldt_interval_inverts():
    """Two-sided Feldt test of alpha = 0: p < 1 - level exactly when the interval excludes 0."""
    rng = np.random.default_rng(11)
    n = 40
    f = rng.normal(size=n)
    d = pd.DataFrame(
        {
            **{f"g{j}": f + rng.normal(scale=1.5, size=n) for j in range(3)},
            **{f"z{j}": rng.normal(size=n) for j in range(3)},
        }
    )
    vmap = {"good": ["g0", "g1", "g2"], "noise": ["z0", "z1", "z2"]}
    seen = set()
    for level in (0.5, 0.8, 0.95, 0.99):
        out = ps.alpha_by(d, value_map=vmap, level=level)
        assert list(out.columns[:7]) == ["value", "estimate", "se", "ci_low", "ci_high",
                                         "p_value", "n"]  # fmt: skip
        excludes = (out["ci_low"] > 0) | (out["ci_high"] < 0)
        np.testing.assert_array_equal(out["p_value"] < 1 - level, excludes)
        seen |= set(excludes)
    assert seen == {True, False}  # both outcomes were exercised
    # the same p-value by hand from the covariance matrix
    c = np.cov(d[vmap["good"]].to_numpy(), rowvar=False)
    a = 1.5 * (1 - np.trace(c) / c.sum())
    from scipy import stats

    fs = 1 / (1 - a)
    p = 2 * min(stats.f.sf(fs, n - 1, 2 * (n - 1)), stats.f.cdf(fs, n - 1, 2 * (n - 1)))
    got = ps.cronbach_alpha(d, vmap["good"])
    assert got["p_value"].iloc[0] == pytest.approx(p, rel=1e-10)


def test_old_confidence_keyword_names_the_new_one(items):
    d, cols = _set(items, "negative")
    for call in (
        lambda: ps.cronbach_alpha(d, cols, ci=0.9),
        lambda: ps.alpha_by(d, value_map={"s": cols}, ci=0.9),
        lambda: ps.cfa(d, model={"s": cols}, ci=0.9),
    ):
        with pytest.raises(TypeError, match=r"ci= was renamed level="):
            call()
