"""Confirmatory factor analysis of the seven-value, 21-behaviour BerAKHLAK model.

Maximum likelihood on the covariance matrix of the listwise-complete respondents, numpy and
scipy only (:mod:`._mlfa`). Parameterisation as lavaan's ``cfa(..., std.lv = TRUE)``: factor
variances fixed to 1, every loading free, factor correlations free, residual variances free
and unbounded (a negative one is a Heywood case, flagged). Fit indices and standardised
loadings are invariant to this choice (lavaan's default of fixing the first loading gives
the same chi-square, indices and standardised solution).

Reference values from ``lavaan::cfa(std.lv = TRUE, estimator = "ML")``, ``fitMeasures`` and
``standardizedSolution`` are in ``tests/r/psychometrics_reference.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError
from berakhlak_research.psychometrics._mlfa import MLFit, fit_ml_cfa, rmsea_ci
from berakhlak_research.psychometrics._moments import check_value_map, item_matrix
from berakhlak_research.psychometrics.polychoric import polychoric
from berakhlak_research.vocabulary import renamed

__all__ = [
    "CfaResult",
    "cfa",
    "cfa_from_cov",
    "loading_pattern",
    "fit_indices",
    "FIT_COLUMNS",
    "LOADING_COLUMNS",
]

FIT_COLUMNS = (
    "chi2", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr",
    "n", "chi2_baseline", "df_baseline", "converged", "heywood", "estimator",
)  # fmt: skip
"""Columns of :attr:`CfaResult.fit`, in order."""

LOADING_COLUMNS = (
    "value", "behaviour", "estimate", "se", "ci_low", "ci_high", "p_value", "raw_estimate",
    "raw_se", "residual_variance", "n",
)  # fmt: skip
"""Columns of :attr:`CfaResult.loadings`, in order."""


@dataclass(frozen=True)
class CfaResult:
    """A fitted CFA: tidy tables plus the underlying arrays.

    Attributes
    ----------
    fit : pandas.DataFrame
        One row, columns :data:`FIT_COLUMNS`: ``chi2`` (N F_ML), ``df``, ``p_value``,
        ``cfi``, ``tli``, ``rmsea`` with its 90 % interval ``rmsea_ci_low`` /
        ``rmsea_ci_high``, ``srmr`` (Bentler's, lavaan's ``srmr``), ``n`` (complete
        respondents), ``chi2_baseline`` / ``df_baseline`` (independence model),
        ``converged``, ``heywood`` (a residual variance is negative), ``estimator``
        (``"ML"``, or ``"ML-polychoric"`` for ``ordered=True``, where only ``srmr`` of the
        fit figures is defined and the others are NaN).
    loadings : pandas.DataFrame
        One row per loading, columns :data:`LOADING_COLUMNS`: ``value`` (factor),
        ``behaviour`` (item), ``estimate`` (standardised, std.all), ``se`` (delta method,
        expected information), ``ci_low``, ``ci_high`` (Wald), ``p_value`` (z test of 0),
        ``raw_estimate`` and ``raw_se`` (unstandardised, factor variance 1),
        ``residual_variance`` (unstandardised), ``n``.
    factor_correlations : pandas.DataFrame
        One row per pair: ``value_1``, ``value_2``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``n``.
    model : dict
        Factor -> items.
    ml : MLFit
        The arrays (implied and sample covariance, parameter covariance, ...).
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    model: dict = field(repr=False)
    ml: MLFit = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """The loadings, :attr:`loadings` (columns :data:`LOADING_COLUMNS`)."""
        return self.loadings


def loading_pattern(model: dict[str, tuple[str, ...]]) -> tuple[list[str], np.ndarray]:
    """Items in model order and the items x factors 0/1 loading pattern of a simple structure."""
    items = [i for its in model.values() for i in its]
    pattern = np.zeros((len(items), len(model)), dtype=bool)
    row = 0
    for j, its in enumerate(model.values()):
        pattern[row : row + len(its), j] = True
        row += len(its)
    return items, pattern


