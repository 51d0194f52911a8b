"""Psychometrics of the BerAKHLAK culture instrument: reliability, item statistics, CFA.

Public functions (all take a tidy DataFrame of respondents with item columns BP1..KB3):

* :func:`cronbach_alpha` - raw alpha with Duhachek SE and Feldt's interval.
* :func:`alpha_by` - alpha and omega of every value, for many groups at once.
* :func:`mcdonald_omega` - omega total from a one-factor ML model.
* :func:`item_total` - corrected item-total correlations per value.
* :func:`cfa` / :func:`cfa_from_cov` - ML confirmatory factor analysis of the seven-value,
  21-item model: chi2, CFI, TLI, RMSEA (90 % CI), SRMR, standardised loadings with SEs.
* :func:`polychoric` - polychoric correlations (two-step ML); ``cfa(..., ordered=True)``
  fits the factor model to them to recover the loadings of the latent responses.
* :func:`measurement_tables` - the four results-store tables for ``berakhlak measure``.

Missing answers are handled by listwise deletion (within each scale for reliability,
across the model's items for the CFA); reliability also offers ``missing="pairwise"``,
psych's default. Values are checked against R's psych, lavaan and semTools in
``tests/r/psychometrics_reference.R`` and ``tests/r/reliability_reference.R``.
"""

from berakhlak_research.psychometrics.cfa import CfaResult, cfa, cfa_from_cov
from berakhlak_research.psychometrics.measurement import measurement_tables
from berakhlak_research.psychometrics.polychoric import polychoric
from berakhlak_research.psychometrics.reliability import (
    alpha_by,
    cronbach_alpha,
    item_total,
    mcdonald_omega,
)

__all__ = [
    "cronbach_alpha",
    "alpha_by",
    "mcdonald_omega",
    "item_total",
    "cfa",
    "cfa_from_cov",
    "CfaResult",
    "measurement_tables",
    "polychoric",
]
