"""Tests of berakhlak_research.psychometrics._mlfa.fit_ml_cfa_batch against fit_ml_cfa.

The batched fit must return, group by group, what a loop over fit_ml_cfa returns: the same
estimates and SEs (to 1e-7; in practice bit for bit), and the same EstimationError type at
the same positions.
"""

from __future__ import annotations

import numpy as np
import pytest

from berakhlak_research.exceptions import EstimationError, ParameterError
from berakhlak_research.psychometrics import _mlfa
from berakhlak_research.psychometrics._mlfa import MLFit, fit_ml_cfa, fit_ml_cfa_batch
from berakhlak_research.psychometrics._moments import check_value_map
from berakhlak_research.psychometrics.cfa import loading_pattern

_, PATTERN = loading_pattern(check_value_map(None))  # 21 items, 7 factors, 3 items each
ATOL = 1e-7
FIELDS = ("loadings", "phi", "psi", "sigma", "theta_cov", "std_loadings", "std_loadings_se")


def _population(rng, pattern, heywood=False):
    p, m = pattern.shape
    lam = np.where(pattern, rng.uniform(0.4, 0.9, size=pattern.shape), 0.0)
    phi = np.full((m, m), 0.5) + rng.uniform(-0.15, 0.15, (m, m))
    phi = (phi + phi.T) / 2
    np.fill_diagonal(phi, 1.0)
    psi = rng.uniform(0.3, 0.8, p)
    if heywood:  # one item almost without unique variance: estimates near or past 0
        lam[0, np.argmax(pattern[0])] = 1.0
        psi[0] = 0.003
    return lam @ phi @ lam.T + np.diag(psi)


def _sample_cov(rng, sigma, n):
    x = rng.multivariate_normal(np.zeros(sigma.shape[0]), sigma, size=n)
    return np.cov(x, rowvar=False, bias=True)  # divisor N, as fit_ml_cfa expects


def _awkward_small_groups(pick):
    """Small-sample 7-factor groups with weak, uneven loadings (seeded).

    Among the first 17 draws: 1 needs fit_ml_cfa's L-BFGS-B polish after the line search
    finds no decrease (Phi leaves the PD cone), 2 ends in a Heywood case, 6 needs the
    polish after 200 iterations, 8 does not converge at all, 16 has line-search candidates
    that are not PD but converges by Fisher scoring.
    """
    rng = np.random.default_rng(1)
    p, m = PATTERN.shape
    out = []
    for _ in range(max(pick) + 1):
        n = int(rng.integers(25, 80))
        lo = rng.uniform(0.0, 0.5)
        lam = np.where(PATTERN, rng.uniform(lo, lo + 0.5, size=PATTERN.shape), 0.0)
        phi = np.full((m, m), rng.uniform(0, 0.9))
        np.fill_diagonal(phi, 1.0)
        sigma = lam @ phi @ lam.T + np.diag(rng.uniform(0.1, 1.0, p))
        out.append((_sample_cov(rng, sigma, n), n))
    return [out[k] for k in pick]


def _reference(s, n, pattern, **kw):
    out = []
    for g in range(len(n)):
        try:
            out.append(fit_ml_cfa(s[g], int(n[g]), pattern, **kw))
        except EstimationError as err:
            out.append(err)
    return out


def _assert_same(batch, ref):
    assert len(batch) == len(ref)
    for g, (b, r) in enumerate(zip(batch, ref, strict=True)):
        if isinstance(r, EstimationError):
            assert type(b) is type(r), f"group {g}: {b!r} instead of {r!r}"
            assert str(b) == str(r)
            continue
        assert isinstance(b, MLFit), f"group {g}: {b!r}"
        for name in FIELDS:
            np.testing.assert_allclose(
                getattr(b, name), getattr(r, name), rtol=0, atol=ATOL, err_msg=f"group {g} {name}"
            )
        assert b.fmin == pytest.approx(r.fmin, rel=0, abs=ATOL), f"group {g} fmin"
        assert (b.converged, b.n, b.df) == (r.converged, r.n, r.df), f"group {g}"
        # the same arithmetic gives the same iterations; allow one for a rounding flip
        assert abs(b.iterations - r.iterations) <= 1, f"group {g} iterations"


@pytest.fixture(scope="module")
def seven_factor_groups():
    """~50 simulated groups plus awkward ones, with the positions of the awkward ones."""
    rng = np.random.default_rng(20240607)
    p = PATTERN.shape[0]
    ns = [int(k) for k in rng.integers(200, 3001, size=50)]
    covs = [_sample_cov(rng, _population(rng, PATTERN), k) for k in ns]
    special = {}

    def add(name, s, n):
        special[name] = len(covs)
        covs.append(s)
        ns.append(n)

    x = rng.normal(size=(300, p))
    x[:, 5] = x[:, 4]  # an exact copy of another item: S is singular
    add("singular", np.cov(x, rowvar=False, bias=True), 300)
    nan = covs[0].copy()
    nan[3, 7] = nan[7, 3] = np.nan
    add("missing", nan, 500)
    add("n_le_p", covs[1].copy(), p)  # a PD matrix, but only p respondents
    x = rng.normal(size=(15, p))
    add("few_rows", np.cov(x, rowvar=False, bias=True), 15)  # n < p: rank-deficient S
    add("heywood", _sample_cov(rng, _population(rng, PATTERN, heywood=True), 200), 200)
    for k, (s, n) in zip((1, 2, 6, 8, 16), _awkward_small_groups([1, 2, 6, 8, 16]), strict=True):
        add(f"awkward{k}", s, n)
    order = rng.permutation(len(covs))  # awkward groups spread among the ordinary ones
    where = {name: int(np.flatnonzero(order == i)[0]) for name, i in special.items()}
    return np.stack(covs)[order], np.asarray(ns)[order], where