def fit_indices(ml: MLFit, estimator: str = "ML") -> dict:
    """Fit statistics of an ML fit, keyed as :data:`FIT_COLUMNS`."""
    s, sig, n, df = ml.s, ml.sigma, ml.n, ml.df
    p = s.shape[0]
    chi2 = n * ml.fmin
    d = np.diag(s)
    # independence model: Sigma = diag(S)
    chi2_b = n * (np.log(d).sum() - np.linalg.slogdet(s)[1])
    df_b = p * (p - 1) // 2
    cfi_den = max(chi2 - df, chi2_b - df_b, 0.0)
    cfi = 1 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    if df > 0:
        tli = (chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1)
        rmsea = np.sqrt(max(chi2 - df, 0.0) / (df * n))  # lavaan: N, not N - 1
        lo, hi = rmsea_ci(chi2, df, n)
        p_value = float(stats.chi2.sf(chi2, df))
    else:  # just identified: perfect fit by construction (lavaan's conventions)
        tli, rmsea, lo, hi, p_value = 1.0, 0.0, 0.0, 0.0, np.nan
    sd = np.sqrt(d)
    il = np.tril_indices(p)
    srmr = np.sqrt(np.mean((((s - sig) / np.outer(sd, sd))[il]) ** 2))
    if estimator != "ML":
        # Normal-theory chi-square and its indices are not valid for polychoric input.
        chi2 = p_value = cfi = tli = rmsea = lo = hi = chi2_b = np.nan
    return {
        "chi2": chi2, "df": df, "p_value": p_value, "cfi": cfi, "tli": tli, "rmsea": rmsea,
        "rmsea_ci_low": lo, "rmsea_ci_high": hi, "srmr": srmr, "n": n,
        "chi2_baseline": chi2_b, "df_baseline": df_b, "converged": ml.converged,
        "heywood": bool(np.any(ml.psi < 0)), "estimator": estimator,
    }  # fmt: skip


def _result(
    ml: MLFit, model: dict[str, tuple[str, ...]], level: float, estimator: str = "ML"
) -> CfaResult:
    items, pattern = loading_pattern(model)
    factors = list(model)
    li, lj = np.nonzero(pattern)
    z = stats.norm.ppf(0.5 + level / 2)
    se_all = np.sqrt(np.clip(np.diag(ml.theta_cov), 0, None))
    std_se = ml.std_loadings_se
    if estimator != "ML":  # normal-theory SEs are wrong for polychoric input: withhold them
        se_all = np.full_like(se_all, np.nan)
        std_se = np.full_like(std_se, np.nan)
    nl = li.size
    with np.errstate(invalid="ignore", divide="ignore"):
        zval = ml.std_loadings / std_se
    loadings = pd.DataFrame(
        {
            "value": [factors[j] for j in lj],
            "behaviour": [items[i] for i in li],
            "estimate": ml.std_loadings,
            "se": std_se,
            "ci_low": ml.std_loadings - z * std_se,
            "ci_high": ml.std_loadings + z * std_se,
            "p_value": 2 * stats.norm.sf(np.abs(zval)),
            "raw_estimate": ml.loadings[li, lj],
            "raw_se": se_all[:nl],
            "residual_variance": ml.psi[li],
            "n": ml.n,
        }
    )
    fi, fj = np.tril_indices(len(factors), -1)
    r = ml.phi[fi, fj]
    r_se = se_all[nl : nl + fi.size]
    with np.errstate(invalid="ignore", divide="ignore"):
        rz = r / r_se
    corr = pd.DataFrame(
        {
            "value_1": [factors[j] for j in fj],
            "value_2": [factors[i] for i in fi],
            "estimate": r,
            "se": r_se,
            "ci_low": r - z * r_se,
            "ci_high": r + z * r_se,
            "p_value": 2 * stats.norm.sf(np.abs(rz)),
            "n": ml.n,
        }
    )
    fit = pd.DataFrame([fit_indices(ml, estimator)], columns=list(FIT_COLUMNS))
    return CfaResult(fit=fit, loadings=loadings, factor_correlations=corr, model=model, ml=ml)


@renamed(ci="level")
def cfa_from_cov(
    cov: np.ndarray,
    n: int,
    model: Mapping[str, Sequence[str]] | None = None,
    *,
    level: float = 0.95,
) -> CfaResult:
    """Fit the CFA to a covariance matrix (the sufficient statistic) instead of raw data.

    Parameters
    ----------
    cov : array (p, p)
        Unbiased sample covariance matrix (divisor n - 1, as :func:`numpy.cov`) of the
        items of ``model`` in model order.
    n : int
        Number of respondents it was computed from.
    model : mapping, optional
        Factor -> items; default the seven BerAKHLAK values.
    level : float, default 0.95
        Confidence level of the Wald intervals of loadings and correlations.

    Returns
    -------
    CfaResult
        See :func:`cfa`.
    """
    vmap = check_value_map(model)
    _, pattern = loading_pattern(vmap)
    n = int(n)
    if n < 2:
        raise EstimationError(f"CFA needs more respondents than items; got n = {n}.")
    s = np.asarray(cov, dtype="float64") * (n - 1) / n  # ML uses the divisor N
    return _result(fit_ml_cfa(s, n, pattern), vmap, level)


