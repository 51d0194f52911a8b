"""Randomisation inference for the mediation's programme paths over the governments' timing."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.keys import unit_key
from berakhlak_research.models import value_chain
from berakhlak_research.models.value_chain import (
    CULTURE_COLUMNS,
    PROGRAMME_PATHS,
    mediation,
    mediation_randomization,
)
from tests._data.chain import value_chain_fixture

VALUES = [CULTURE_COLUMNS[v] for v in VALUE_CODES]


def _panel(n_gov, seed=1):
    p = value_chain_fixture(seed, n_gov=n_gov, units_per_gov=4)
    return p.assign(_unit=unit_key(p), treated=p["treated"].astype(float))


def _mediation(p):
    m = mediation(p, "treated", "culture_overall", "ikm", cluster="gov_code",
                  fixed_effects=["_unit"], cohort="first_treated", time="wave",
                  mediators=VALUES, n_boot=50)  # fmt: skip
    return m.set_index("path")["estimate"]


def _ri(p, **kw):
    return mediation_randomization(p, "culture_overall", "ikm", "gov_code", time="wave",
                                   first_treated="first_treated", fixed_effects=["_unit"],
                                   mediators=VALUES, **kw).set_index("path")  # fmt: skip


def test_ri_equals_mediation_refitted_for_every_assignment():
    """Exact RI: the observed paths are mediation()'s, and every p-value equals a loop that
    refits mediation() (the full model, cells rebuilt) for each distinct timing."""
    p = _panel(5)
    ri = _ri(p)
    gov = p.drop_duplicates("gov_code").set_index("gov_code")["first_treated"]
    perms = sorted(set(itertools.permutations(gov.to_numpy())))
    assert ri["exact"].all() and (ri["n_draws"] == len(perms)).all()
    obs = _mediation(p)
    np.testing.assert_allclose(ri.loc[list(PROGRAMME_PATHS), "estimate"],
                               obs[list(PROGRAMME_PATHS)], rtol=1e-8)  # fmt: skip
    effs = []
    for perm in perms:  # the reference: one whole mediation fit per assignment
        ft = p["gov_code"].map(dict(zip(gov.index, perm, strict=True)))
        q = p.assign(first_treated=ft, treated=((ft > 0) & (p["wave"] >= ft)).astype(float))
        effs.append(_mediation(q)[list(PROGRAMME_PATHS)].to_numpy())
    effs = np.abs(np.array(effs))
    for j, path in enumerate(PROGRAMME_PATHS):
        expect = np.mean(effs[:, j] >= abs(obs[path]) * (1 - 1e-10))
        assert ri.loc[path, "p_value"] == pytest.approx(expect, abs=1e-12), path
    assert ri["se"].isna().all() and ri["ci_low"].isna().all()
    assert set(ri["method"]) == {"randomization_inference"}


def test_ri_rejects_a_real_effect_and_draws_when_assignments_are_many():
    """The fixture's programme raises culture by 4 points (path a): with 12 governments
    the observed timing is extreme; there are more assignments than n_perm, so draws."""
    ri = _ri(_panel(12, seed=3), n_perm=199, seed=2)
    assert not ri["exact"].any() and (ri["n_draws"] == 200).all()
    assert ri.loc["a", "p_value"] <= 0.02
    assert ((ri["p_value"] > 0) & (ri["p_value"] <= 1)).all()
    again = _ri(_panel(12, seed=3), n_perm=199, seed=2)
    pd.testing.assert_frame_equal(ri, again)  # seeded


def test_ri_refuses_timing_within_government():
    p = _panel(6)
    p.loc[p.index[0], "first_treated"] = 2024 if p["first_treated"].iloc[0] != 2024 else 2023
    with pytest.raises(InputError, match="varies within"):
        _ri(p)
    with pytest.raises(EstimationError):
        _ri(p[p["gov_code"] == p["gov_code"].iloc[-1]])


def test_model_tables_add_ri_rows_beside_the_wild_bootstrap():
    panel = value_chain_fixture(1, n_gov=8, units_per_gov=6)
    paths = value_chain.model_tables(panel, n_boot=200, n_wild=999)["value_chain_paths"]
    ri = paths[paths["method"] == "randomization_inference"].set_index("path")
    assert list(ri.index) == list(PROGRAMME_PATHS)
    cr1 = paths[paths["method"].isin(["cr1", "cluster_bootstrap"])].set_index("path")
    np.testing.assert_allclose(ri["estimate"], cr1.loc[ri.index, "estimate"], rtol=1e-8)
    assert not ri["preferred"].any()  # a p-value without an interval is never the row to read
    assert paths.groupby("path")["preferred"].sum().eq(1).all()