def test_batch_equals_per_group_fits_seven_factors(seven_factor_groups):
    s, n, where = seven_factor_groups
    ref = _reference(s, n, PATTERN)
    batch = fit_ml_cfa_batch(s, n, PATTERN)
    _assert_same(batch, ref)
    for name in ("singular", "missing", "n_le_p", "few_rows"):
        assert isinstance(batch[where[name]], EstimationError), name
    assert sum(isinstance(r, EstimationError) for r in batch) == 4
    hey = batch[where["heywood"]]
    assert isinstance(hey, MLFit) and hey.converged and hey.psi.min() < 0.1
    assert not batch[where["awkward8"]].converged  # handed over, result kept as is
    assert batch[where["awkward2"]].psi.min() < 0  # a Heywood case


def test_batch_hands_hard_groups_to_fit_ml_cfa(seven_factor_groups, monkeypatch):
    s, n, where = seven_factor_groups
    handed = []
    real = _mlfa.fit_ml_cfa

    def spy(s_g, n_g, pattern, **kw):
        handed.append(int(n_g))
        return real(s_g, n_g, pattern, **kw)

    monkeypatch.setattr(_mlfa, "fit_ml_cfa", spy)
    fit_ml_cfa_batch(s, n, PATTERN)
    # the four bad inputs and the groups needing the polish (1, 6, 8), nothing else
    expected = sorted(int(n[where[k]]) for k in
                      ("singular", "missing", "n_le_p", "few_rows", "awkward1", "awkward6",
                       "awkward8"))  # fmt: skip
    assert sorted(handed) == expected


def test_batch_threads_and_order_do_not_change_results(seven_factor_groups):
    s, n, _ = seven_factor_groups
    one = fit_ml_cfa_batch(s, n, PATTERN, workers=1)
    three = fit_ml_cfa_batch(s, n, PATTERN, workers=3)
    for a, b in zip(one, three, strict=True):
        if isinstance(a, MLFit):
            assert np.array_equal(a.theta_cov, b.theta_cov) and a.iterations == b.iterations
        else:
            assert type(a) is type(b)
    rev = fit_ml_cfa_batch(s[::-1], n[::-1], PATTERN, workers=1)[::-1]
    _assert_same(rev, one)


def test_batch_max_iter_hands_over_unconverged_groups(seven_factor_groups):
    s, n, _ = seven_factor_groups
    s, n = s[:8], n[:8]
    _assert_same(fit_ml_cfa_batch(s, n, PATTERN, max_iter=3), _reference(s, n, PATTERN, max_iter=3))


def test_batch_two_factor_and_one_factor_patterns():
    rng = np.random.default_rng(7)
    two = np.zeros((6, 2), dtype=bool)
    two[:3, 0] = two[3:, 1] = True
    one = np.ones((4, 1), dtype=bool)
    for pattern in (two, one):
        ns = rng.integers(30, 2000, size=25)
        s = np.stack([_sample_cov(rng, _population(rng, pattern), int(k)) for k in ns])
        s[3] = np.diag(np.r_[0.0, np.ones(pattern.shape[0] - 1)])  # a constant item
        _assert_same(fit_ml_cfa_batch(s, ns, pattern), _reference(s, ns, pattern))


def test_batch_unidentified_pattern_and_edge_shapes():
    rng = np.random.default_rng(3)
    under = np.ones((2, 1), dtype=bool)  # 4 parameters, 3 moments
    s = np.stack([_sample_cov(rng, np.eye(2) + 0.5, 100) for _ in range(3)])
    out = fit_ml_cfa_batch(s, np.full(3, 100), under)
    assert all(isinstance(r, EstimationError) and "not identified" in str(r) for r in out)
    p = PATTERN.shape[0]
    assert fit_ml_cfa_batch(np.empty((0, p, p)), np.empty(0, dtype=int), PATTERN) == []
    wrong = fit_ml_cfa_batch(np.stack([np.eye(5)] * 2), np.array([50, 50]), PATTERN)
    assert all(isinstance(r, EstimationError) for r in wrong)
    with pytest.raises(ParameterError):
        fit_ml_cfa_batch(np.eye(p), np.array([100]), PATTERN)
    with pytest.raises(ParameterError):
        fit_ml_cfa_batch(np.stack([np.eye(p)] * 2), np.array([100]), PATTERN)
