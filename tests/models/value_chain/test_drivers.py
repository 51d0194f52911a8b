"""Bootstrap intervals of key-driver importances (models.value_chain.drivers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import InputError
from berakhlak_research.models.value_chain import key_drivers, key_drivers_bootstrap


def _data(n: int, seed: int) -> pd.DataFrame:
    """Three drivers, one strong (x1), two weak; two groups of n rows."""
    rng = np.random.default_rng(seed)
    g = np.repeat(["A", "B"], n)
    X = rng.normal(size=(2 * n, 3))
    y = 1.0 * X[:, 0] + 0.3 * X[:, 1] + 0.3 * X[:, 2] + rng.normal(size=2 * n)
    return pd.DataFrame({"g": g, "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2], "y": y})


def test_bootstrap_intervals_bracket_the_shares_and_separate_the_strong_driver():
    d = _data(400, 1)
    b = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], by="g", n_boot=199, seed=3)
    point = key_drivers(d, "y", ["x1", "x2", "x3"], by="g")
    np.testing.assert_allclose(b["estimate"], point["share"])
    assert list(b.columns) == ["g", "driver", "estimate", "se", "ci_low", "ci_high", "p_value", "n"]
    assert (b["ci_low"] <= b["estimate"]).all() and (b["estimate"] <= b["ci_high"]).all()
    strong = b[b["driver"] == "x1"]
    weak = b[b["driver"] != "x1"]
    assert (strong["ci_low"] > 1 / 3).all() and (strong["p_value"] < 0.05).all()
    assert (weak["ci_high"] < 1 / 3).all()
    # the same seed gives the same intervals; more rows give narrower ones
    again = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], by="g", n_boot=199, seed=3)
    pd.testing.assert_frame_equal(b, again)
    big = key_drivers_bootstrap(_data(4000, 1), "y", ["x1", "x2", "x3"], by="g", n_boot=99, seed=3)
    assert (big["ci_high"] - big["ci_low"]).mean() < 0.6 * (b["ci_high"] - b["ci_low"]).mean()


@pytest.mark.slow
def test_bootstrap_covers_the_population_share():
    """Coverage over repeated samples near the nominal level (a loose check, 40 samples)."""
    # population shares from a very large sample
    truth = key_drivers(_data(200_000, 0), "y", ["x1", "x2", "x3"]).set_index("driver")["share"]
    hits = []
    for s in range(40):
        b = key_drivers_bootstrap(_data(300, 100 + s), "y", ["x1", "x2", "x3"], n_boot=99, seed=s)
        b = b.set_index("driver")
        hits.append(((b["ci_low"] <= truth) & (truth <= b["ci_high"])).to_numpy())
    cover = np.mean(hits)
    assert 0.8 <= cover <= 1.0


def test_small_groups_and_bad_arguments():
    d = _data(20, 2)
    b = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], by="g", n_boot=20, min_n=30)
    assert b["ci_low"].isna().all() and b["estimate"].isna().all()
    with pytest.raises(InputError, match="at least 20"):
        key_drivers_bootstrap(d, "y", ["x1"], n_boot=5)
    with pytest.raises(InputError, match="level"):
        key_drivers_bootstrap(d, "y", ["x1"], level=1.5)
