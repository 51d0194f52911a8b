"""Result object of the multilevel fits and the fixed-effects table they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["FALLBACK_PATH", "FAST_PATH", "LOG2PI", "MixedResult", "fixed_table"]

FAST_PATH = "sufficient_statistics"
FALLBACK_PATH = "mixedlm"
LOG2PI = float(np.log(2.0 * np.pi))


@dataclass
class MixedResult:
    """The fit of a multilevel model, as tidy tables plus the raw pieces.

    Attributes
    ----------
    fixed : pandas.DataFrame
        One row per fixed-effect term: ``term, estimate, se, ci_low, ci_high,
        p_value, n`` (Wald z intervals and tests; ``n`` = observations used).
    variance : pandas.DataFrame
        One row per variance component: ``component`` (grouping column name,
        ``"<outer>:<inner>"`` for a nested level, ``"residual"``,
        ``"<outer>:slope:<term>"`` for a random-slope variance), ``estimate``
        (variance), ``ci_low, ci_high`` (profile-likelihood interval of the
        variance at ``level``), ``icc`` (share of the total variance: the
        random-intercept variances plus the residual; NaN for the residual and
        slope rows), ``icc_ci_low, icc_ci_high`` (profile-likelihood interval of
        that ICC), ``n_groups``. Intervals profile the fit's own criterion (REML
        or ML); a lower end of 0 means the boundary lies inside the region (the
        chi2_1 cut-off is then conservative). They are NaN only for models with
        both nested levels and random slopes.
    random_effects : pandas.DataFrame
        Predicted random intercepts (BLUPs) of the innermost grouping level:
        the grouping column(s), ``estimate, se, ci_low, ci_high, n`` where
        ``se`` is the conditional standard deviation.
    converged : bool
        Whether the optimiser reported convergence.
    path : str
        ``"sufficient_statistics"`` (fast path) or ``"mixedlm"`` (statsmodels).
    reml : bool
        REML (True) or maximum likelihood.
    deviance : float
        REML criterion (or -2 log-likelihood for ML), comparable with lme4.
    cov_fixed : numpy.ndarray
        Covariance matrix of the fixed effects.
    singular : bool
        A variance component sits at zero (as lme4's "boundary (singular) fit").
    result : object
        The statsmodels results object on the fallback path, else None.
    """

    fixed: pd.DataFrame
    variance: pd.DataFrame
    random_effects: pd.DataFrame
    converged: bool
    path: str
    reml: bool
    deviance: float
    cov_fixed: np.ndarray
    singular: bool = False
    n_obs: int = 0
    result: Any = field(default=None, repr=False)

    def tidy(self) -> pd.DataFrame:
        """The fixed effects, :attr:`fixed` (``term, estimate, se, ci_low, ci_high, p_value, n``)."""
        return self.fixed

    @property
    def params(self) -> pd.Series:
        """Fixed-effect estimates indexed by term."""
        return self.fixed.set_index("term")["estimate"]

    @property
    def icc(self) -> float:
        """ICC of the (outermost + inner) grouping: the total non-residual share."""
        return float(self.variance["icc"].sum(skipna=True))


def fixed_table(names, beta, cov, n, level=0.95) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(beta / se))
    return pd.DataFrame(
        {
            "term": list(names),
            "estimate": beta,
            "se": se,
            "ci_low": beta - z * se,
            "ci_high": beta + z * se,
            "p_value": p,
            "n": int(n),
        }
    )
