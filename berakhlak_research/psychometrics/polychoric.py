"""Polychoric correlations of ordinal (Likert) items, two-step maximum likelihood.

A Likert answer is read as a latent normal response cut at thresholds. Step 1 estimates
each item's thresholds from its marginal proportions; step 2 estimates each pair's latent
correlation by maximising the likelihood of the pair's contingency table given those
thresholds (Olsson 1979), for all pairs at once (vectorised Fisher scoring).

Pearson correlations of coarse answers are attenuated; a factor model fitted to the
polychoric matrix recovers the loadings of the latent responses (used by
:func:`berakhlak_research.psychometrics.cfa` with ``ordered=True``).

R equivalents: ``lavaan::lavCor(x, ordered = names(x))`` and
``psych::polychoric(x, correct = 0)$rho`` on listwise-complete rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from berakhlak_research.exceptions import EstimationError
from berakhlak_research.psychometrics._moments import item_matrix

__all__ = ["polychoric"]

_BIG = 38.0  # stands in for infinite thresholds: Phi(38) == 1 and phi(38) == 0 in doubles
_GL_X, _GL_W = np.polynomial.legendre.leggauss(40)


def _phi2(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Bivariate standard normal density at (h, k) with correlation r (broadcasting)."""
    one = 1.0 - r * r
    return np.exp(-(h * h - 2 * r * h * k + k * k) / (2 * one)) / (2 * np.pi * np.sqrt(one))


def _bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Phi2(h, k; rho) = Phi(h) Phi(k) + integral_0^rho phi2(h, k; r) dr (Plackett).

    Gauss-Legendre with 40 nodes; accurate to about 1e-12 for |rho| <= 0.95.
    """
    r = rho[..., None] * (_GL_X + 1) / 2
    integral = (_phi2(h[..., None], k[..., None], r) * _GL_W).sum(axis=-1) * rho / 2
    return special.ndtr(h) * special.ndtr(k) + integral


def _codes(x: np.ndarray, items: Sequence[str]):
    """Recode each item's observed answers to 0..K_i-1; thresholds from the marginals."""
    n, p = x.shape
    codes = np.empty((n, p), dtype=np.int64)
    kmax = 0
    taus = []
    for j in range(p):  # a loop over items
        cats, inv, counts = np.unique(x[:, j], return_inverse=True, return_counts=True)
        if cats.size < 2:
            raise EstimationError(
                f"Polychoric correlation: item {items[j]} has the same answer from every "
                "respondent."
            )
        codes[:, j] = inv
        taus.append(special.ndtri(np.cumsum(counts)[:-1] / n))
        kmax = max(kmax, cats.size)
    # bounds[j] = (-BIG, tau_1, .., tau_{K_j - 1}, +BIG, +BIG padding ...), length kmax + 1
    bounds = np.full((p, kmax + 1), _BIG)
    bounds[:, 0] = -_BIG
    for j, t in enumerate(taus):
        bounds[j, 1 : 1 + t.size] = np.clip(t, -_BIG, _BIG)
    return codes, bounds, kmax, taus


def polychoric(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    max_iter: int = 50,
    tol: float = 1e-10,
) -> pd.DataFrame:
    """Polychoric correlation matrix of ordinal items (two-step ML, listwise deletion).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns with ordered integer answers (e.g. 1..5).
    items : sequence of str
        Items to correlate (at least 2).
    max_iter, tol : optional
        Fisher-scoring cap and tolerance on the correlation update.

    Returns
    -------
    pandas.DataFrame
        Square matrix (index and columns = ``items``) of latent correlations; ``attrs``
        holds ``n`` (complete respondents) and ``thresholds`` (dict item -> list).

    Raises
    ------
    EstimationError
        Fewer than 2 complete respondents, or a constant item.
    """
    items = list(items)
    x = item_matrix(data, items)
    x = x[~np.isnan(x).any(axis=1)]
    n, p = x.shape
    if n < 2:
        raise EstimationError(
            f"Polychoric correlations need complete answers; only {n} respondents answered "
            f"all of {items}."
        )
    codes, bounds, kmax, taus = _codes(x, items)
    ii, jj = np.triu_indices(p, 1)
    npair = ii.size
    k1 = kmax
    # contingency tables of every pair: (npair, K, K)
    tables = (
        np.stack(
            [
                np.bincount(codes[:, a] * k1 + codes[:, b], minlength=k1 * k1)
                for a, b in zip(ii, jj, strict=True)
            ]  # fmt: skip
        )
        .reshape(npair, k1, k1)
        .astype(float)
    )
    h = bounds[ii][:, :, None]  # (npair, K+1, 1)
    k = bounds[jj][:, None, :]  # (npair, 1, K+1)
    # start from the Pearson correlation of the codes
    c = np.corrcoef(codes, rowvar=False)
    rho = np.clip(np.nan_to_num(c[ii, jj]), -0.9, 0.9)

    def cells(r):
        f = _bvn_cdf(h, k, r[:, None, None])
        d = _phi2(h, k, r[:, None, None])
        pr = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
        dp = d[:, 1:, 1:] - d[:, :-1, 1:] - d[:, 1:, :-1] + d[:, :-1, :-1]
        return pr, dp

    for _ in range(max_iter):
        pr, dp = cells(rho)
        ok = pr > 1e-300
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(ok, tables * dp / pr, 0.0).sum(axis=(1, 2))
            info = n * np.where(ok, dp * dp / pr, 0.0).sum(axis=(1, 2))
        step = score / info
        new = np.clip(rho + step, -0.995, 0.995)
        done = np.max(np.abs(new - rho)) < tol
        rho = new
        if done:
            break
    r = np.eye(p)
    r[ii, jj] = rho
    r[jj, ii] = rho
    out = pd.DataFrame(r, index=items, columns=items)
    out.attrs["n"] = int(n)
    out.attrs["thresholds"] = {it: [float(v) for v in t] for it, t in zip(items, taus, strict=True)}
    return out
