"""`random_intercept`: one entry point that picks the fast path or MixedLM."""

from __future__ import annotations

import pandas as pd

from berakhlak_research.exceptions import InputError
from berakhlak_research.keys import GOV, UNIT, check_unit, resolve_unit
from berakhlak_research.models.multilevel._fast import random_intercept_fast
from berakhlak_research.models.multilevel._mixedlm import random_intercept_mixedlm
from berakhlak_research.models.multilevel._nested import random_intercept_nested
from berakhlak_research.models.multilevel._result import MixedResult

__all__ = ["random_intercept"]


def _as_groups(groups) -> list[str]:
    if isinstance(groups, str):
        return [groups]
    out = list(groups)
    if not out or not all(isinstance(g, str) for g in out):
        raise InputError(f"groups must be a column name or a list of column names, got {groups!r}.")
    return out


def random_intercept(
    data: pd.DataFrame,
    formula: str,
    groups: str | list[str] | tuple[str, ...],
    *,
    re_formula: str | None = None,
    reml: bool = True,
    method: str = "auto",
    level: float = 0.95,
    tol: float = 1e-10,
    gov: str | None = None,
) -> MixedResult:
    """Fit a Gaussian random-intercept (or nested random-intercept) model.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation (e.g. respondent or unit-wave).
    formula : str
        Fixed part, e.g. ``"ikm ~ culture_overall + C(wave)"``.
    groups : str or list of str
        Grouping column; a list gives nested levels from outer to inner, e.g.
        ``["gov_code", "unit_code"]`` (units within governments; inner codes
        need only be unique within their outer group).
    re_formula : str, optional
        Random slopes, e.g. ``"~ culture_overall"`` (statsmodels syntax); forces
        the MixedLM path.
    reml : bool, default True
        REML (as lme4's default) or maximum likelihood.
    method : {"auto", "fast", "mixedlm"}
        ``"auto"`` takes the fast path whenever the model allows (random
        intercepts: one grouping column or nested ones; no random slopes);
        ``"fast"`` raises if it cannot;
        ``"mixedlm"`` always uses statsmodels.
    level : float, default 0.95
        Confidence level of the Wald intervals (fixed effects, BLUPs) and of the
        profile-likelihood intervals of the variance components and the ICCs.
    tol : float, default 1e-10
        Tolerance on ``log lambda`` of the fast path's Brent search.
    gov : str, optional
        Government column for a single grouping column of units: the group is
        then the pair (government, unit), keyed ``unit_key`` in
        ``random_effects``. Without it, groups that include ``unit_code`` but
        not ``gov_code`` are refused when a unit code repeats across
        governments (unit codes are unique only within a government); nested
        ``["gov_code", "unit_code"]`` needs no ``gov``.

    Returns
    -------
    MixedResult
        ``fixed`` (``term, estimate, se, ci_low, ci_high, p_value, n``: Wald).
        ``variance``: one row per random-intercept level (outer to inner), per
        random-slope variance, then ``"residual"``, with columns ``component,
        estimate`` (variance), ``ci_low, ci_high`` (profile-likelihood interval
        of the variance at ``level``: the range of values whose profiled
        criterion is within ``chi2_1(level)`` of the minimum, lme4's
        ``confint(profile(fit))`` squared; a lower end of 0 when the profile at
        0 is within the cut-off), ``icc`` (the row's variance over the sum of
        the random-intercept variances and the residual), ``icc_ci_low,
        icc_ci_high`` (profile-likelihood interval of that ICC, profiled with
        the ICC held fixed), ``n_groups``. The criterion profiled is the fit's
        own (REML when ``reml=True``; lme4's ``profile`` uses ML even then, so
        REML intervals differ from lme4's default output). NaN: the ICC columns
        of the residual and of random-slope rows (a slope variance has no
        share of a total that does not depend on the covariate); all four
        interval columns when nested levels and random slopes are combined
        (not implemented), or if profiling fails (with a warning).
        ``random_effects`` (group column(s), ``estimate, se, ci_low, ci_high,
        n``; for nested levels the innermost group's BLUP is the sum of its own,
        its ancestors' and the outer group's effects, and ``se`` its conditional
        standard deviation from their joint conditional covariance), ``converged``,
        ``path``, ``deviance``, ``singular``.

    Raises
    ------
    InputError
        Unknown columns, bad ``groups`` or ``method``.
    ValidationError
        Unit codes repeated across governments without the government column.
    EstimationError
        Too few groups or observations, or a rank-deficient design.

    Notes
    -----
    Profile intervals of nested and random-slope models cost a few thousand
    evaluations of an exact per-group-sum criterion (well under 1 s for units in
    governments on a few thousand rows; about 1.5 s, in two processes, at 4.3
    million rows and 40,000 units: benchmarks/results/multilevel.md).

    Examples
    --------
    Equivalent R call: ``lmer(y ~ x + (1 | unit), data, REML = TRUE)``; nested:
    ``groups=["gov", "unit"]`` is ``lmer(y ~ x + (1 | gov) + (1 | gov:unit))``, and
    its variance intervals with ``reml=False`` are ``confint(profile(fit))^2``.

    Thirty units of twelve observations, slope 0.5, unit SD 0.7 (variance 0.49)
    and residual SD 1:

    >>> import numpy as np, pandas as pd
    >>> from berakhlak_research.models.multilevel import random_intercept
    >>> rng = np.random.default_rng(2)
    >>> g = np.repeat(np.arange(30), 12)
    >>> d = pd.DataFrame({"unit": g, "x": rng.normal(size=g.size)})
    >>> d["y"] = 1 + 0.5 * d["x"] + rng.normal(scale=0.7, size=30)[g] + rng.normal(size=g.size)
    >>> fit = random_intercept(d, "y ~ x", "unit")
    >>> fit.fixed.round(2)
            term  estimate    se  ci_low  ci_high  p_value    n
    0  Intercept      0.85  0.12    0.61     1.09      0.0  360
    1          x      0.52  0.05    0.42     0.62      0.0  360
    >>> fit.variance[["component", "estimate", "ci_low", "ci_high", "icc"]].round(2)
      component  estimate  ci_low  ci_high   icc
    0      unit      0.38    0.21     0.73  0.28
    1  residual      1.00    0.86     1.17   NaN
    """
    gcols = _as_groups(groups)
    if gov is not None:
        if len(gcols) != 1:
            raise InputError(
                f"gov={gov!r} combines one grouping column with the government; with nested "
                f"groups {gcols} list the government in groups instead."
            )
        data, unit = resolve_unit(data, gcols[0], gov=gov, func="random_intercept", arg="groups")
        gcols = [unit]
    elif UNIT in gcols:
        check_unit(data, groups if isinstance(groups, str) else gcols, func="random_intercept", arg="groups",
                   fix=f"Pass gov={GOV!r} or nest the units: groups=[{GOV!r}, {UNIT!r}].")  # fmt: skip
    if method not in {"auto", "fast", "mixedlm"}:
        raise InputError(f"method must be 'auto', 'fast' or 'mixedlm', got {method!r}.")
    missing = [g for g in gcols if g not in data.columns]
    if missing:
        raise InputError(f"Grouping column(s) {missing} not in the data.")
    fast_ok = re_formula is None
    if method == "fast" and not fast_ok:
        raise InputError(
            "The fast path fits random intercepts (one grouping column or nested ones) "
            f"without random slopes; got re_formula={re_formula!r}. Use method='auto'."
        )
    if fast_ok and method != "mixedlm":
        if len(gcols) == 1:
            return random_intercept_fast(data, formula, gcols[0], reml, level, tol)
        return random_intercept_nested(data, formula, gcols, reml, level, tol)
    return random_intercept_mixedlm(data, formula, gcols, re_formula, reml, level)