@renamed(ci="level")
def cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]] | None = None,
    *,
    level: float = 0.95,
    ordered: bool = False,
) -> CfaResult:
    """Confirmatory factor analysis by maximum likelihood (correlated factors, simple structure).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns numeric (e.g. Int8 1..5).
    model : mapping, optional
        Factor -> its items. Default: the seven BerAKHLAK values, each measured by its
        three behaviours (BP -> BP1, BP2, BP3; ...), factors correlated.
    level : float, default 0.95
        Level of the Wald intervals.
    ordered : bool, default False
        False: ML on the covariance matrix of the answers (lavaan's default, treating
        answers as continuous). True: ML on the polychoric correlation matrix
        (:func:`~berakhlak_research.psychometrics.polychoric.polychoric`), whose
        standardised loadings estimate those of the latent responses (Pearson
        correlations of 5-point answers attenuate them). Point estimates only: SEs,
        chi-square and the indices built on it are NaN (only SRMR is reported); for
        inference on ordinal data use lavaan's WLSMV.

    Returns
    -------
    CfaResult
        ``.fit`` (one row: chi2, df, p_value, cfi, tli, rmsea, rmsea_ci_low,
        rmsea_ci_high, srmr, n, chi2_baseline, df_baseline, converged, heywood,
        estimator),
        ``.loadings`` (value, behaviour, estimate [standardised], se, ci_low, ci_high,
        p_value, raw_estimate, raw_se, residual_variance, n) and
        ``.factor_correlations``; ``.ml`` keeps the arrays.

    Raises
    ------
    EstimationError
        If fewer respondents than items answered everything, an item is constant or all
        missing, or the model is not identified.

    Notes
    -----
    * Missing answers: listwise deletion (respondents with any item of the model missing
      are dropped), lavaan's ``missing = "listwise"``.
    * Estimator: ML, F = log|Sigma| + tr(S Sigma^-1) - log|S| - p with S of divisor N;
      chi2 = N F_min; Fisher scoring with analytic gradient.
    * Parameterisation: factor variances 1 (``std.lv = TRUE``).
    * SEs: expected information ("standard"); standardised loadings' SEs by the delta method.
    * RMSEA uses N (lavaan); its 90 % interval inverts the non-central chi-square.
      SRMR is Bentler's (residual covariances scaled by the observed SDs).
    * R equivalent: ``lavaan::cfa(model, data, std.lv = TRUE)``; ``fitMeasures(fit)``;
      ``standardizedSolution(fit)``.
    """
    vmap = check_value_map(model)
    items, _ = loading_pattern(vmap)
    x = item_matrix(data, items)
    answered = (~np.isnan(x)).sum(axis=0)
    if np.any(answered == 0):
        empty = [it for it, a in zip(items, answered, strict=True) if a == 0]
        raise EstimationError(f"CFA cannot be fitted: item(s) {empty} have no answers.")
    x = x[~np.isnan(x).any(axis=1)]
    n = x.shape[0]
    if n <= len(items):
        raise EstimationError(
            f"CFA cannot be fitted: only {n} respondents answered all {len(items)} items "
            "(listwise deletion); more respondents than items are needed, and a few hundred "
            "for stable estimates."
        )
    sd = x.std(axis=0)
    if np.any(sd == 0):
        const = [it for it, v in zip(items, sd, strict=True) if v == 0]
        raise EstimationError(
            f"CFA cannot be fitted: item(s) {const} have the same answer from every "
            "complete respondent."
        )
    if ordered:
        r = polychoric(pd.DataFrame(x, columns=items), items).to_numpy()
        _, pattern = loading_pattern(vmap)
        return _result(fit_ml_cfa(r, n, pattern), vmap, level, "ML-polychoric")
    return cfa_from_cov(np.cov(x, rowvar=False), n, vmap, level=level)
