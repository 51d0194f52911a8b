"""Unit keys: unit codes repeat across governments, so every unit argument refuses them alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import keys
from berakhlak_research.exceptions import ValidationError
from berakhlak_research.framework import BEHAVIOUR_CODES
from berakhlak_research.indices import culture_index, ikm, ikm_elements_table, sample_adequacy
from berakhlak_research.models.did import dose_response, event_study, staggered_att, twfe
from berakhlak_research.models.multilevel import random_intercept
from berakhlak_research.models.value_chain import mediation, within_unit
from berakhlak_research.simulate.did import staggered_panel


@pytest.fixture(scope="module")
def demo_units(demo_sim):
    """Respondent scores of the demo: 159 units of 7 governments share 28 unit codes."""
    resp = demo_sim.tables["culture_responses"]
    items = resp[list(BEHAVIOUR_CODES)].astype("float64")
    return pd.DataFrame(
        {
            "gov_code": resp["gov_code"].astype(str),
            "unit_code": resp["unit_code"].astype(str),
            "wave": resp["wave"].astype("int64"),
            "score": items.mean(axis=1),
        }
    ).dropna()


@pytest.fixture(scope="module")
def did_panel():
    """A staggered panel whose unit codes are renumbered 1..k within each government."""
    panel, _ = staggered_panel(n_units=120, units_per_gov=6, seed=3)
    local = panel.groupby("gov_code", sort=False)["unit_code"].rank(method="dense")
    return panel.assign(global_code=panel["unit_code"], unit_code=local.astype(int).astype(str))


def test_unit_key_is_the_pair_and_keeps_missing():
    df = pd.DataFrame({"gov_code": ["35.75", "35.14", None], "unit_code": ["1", "1", "2"]})
    got = keys.unit_key(df)
    assert got.tolist()[:2] == ["35.75/1", "35.14/1"]
    assert pd.isna(got.iloc[2])
    assert got.name == keys.KEY
    with pytest.raises(ValidationError, match="gov=... and unit="):
        keys.unit_key(df, gov="kode_pemda")


def test_demo_case_refused_then_right_with_gov(demo_units):
    d = demo_units
    pairs = d[["gov_code", "unit_code"]].drop_duplicates()
    n_units, n_codes = len(pairs), d["unit_code"].nunique()
    assert n_units > 5 * n_codes  # the case: ~150 units under 28 codes
    with pytest.raises(ValidationError, match=r"gov='gov_code'.*unit_code") as err:
        random_intercept(d, "score ~ 1", "unit_code")
    assert f"{n_units} units would be pooled into {n_codes} groups" in str(err.value)
    fit = random_intercept(d, "score ~ 1", "unit_code", gov="gov_code")
    assert int(fit.variance["n_groups"].iloc[0]) == n_units
    # the same model as grouping by a hand-made key of the pair
    by_key = random_intercept(d.assign(k=keys.unit_key(d)), "score ~ 1", "k")
    np.testing.assert_allclose(fit.variance["icc"].iloc[0], by_key.variance["icc"].iloc[0])
    pooled = random_intercept(d.assign(k=d["unit_code"]), "score ~ 1", "k")
    # pooling units of different governments hides most of the between-unit variance
    assert fit.variance["icc"].iloc[0] > pooled.variance["icc"].iloc[0] + 0.05
    nested = random_intercept(d, "score ~ 1", ["gov_code", "unit_code"])
    assert int(nested.variance["n_groups"].iloc[-2]) == n_units
    with pytest.raises(ValidationError):
        random_intercept(d, "score ~ 1", ["wave", "unit_code"])


def test_indices_refuse_unit_without_government(demo_units, demo_sim):
    resp = demo_sim.tables["culture_responses"]
    with pytest.raises(ValidationError, match="Add 'gov_code' to by"):
        culture_index(resp, by=["unit_code", "wave"])
    ok = culture_index(resp, by=["gov_code", "unit_code", "wave"])
    assert len(ok)
    skm = demo_sim.tables["skm_responses"]
    for f in (ikm, ikm_elements_table):
        with pytest.raises(ValidationError, match="Add 'gov_code' to by"):
            f(skm, by=["unit_code", "period"])
    with pytest.raises(ValidationError, match="Add 'gov_code' to by"):
        sample_adequacy(skm, by=("unit_code", "period"))
    # national IKM clustered by unit: the clusters would pool units of different governments
    with pytest.raises(ValidationError, match="cluster='unit_code'|cluster"):
        ikm(skm, by=["period"])
    assert len(ikm(skm, by=["period"], cluster=None))
    assert len(ikm(skm, by=["gov_code", "period"]))


def test_did_refuses_repeated_unit_codes_and_gov_gives_the_pair(did_panel):
    p = did_panel
    with pytest.raises(ValidationError, match="pass gov=|Pass gov="):
        staggered_att(p, "culture_overall", "unit_code", "wave", "first_treated", n_boot=0)
    got = staggered_att(p, "culture_overall", "unit_code", "wave", "first_treated", n_boot=0,
                        gov="gov_code")  # fmt: skip
    want = staggered_att(p, "culture_overall", "global_code", "wave", "first_treated", n_boot=0)
    pd.testing.assert_frame_equal(got.table, want.table)
    for f, args in ((twfe, ("treated",)), (event_study, ("first_treated",))):
        with pytest.raises(ValidationError, match="Pass gov="):
            f(p, "culture_overall", "unit_code", "wave", *args)
        pd.testing.assert_frame_equal(
            f(p, "culture_overall", "unit_code", "wave", *args, gov="gov_code"),
            f(p, "culture_overall", "global_code", "wave", *args),
        )
    with pytest.raises(ValidationError, match="Pass gov="):
        dose_response(p, "culture_overall", "unit_code", "wave", "first_treated", "hours",
                      n_boot=0)  # fmt: skip
    with pytest.raises(ValidationError, match="gov='nope' is not a column"):
        twfe(p, "culture_overall", "unit_code", "wave", "treated", gov="nope")


def test_value_chain_refuses_repeated_unit_codes(did_panel):
    p = did_panel.assign(ikm=did_panel["culture_overall"] * 0.5 + 40)
    with pytest.raises(ValidationError, match="unit key"):
        mediation(p, "treated", "culture_overall", "ikm", cluster="gov_code",
                  fixed_effects=["unit_code", "wave"], n_boot=200)  # fmt: skip
    with pytest.raises(ValidationError, match="Pass gov="):
        within_unit(p, values=("overall",), gov=None)
    with pytest.raises(TypeError, match="gov="):
        within_unit(p, values=("overall",), unit=("gov_code", "unit_code"))
    a = within_unit(p, values=("overall",))
    b = within_unit(p.assign(unit_code=p["global_code"]), values=("overall",))
    pd.testing.assert_frame_equal(a, b)


def test_check_unit_passes_what_cannot_pool():
    df = pd.DataFrame({"gov_code": ["A", "A", "B"], "unit_code": ["1", "2", "3"], "w": [1, 2, 1]})
    keys.check_unit(df, "unit_code", func="f")  # unique codes
    keys.check_unit(df, ["gov_code", "unit_code"], func="f")  # the pair
    keys.check_unit(df.drop(columns="gov_code"), "unit_code", func="f")  # nothing to check by
    with pytest.raises(ValidationError, match="f: unit='w'"):
        keys.check_unit(df, "w", func="f")
