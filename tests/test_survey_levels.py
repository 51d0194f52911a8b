"""The per-stratum-sums fast path equals the general design-based engine."""

import numpy as np
import pytest

from berakhlak_research import survey
from berakhlak_research.survey_levels import ratio_levels


def _design(seed: int, shuffle: bool, known: str):
    """A random two-stage design: PSUs in strata, some tiny, some without answers."""
    rng = np.random.default_rng(seed)
    n_strata = 40
    m = rng.integers(1, 8, n_strata)  # includes single-PSU strata
    stratum = np.repeat(np.arange(n_strata), m)
    n_psu = stratum.size
    n_u = rng.integers(1, 30, n_psu).astype(float)  # includes one-respondent PSUs
    n_var = 5
    na = np.floor(n_u[:, None] * rng.uniform(0.5, 1, (n_psu, n_var)))
    na[rng.random((n_psu, n_var)) < 0.05] = 0  # nobody answered this item here
    level = rng.normal(60, 8, (n_psu, 1))
    mean = np.clip(level + rng.normal(0, 5, (n_psu, n_var)), 1, 99)
    s1 = na * mean
    s2 = na * (mean**2 + rng.uniform(50, 400, (n_psu, n_var)))
    s2[na == 0] = 0
    w = rng.uniform(0.5, 6, n_psu)
    pop = np.floor(n_u * rng.uniform(1, 3, n_psu))
    spop = (m * rng.choice([1, 1, 2], n_strata)).astype(float)
    if known == "none":
        pop[:] = np.nan
        spop[:] = np.nan
    elif known == "some":
        pop[rng.random(n_psu) < 0.3] = np.nan
        spop[rng.random(n_strata) < 0.3] = np.nan
    if shuffle:  # PSUs not grouped by stratum
        perm = rng.permutation(n_psu)
        na, s1, s2, w, n_u, pop, stratum = (x[perm] for x in (na, s1, s2, w, n_u, pop, stratum))
    province = np.arange(n_strata) // 7
    province[3] = -1  # a stratum left out of the grouping
    groupings = [
        (np.arange(n_strata), n_strata),
        (province, int(province.max()) + 1),
        (np.zeros(n_strata, dtype=np.int64), 1),
    ]
    return na, s1, s2, w, stratum, n_u, pop, spop, groupings


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("known", ["all", "some", "none"])
@pytest.mark.parametrize("fpc", [True, False])
def test_equals_general_engine(seed, shuffle, known, fpc):
    na, s1, s2, w, stratum, n_u, pop, spop, groupings = _design(seed, shuffle, known)
    unit, groups = ratio_levels(na, s1, s2, w, stratum, n_u, pop, spop, groupings, fpc=fpc)
    moments = survey.psu_moments(np.arange(w.size), w, na, s1, s2, w.size)
    ref = survey.ratio_from_moments(
        moments, np.arange(w.size), stratum, n_u, pop, spop, w.size, fpc=fpc, certainty=True
    )
    for key in ("estimate", "se", "n", "weight_sum"):
        np.testing.assert_allclose(unit[key], ref[key], rtol=1e-9, atol=1e-12, err_msg=key)
    for (group_of_stratum, n_groups), got in zip(groupings, groups, strict=True):
        psu_group = group_of_stratum[stratum]
        keep = psu_group >= 0
        sub = {k: v[keep] for k, v in moments.items()}
        # The general engine on the PSUs of the grouping (left-out strata dropped).
        strata_kept, new_stratum = np.unique(stratum[keep], return_inverse=True)
        ref = survey.ratio_from_moments(
            sub, psu_group[keep], new_stratum, n_u[keep], pop[keep], spop[strata_kept],
            n_groups, fpc=fpc,
        )  # fmt: skip
        for key in ("estimate", "se", "n", "weight_sum"):
            np.testing.assert_allclose(got[key], ref[key], rtol=1e-9, atol=1e-10, err_msg=key)
        assert np.isfinite(got["se"][np.isfinite(got["estimate"])]).all()
        assert (got["se"][np.isfinite(got["estimate"])] > 0).any()


def test_chunks_and_threads_give_identical_results(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    import berakhlak_research.survey_levels as levels_module

    na, s1, s2, w, stratum, n_u, pop, spop, groupings = _design(3, False, "some")
    args = (na, s1, s2, w, stratum, n_u, pop, spop, groupings)
    whole_unit, whole_groups = ratio_levels(*args)
    monkeypatch.setattr(levels_module, "_CHUNK_PSUS", 7)
    with ThreadPoolExecutor(2) as pool:
        unit, groups = ratio_levels(*args, parallel=lambda f, xs: list(pool.map(f, xs)))
    for key in ("estimate", "se"):
        np.testing.assert_array_equal(unit[key], whole_unit[key])
        for got, ref in zip(groups, whole_groups, strict=True):
            # Stratum sums are the same numbers; only the group sums of strata are
            # reassociated.
            np.testing.assert_allclose(got[key], ref[key], rtol=1e-12)


def test_identical_units_give_zero_between_variance():
    """Cancellation guard: units with the same mean give a between-unit term of exactly 0."""
    n_psu, n_var = 12, 2
    na = np.full((n_psu, n_var), 20.0)
    s1 = na * 73.25
    s2 = na * (73.25**2 + 100)
    stratum = np.repeat([0, 1], 6)
    unit, (gov,) = ratio_levels(
        na, s1, s2, np.ones(n_psu), stratum, np.full(n_psu, 20.0), np.full(n_psu, np.nan),
        np.full(2, np.nan), [(np.arange(2), 2)], fpc=False,
    )  # fmt: skip
    np.testing.assert_allclose(gov["estimate"], 73.25)
    np.testing.assert_array_equal(gov["se"], 0.0)
    np.testing.assert_allclose(unit["se"], np.sqrt(100 * 20 / 19 / 20), rtol=1e-12)


def test_units_whose_answers_are_all_alike_get_se_zero():
    """15 of 15 favourable on a value scored in sixths: the sums are not exact in binary,
    the within-unit sum of squares must still be 0, not rounding noise."""
    step = 100 / 6
    n = np.array([[15.0], [12.0], [7.0]])
    s1 = n * 6 * step  # every respondent scores 100 = 6 sixths
    s2 = n * 36 * step**2
    unit, _ = ratio_levels(
        n, s1, s2, np.ones(3), np.zeros(3, dtype=np.int64), n[:, 0], np.full(3, np.nan),
        np.full(1, np.nan), [],
    )  # fmt: skip
    np.testing.assert_allclose(unit["estimate"], 100.0, rtol=1e-15)
    np.testing.assert_array_equal(unit["se"], 0.0)
