"""Tests of berakhlak_research.models.power (analytic MDE and simulated power)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from berakhlak_research.exceptions import InputError
from berakhlak_research.models import power
from berakhlak_research.simulate.did import staggered_panel


def test_mde_formula_by_hand():
    out = power.mde(100, 20, 4, 0.1, persistence=0.8)
    row = out.iloc[0]
    s2 = 0.2 * 0.1 + 0.9 / 20  # transitory unit variance + sampling variance of the mean
    se = np.sqrt(s2 * (1 / 1 + 1 / 2) * (1 / 50 + 1 / 50))  # one base wave, two post waves
    mult = stats.t.ppf(0.975, 98) + stats.t.ppf(0.8, 98)
    assert row["se"] == pytest.approx(se, rel=1e-12)
    assert row["mde"] == pytest.approx(mult * se, rel=1e-12)
    assert list(out.columns) == power.MDE_COLUMNS
    pooled = power.mde(100, 20, 4, 0.1, persistence=0.8, estimator="pooled").iloc[0]
    assert pooled["se"] == pytest.approx(np.sqrt(s2 * (1 / 2 + 1 / 2) * (1 / 50 + 1 / 50)))
    # Index points scale with sd; the SD-unit column does not.
    pts = power.mde(100, 20, 4, 0.1, sd=15.0).iloc[0]
    assert pts["mde"] == pytest.approx(15 * row["mde"]) and pts["mde_sd"] == pytest.approx(
        row["mde"]
    )


def test_mde_grid_and_monotonicity():
    g = power.mde([20, 50, 200], [10, 50], 4, [0.05, 0.2])
    assert len(g) == 12
    for _, sub in g.groupby(["resp_per_unit", "icc"]):
        assert sub.sort_values("n_units")["mde"].is_monotonic_decreasing
    for _, sub in g.groupby(["n_units", "icc"]):
        assert sub.sort_values("resp_per_unit")["mde"].is_monotonic_decreasing
    # Assigning whole clusters with correlated changes costs precision.
    a = power.mde(200, 20, 4, 0.1).iloc[0]["mde"]
    b = power.mde(200, 20, 4, 0.1, units_per_cluster=10, icc_cluster=0.2).iloc[0]["mde"]
    assert b > a * np.sqrt(1 + 9 * 0.2) * 0.99


def test_mde_input_errors():
    with pytest.raises(InputError, match="pre_waves"):
        power.mde(100, 20, 2, 0.1, pre_waves=2)
    with pytest.raises(InputError, match="estimator"):
        power.mde(100, 20, 4, 0.1, estimator="twfe")


def test_simulated_power_matches_analytic():
    """At the analytic MDE the simulated power is 80 %, at zero effect the size is 5 %
    (within three Monte Carlo standard errors)."""
    m = power.mde(300, 20, 4, 0.1).iloc[0]["mde"]
    hit = power.simulate_power(300, 20, 4, 0.1, effect=m, n_sims=400, seed=1).iloc[0]
    assert abs(hit["power"] - 0.8) < 3 * np.sqrt(0.8 * 0.2 / 400)
    assert hit["mean_estimate"] == pytest.approx(m, rel=0.05)
    assert hit["mean_se"] == pytest.approx(power.mde(300, 20, 4, 0.1).iloc[0]["se"], rel=0.05)
    null = power.simulate_power(300, 20, 4, 0.1, effect=0.0, n_sims=400, seed=2).iloc[0]
    assert abs(null["power"] - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 400)


def test_simulate_design_shape():
    df = power.simulate_design(40, 10, 3, 0.1, 0.5, units_per_cluster=4, rng=0)
    assert list(df.columns) == ["cluster", "unit", "wave", "y", "first_treated"]
    assert len(df) == 120 and set(df["first_treated"]) == {0, 2}
    assert (df.groupby("cluster")["first_treated"].nunique() == 1).all()


def test_model_tables_with_observed_row():
    panel, _ = staggered_panel(n_units=400, seed=3)
    panel = panel.assign(n_resp=25)
    out = power.model_tables(panel, n_units=(50, 100), resp_per_unit=(20,), waves=(4,), icc=(0.1,))
    tab = out["power_mde"]
    assert list(tab.columns) == power.MDE_COLUMNS
    assert len(tab) == 3
    obs = tab.iloc[-1]
    assert obs["scenario"].startswith("observed panel")
    # Residual SD of untreated unit means ~ the generator's noise sqrt(2^2 + 0.5^2).
    assert obs["sd"] == pytest.approx(np.sqrt(4 + 0.25), rel=0.1)
    assert obs["n_units"] == 400 and obs["mde"] > 0
