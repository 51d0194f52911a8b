"""Bootstrap intervals of key-driver importances (models.value_chain.drivers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import InputError
from berakhlak_research.models.value_chain import key_drivers, key_drivers_bootstrap
from berakhlak_research.models.value_chain.drivers import subset_r2


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


def _clustered(n_clusters: int, size: int, seed: int) -> pd.DataFrame:
    """Drivers and outcome sharing a cluster effect: rows of a cluster are alike."""
    rng = np.random.default_rng(seed)
    c = np.repeat(np.arange(n_clusters), size)
    U = rng.normal(size=(n_clusters, 4))[c] * 1.5  # cluster effects on x1..x3 and y
    X = rng.normal(size=(len(c), 3)) + U[:, :3]
    y = 1.0 * X[:, 0] + 0.3 * X[:, 1] + 0.3 * X[:, 2] + rng.normal(size=len(c)) + U[:, 3]
    g = np.where(c % 2 == 0, "A", "B")
    return pd.DataFrame({"g": g, "unit": c, "x1": X[:, 0], "x2": X[:, 1], "x3": X[:, 2], "y": y})


def test_subset_r2_by_sweeps_equals_pseudo_inverses_also_when_singular():
    from berakhlak_research.models.value_chain.drivers import _subset_r2_pinv, subset_r2

    rng = np.random.default_rng(5)
    A = rng.normal(size=(30, 300, 10))
    A[:, :, 9] += A[:, :, :9].sum(axis=2) * 0.4
    corr = np.stack([np.corrcoef(a.T) for a in A])
    np.testing.assert_allclose(subset_r2(corr), _subset_r2_pinv(corr), atol=1e-12)
    # a driver that repeats another: the sweep meets a zero pivot, the group is recomputed
    dup = corr[:3].copy()
    dup[:, 1, :], dup[:, :, 1] = dup[:, 0, :], dup[:, :, 0]
    got = subset_r2(dup)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, _subset_r2_pinv(dup), atol=1e-12)
    assert got[0, 0b11] == pytest.approx(got[0, 0b01])  # the copy adds nothing


def test_cluster_bootstrap_with_one_row_per_cluster_is_the_row_bootstrap():
    d = _data(300, 4).assign(row=lambda f: np.arange(len(f)))
    rows = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], n_boot=50, seed=9)
    clus = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], n_boot=50, seed=9, cluster="row")
    pd.testing.assert_frame_equal(rows, clus, check_exact=False, rtol=1e-10)


def test_cluster_bootstrap_widens_intervals_when_rows_of_a_cluster_are_alike():
    d = _clustered(60, 25, 1)
    kw = {"by": "g", "n_boot": 199, "seed": 2}
    rows = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], **kw)
    clus = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], cluster="unit", **kw)
    np.testing.assert_allclose(clus["estimate"], rows["estimate"])
    width = lambda b: (b["ci_high"] - b["ci_low"]).mean()  # noqa: E731
    assert width(clus) > 1.5 * width(rows)
    with pytest.raises(InputError, match="spans several groups"):
        key_drivers_bootstrap(d.assign(unit=d["unit"] // 2), "y", ["x1"], cluster="unit", **kw)
    with pytest.raises(InputError, match="not in the data"):
        key_drivers_bootstrap(d, "y", ["x1"], cluster="nope", **kw)


@pytest.mark.slow
def test_cluster_bootstrap_covers_the_population_share_with_clustered_rows():
    """With rows alike within clusters the cluster bootstrap keeps its level; rows do not."""
    truth = key_drivers(_clustered(20_000, 25, 0), "y", ["x1", "x2", "x3"]).set_index("driver")
    truth = truth["share"]
    hits = {"cluster": [], "rows": []}
    for s in range(40):
        d = _clustered(60, 25, 100 + s)
        for kind, cl in (("cluster", "unit"), ("rows", None)):
            b = key_drivers_bootstrap(d, "y", ["x1", "x2", "x3"], n_boot=99, seed=s, cluster=cl)
            b = b.set_index("driver")
            hits[kind].append(((b["ci_low"] <= truth) & (truth <= b["ci_high"])).to_numpy())
    assert 0.85 <= np.mean(hits["cluster"]) <= 1.0
    assert np.mean(hits["rows"]) < np.mean(hits["cluster"])


def test_subset_r2_leaves_its_input_alone_for_one_group_and_many():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(3, 60, 6))
    C = np.einsum("gni,gnj->gij", X, X) / 60
    d = np.sqrt(np.einsum("gii->gi", C))
    C = C / d[:, :, None] / d[:, None, :]
    before = C.copy()
    one = subset_r2(C[:1])
    np.testing.assert_array_equal(C, before)  # the sweep works on a copy, even for g == 1
    np.testing.assert_allclose(one, subset_r2(C)[:1], atol=1e-13)
