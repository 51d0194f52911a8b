"""Seeded generator of item responses with known loadings, for the psychometrics tests.

Seven correlated factors (one per BerAKHLAK value), three items each. Each item is
``y* = loading * factor + sqrt(1 - loading**2) * noise`` (unit variance), returned either
continuous (``likert=False``) or cut into a 1..5 Likert answer at fixed thresholds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import BEHAVIOUR_CODES, VALUE_CODES

__all__ = ["TRUE_LOADINGS", "TRUE_FACTOR_CORR", "THRESHOLDS", "simulate_items"]

TRUE_LOADINGS: dict[str, float] = dict(
    zip(
        BEHAVIOUR_CODES,
        (
            0.80, 0.70, 0.60,  # BP
            0.75, 0.65, 0.55,  # AK
            0.70, 0.70, 0.60,  # KP
            0.80, 0.60, 0.70,  # HM
            0.65, 0.75, 0.50,  # LY
            0.85, 0.70, 0.65,  # AD
            0.60, 0.80, 0.70,  # KB
        ),
        strict=True,
    )
)  # fmt: skip
"""Standardised loading of each behaviour on its value's factor."""


def _factor_corr() -> np.ndarray:
    k = len(VALUE_CODES)
    idx = np.arange(k)
    # Smoothly decaying correlations 0.35..0.6, positive definite.
    return (
        0.35
        + 0.25 * np.exp(-np.abs(idx[:, None] - idx[None, :]) / 3.0) * (idx[:, None] != idx[None, :])
        + np.eye(k) * 0.65
    )


TRUE_FACTOR_CORR: np.ndarray = _factor_corr()
"""Correlation matrix of the seven factors (diagonal 1)."""

THRESHOLDS = np.array([-1.8, -1.0, -0.2, 0.9])
"""Cut points of the latent item for answers 1..5 (skewed towards agreement)."""


def simulate_items(
    n: int,
    seed: int,
    *,
    likert: bool = True,
    missing: float = 0.0,
    groups: dict[str, tuple] | None = None,
) -> pd.DataFrame:
    """Draw ``n`` respondents' answers to BP1..KB3.

    Parameters
    ----------
    n : int
        Number of respondents.
    seed : int
        Seed of ``numpy.random.default_rng``.
    likert : bool
        True: nullable Int8 answers 1..5; False: the continuous latent items (float).
    missing : float
        Share of answers set missing completely at random.
    groups : dict, optional
        Column name -> values; each respondent gets one value of each at random.
    """
    rng = np.random.default_rng(seed)
    k = len(VALUE_CODES)
    chol = np.linalg.cholesky(TRUE_FACTOR_CORR)
    factors = rng.standard_normal((n, k)) @ chol.T
    lam = np.array([TRUE_LOADINGS[c] for c in BEHAVIOUR_CODES])
    which = np.repeat(np.arange(k), 3)
    latent = factors[:, which] * lam + rng.standard_normal((n, 21)) * np.sqrt(1 - lam**2)
    if likert:
        answers = (np.searchsorted(THRESHOLDS, latent) + 1).astype(float)
    else:
        answers = latent
    if missing > 0:
        answers[rng.random(answers.shape) < missing] = np.nan
    out = pd.DataFrame(answers, columns=list(BEHAVIOUR_CODES))
    if likert:
        out = out.astype("Int8")
    for col, values in (groups or {}).items():
        out.insert(0, col, np.asarray(values)[rng.integers(0, len(values), n)])
    return out
