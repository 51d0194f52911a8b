"""Random-intercept and nested multilevel models, with a fast path for national-scale data.

:func:`random_intercept` fits ``y = X beta + u_group + e`` (Gaussian, REML by
default). Without random slopes it runs the *sufficient-statistics* path: for
one grouping factor the model is profiled over the variance ratio ``lambda =
tau^2 / sigma^2`` using only per-group counts and sums computed once from the
data, so each likelihood evaluation costs ``O(G p^2)`` instead of a pass over
the rows; nested groups (units within governments, any depth; lme4 ``(1 | gov)
+ (1 | gov:unit)``) use the same sums level by level (``_nested``: Sherman-Morrison
per block, O(units) per evaluation, minimised by Nelder-Mead). Random slopes
fall back to statsmodels' :class:`~statsmodels.regression.mixed_linear_model.MixedLM`
(``method="mixedlm"`` forces it). The result says which path ran.

Modules: ``_design`` (formula -> arrays), ``_result`` (:class:`MixedResult`, the
fixed-effects table), ``_fast`` (one grouping factor), ``_nested`` (nested
intercepts), ``_profile`` (profile-likelihood intervals, both paths), ``_mixedlm``
(the statsmodels route), ``_fit`` (:func:`random_intercept`, which picks one).

Notes
-----
With ``H_g = I + lambda 1 1'`` (so ``V_g = sigma^2 H_g``) and
``w_g = lambda / (1 + lambda n_g)``, ``H_g^{-1} = I - w_g 1 1'``; therefore

* ``X'H^{-1}X = X'X - S' diag(w) S`` where row ``g`` of ``S`` holds the column
  sums of ``X`` in group ``g``;
* ``X'H^{-1}y = X'y - S' (w * t)`` and ``y'H^{-1}y = y'y - sum w_g t_g^2``,
  ``t_g`` being the group sums of ``y``;
* ``log |H| = sum_g log(1 + lambda n_g)``.

The profiled REML deviance (lme4's ``REMLcrit``) is

``(N - p) (1 + log(2 pi r / (N - p))) + sum log(1 + lambda n_g) + log |X'H^{-1}X|``

with ``r = y'H^{-1}y - b'X'H^{-1}y`` and GLS ``b = (X'H^{-1}X)^{-1} X'H^{-1}y``;
``sigma^2 = r / (N - p)`` and ``Cov(b) = sigma^2 (X'H^{-1}X)^{-1}``. It is
minimised over ``log lambda`` by a coarse grid then a bounded Brent search.
The predicted random effects (BLUPs) are ``u_g = w_g (t_g - S_g b)`` with
conditional variance ``sigma^2 w_g`` (as lme4's ``condVar``).

Because the criterion is profiled over lambda alone, profile-likelihood
intervals are cheap (a few hundred evaluations of the O(K p^2) criterion):
``{lambda : REMLcrit(lambda) - REMLcrit_min <= chi2_1(level)}`` for lambda and
hence the ICC ``lambda / (1 + lambda)``; the intervals of ``tau^2`` and
``sigma^2`` are their ranges over the same likelihood-ratio region of
``(lambda, sigma^2)`` (closed form in sigma^2 at each lambda, Lambert W), i.e.
profile intervals too (see ``_profile.profile_intervals``). With ``reml=False``
they equal lme4's ``confint(profile(fit))`` on the variance scale.

On the MixedLM path the same intervals are computed for nested random
intercepts (any depth) and for random slopes of one grouping column (see
``_profile.mixed_profile_intervals``). statsmodels supplies the estimates; the
criterion (profiled over beta and sigma^2) is then re-evaluated exactly from
per-group sums: level by level with Sherman-Morrison for nested intercepts
(the innermost groups pooled by parent and size), by ``q x q`` Woodbury blocks
for random slopes. The profile of a parameter is the criterion minimised over
the others with it held fixed (a Nelder-Mead fit per profile point), and each
interval end is found by Brent's method where the profile crosses ``dev_min +
chi2_1(level)``. ICC intervals are profiled the same way, the ICC held fixed.

The criterion profiled is the fit's own: REML for REML fits (the default), -2
log-likelihood for ML fits, on both paths. lme4's ``profile()`` refits a REML
model by ML and profiles that, so its ``confint`` of a REML fit is the ML fit's
interval: our ML intervals equal lme4's (tests/r/lme4_profile_reference.R,
tests/r/multilevel_nested_reference.R, to ~1e-11), and our REML intervals equal
lme4's profiler run on the REML criterion (the latter script).

References
----------
1. Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects
   models using lme4. J. Stat. Softw. 67(1).
2. Raudenbush SW, Bryk AS (2002). Hierarchical Linear Models, 2nd ed. Sage.
"""

from berakhlak_research.models.multilevel._design import design
from berakhlak_research.models.multilevel._fit import random_intercept
from berakhlak_research.models.multilevel._result import FALLBACK_PATH, FAST_PATH, MixedResult

__all__ = ["FALLBACK_PATH", "FAST_PATH", "MixedResult", "design", "random_intercept"]
