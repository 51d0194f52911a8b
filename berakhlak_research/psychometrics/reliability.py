"""Scale reliability: Cronbach's alpha, McDonald's omega and corrected item-total correlations.

Missing answers (argument ``missing``): ``"listwise"`` (the default) uses the respondents
who answered all of a scale's items, as ``psych::alpha(na.omit(x))``; ``"pairwise"`` uses
each pair of items' own respondents for their covariance, ``cov(x, use = "pairwise")``,
which is ``psych::alpha``'s default. The two differ when answers are missing not at random
(checked against psych in ``tests/r/reliability_reference.R``).

Conventions (checked against R in ``tests/r/psychometrics_reference.R``):

* alpha is the raw (covariance-based) alpha, ``psych::alpha()$total$raw_alpha``; its SE is
  Duhachek and Iacobucci's asymptotic SE (``$total$ase``); its confidence interval is
  Feldt's F-based interval (``$feldt``, from ``psych::alpha.ci``).
* omega is McDonald's omega total of a one-factor model fitted by ML to the covariance
  matrix, ``(sum lambda)^2 / ((sum lambda)^2 + sum theta)``: the model-implied total
  variance in the denominator, i.e. ``semTools::compRelSEM(fit, obs.var = FALSE)``. For
  three items the model is just identified, reproduces the observed total variance, and
  equals ``compRelSEM``'s default (``obs.var = TRUE``) as well; for more items the default
  divides by the observed total variance and differs slightly (0.7406 vs 0.7409 on the
  6-item scale of ``tests/r/reliability_reference.R``). Not ``psych::omega``
  (correlations, minres). Three items have a closed form; longer scales are fitted by
  :mod:`._mlfa`. A failure of omega (undefined or not estimable) never withholds alpha:
  it is reported in ``omega_note``.
* the corrected item-total correlation correlates an item with the sum of the *other*
  items of its scale (``psych::alpha()$item.stats$r.drop``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.psychometrics._mlfa import fit_ml_cfa
from berakhlak_research.psychometrics._moments import (
    GroupMoments,
    check_value_map,
    group_moments,
    item_matrix,
    pairwise_moments,
)
from berakhlak_research.vocabulary import renamed

__all__ = [
    "cronbach_alpha",
    "alpha_by",
    "mcdonald_omega",
    "item_total",
    "scale_moments",
    "tables_from_moments",
]

MIN_N = 3
"""Fewest complete respondents for which a reliability figure is computed at all."""


# --------------------------------------------------------------------------
# array kernels, vectorised over groups: cov has shape (G, k, k), n shape (G,)
# --------------------------------------------------------------------------


def _alpha(cov: np.ndarray, n: np.ndarray, ci: float):
    k = cov.shape[-1]
    tr = np.trace(cov, axis1=1, axis2=2)
    tot = cov.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = k / (k - 1) * (1 - tr / tot)
        # Duhachek & Iacobucci (2004) asymptotic SE, as psych::alpha's "ase".
        c2 = cov @ cov
        q = (2 * k**2 / ((k - 1) ** 2 * tot**3)) * (
            tot * (np.trace(c2, axis1=1, axis2=2) + tr**2) - 2 * tr * c2.sum(axis=(1, 2))
        )
        se = np.sqrt(q / n)
        # Feldt (1965): (1 - alpha) / (1 - alpha_hat) ~ F(n - 1, (n - 1)(k - 1)).
        a = 1 - ci
        df1, df2 = n - 1, (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.ppf(1 - a / 2, df1, df2)
        high = 1 - (1 - alpha) * stats.f.ppf(a / 2, df1, df2)
    return alpha, se, low, high


def _omega3(cov: np.ndarray) -> np.ndarray:
    """Omega total of the just-identified one-factor model of three items (closed form).

    lambda_1^2 = c12 c13 / c23 etc.; the ML solution reproduces the covariances exactly, so
    (sum lambda)^2 + sum theta = 1'C1. Undefined (NaN) when c12 c13 c23 <= 0.
    """
    c12, c13, c23 = cov[:, 0, 1], cov[:, 0, 2], cov[:, 1, 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        prod = c12 * c13 * c23
        l1 = np.sqrt(c12 * c13 / c23)
        l2, l3 = c12 / l1, c13 / l1
        omega = (l1 + l2 + l3) ** 2 / cov.sum(axis=(1, 2))
    return np.where(prod > 0, omega, np.nan)


def _omega_general(cov: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Omega total for scales of any length (one ML fit per group)."""
    k = cov.shape[-1]
    out = np.full(cov.shape[0], np.nan)
    why = [""] * cov.shape[0]
    pattern = np.ones((k, 1), dtype=bool)
    for g in range(cov.shape[0]):  # one factor fit per group; groups are governments, few
        if not np.all(np.isfinite(cov[g])):
            continue
        try:
            fit = fit_ml_cfa(cov[g] * (n[g] - 1) / n[g], int(n[g]), pattern)
        except EstimationError as err:
            why[g] = f"one-factor model not estimable: {err}"
            continue
        s = fit.loadings.sum() ** 2
        out[g] = s / (s + fit.psi.sum())
        if not fit.converged:
            why[g] = "one-factor model did not converge"
    return out, why


def _item_total(cov: np.ndarray) -> np.ndarray:
    """Corrected item-total correlations, shape (G, k)."""
    var = np.diagonal(cov, axis1=1, axis2=2)
    row = cov.sum(axis=2)
    tot = cov.sum(axis=(1, 2))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (row - var) / np.sqrt(var * (tot - 2 * row + var))


def _reasons(m: GroupMoments, items: Sequence[str], min_n: int) -> np.ndarray:
    """Why a group's scale statistics are withheld ('' = they are computed)."""
    reason = np.full(m.n.shape[0], "", dtype=object)
    var = np.diagonal(m.cov, axis1=1, axis2=2)
    # zero up to rounding of the centred sums (answers are small integers)
    constant = var <= 1e-10 * np.maximum(1.0, m.mean**2)
    for j, item in reversed(list(enumerate(items))):  # first item wins: reversed overwrite
        reason[constant[:, j]] = f"item {item} has the same answer from every respondent"
    floor = max(min_n, MIN_N)
    if m.n_pair is None:
        small = m.n < floor
        reason[small] = [f"only {k} complete respondents (fewer than {floor})"
                         for k in m.n[small]]  # fmt: skip
    else:  # pairwise: the thinnest pair of items decides
        fewest = m.n_pair.min(axis=(1, 2)).astype("int64")
        small = fewest < floor
        reason[small] = [f"only {k} respondents answered some pair of items (fewer than {floor})"
                         for k in fewest[small]]  # fmt: skip
    for j, item in reversed(list(enumerate(items))):
        reason[m.answered[:, j] == 0] = f"item {item} has no answers"
    return reason


# --------------------------------------------------------------------------
# grouping helpers
# --------------------------------------------------------------------------


def _group_codes(data: pd.DataFrame, by: Sequence[str] | None):
    by = list(by or [])
    missing = [c for c in by if c not in data.columns]
    if missing:
        raise InputError(f"Grouping column(s) {missing} not found in data.")
    if not by:
        return np.zeros(len(data), dtype="int64"), pd.DataFrame(index=[0]), by
    grouped = data.groupby(by, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[by]
    return codes, keys, by


MISSING_MODES = ("listwise", "pairwise")
"""Ways of handling missing answers within a scale (see :func:`cronbach_alpha`)."""


def _check_missing(missing: str) -> str:
    if missing not in MISSING_MODES:
        raise InputError(
            f"missing must be 'listwise' or 'pairwise', got {missing!r}; 'pairwise' is "
            "psych::alpha's default, 'listwise' is psych::alpha(na.omit(x))."
        )
    return missing


def _scale_table(
    data: pd.DataFrame,
    by: Sequence[str] | None,
    value_map: Mapping[str, Sequence[str]] | None,
    level: float,
    min_n: int,
    *,
    missing: str = "listwise",
    omega: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reliability and item-total tables for every group and scale (shared by the public API)."""
    vmap = check_value_map(value_map)
    keys, by, moments = scale_moments(data, by, vmap, missing=missing)
    return tables_from_moments(keys, by, moments, vmap, level, min_n, omega=omega)


def scale_moments(
    data: pd.DataFrame,
    by: Sequence[str] | None,
    vmap: dict[str, tuple[str, ...]],
    dtype: str = "float64",
    *,
    missing: str = "listwise",
) -> tuple[pd.DataFrame, list[str], dict[str, GroupMoments]]:
    """Group keys and each scale's per-group moments (listwise or pairwise within the scale)."""
    moments_of = group_moments if _check_missing(missing) == "listwise" else pairwise_moments
    codes, keys, by = _group_codes(data, by)
    moments = {
        value: moments_of(item_matrix(data, items, dtype), codes, len(keys))
        for value, items in vmap.items()  # a loop over the scales (seven values)
    }
    return keys, by, moments


def tables_from_moments(
    keys: pd.DataFrame,
    by: list[str],
    moments: dict[str, GroupMoments],
    vmap: dict[str, tuple[str, ...]],
    level: float,
    min_n: int,
    *,
    omega: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reliability and item-total tables from per-group moments (arrays over groups).

    ``reason`` says why a group's alpha is withheld; omega's own failures (a one-factor
    model that is undefined or cannot be fitted while alpha is fine) go to ``omega_note``
    only, so they never withhold alpha. ``omega=False`` skips the factor fits (NaN omega).
    """
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}.")
    n_groups = len(keys)
    rel_parts, it_parts = [], []
    for value, items in vmap.items():  # a loop over the scales (seven values), not groups
        m = moments[value]
        reason = _reasons(m, items, min_n)
        ok = reason == ""
        alpha, se, low, high = _alpha(m.cov, m.n, level)
        if not omega:
            om = np.full(n_groups, np.nan)
            why = np.full(n_groups, "not computed", dtype=object)
        elif len(items) == 3:
            om = _omega3(m.cov)
            why = np.where(ok & np.isnan(om),
                           "negative inter-item covariance: one-factor model undefined", "")  # fmt: skip
        elif len(items) < 3:
            om = np.full(n_groups, np.nan)
            why = np.full(n_groups, "fewer than 3 items: one-factor model not identified",
                          dtype=object)  # fmt: skip
        else:
            om, why = _omega_general(np.where(ok[:, None, None], m.cov, np.nan), m.n)
            why = np.asarray(why, dtype=object)
        rt = _item_total(m.cov)
        nan_if = ~ok
        rel = keys.copy()
        rel["value"] = value
        rel["alpha"] = np.where(nan_if, np.nan, alpha)
        rel["alpha_se"] = np.where(nan_if, np.nan, se)
        rel["alpha_ci_low"] = np.where(nan_if, np.nan, low)
        rel["alpha_ci_high"] = np.where(nan_if, np.nan, high)
        rel["omega"] = np.where(nan_if, np.nan, om)
        rel["n"] = m.n
        rel["n_items"] = len(items)
        rel["reason"] = reason
        rel["omega_note"] = np.where(ok, why, reason)
        rel_parts.append(rel)
        it = keys.loc[np.repeat(np.arange(n_groups), len(items))].reset_index(drop=True)
        it["value"] = value
        it["behaviour"] = np.tile(list(items), n_groups)
        it["r_corrected"] = np.where(nan_if[:, None], np.nan, rt).ravel()
        it["n"] = np.repeat(m.n, len(items))
        it["reason"] = np.repeat(reason, len(items))
        it_parts.append(it)
    rel = pd.concat(rel_parts, ignore_index=True)
    it = pd.concat(it_parts, ignore_index=True)
    # keep the scales in value_map order inside each group
    rel["_v"] = rel["value"].map({v: i for i, v in enumerate(vmap)})
    it["_v"] = it["value"].map({v: i for i, v in enumerate(vmap)})
    rel = rel.sort_values([*by, "_v"], kind="stable").drop(columns="_v").reset_index(drop=True)
    it = it.sort_values([*by, "_v"], kind="stable").drop(columns="_v").reset_index(drop=True)
    rel["reason"] = rel["reason"].astype("string")
    rel["omega_note"] = rel["omega_note"].astype("string")
    it["reason"] = it["reason"].astype("string")
    return rel, it


TIDY_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "p_value"]
_STORED = {"alpha": "estimate", "alpha_se": "se", "alpha_ci_low": "ci_low",
           "alpha_ci_high": "ci_high"}  # fmt: skip


def _tidy(rel: pd.DataFrame) -> pd.DataFrame:
    """The reliability table in the vocabulary's columns, plus Feldt's p-value of alpha = 0.

    Under alpha = 0, ``1 / (1 - alpha_hat)`` follows F(n - 1, (n - 1)(k - 1)) (Feldt
    1965), the distribution whose quantiles give the interval; the two-sided p-value is
    therefore below ``1 - level`` exactly when the interval excludes 0.
    """
    out = rel.rename(columns=_STORED)
    n = out["n"].to_numpy(dtype=float)
    k = out["n_items"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 1.0 / (1.0 - out["estimate"].to_numpy(dtype=float))
        df1, df2 = n - 1, (n - 1) * (k - 1)
        p = np.minimum(2 * np.minimum(stats.f.sf(f, df1, df2), stats.f.cdf(f, df1, df2)), 1.0)
    out["p_value"] = np.where(np.isfinite(f) & (f > 0), p, np.nan)
    cols = list(out.columns)
    keys = cols[: cols.index("value")]
    rest = [c for c in cols if c not in [*keys, "value", *TIDY_COLUMNS, "n"]]
    return out[[*keys, "value", *TIDY_COLUMNS, "n", *rest]]


def _single(rel: pd.DataFrame, what: str) -> pd.Series:
    row = rel.iloc[0]
    if row["reason"]:
        raise EstimationError(f"{what} cannot be computed: {row['reason']}.")
    return row


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


@renamed(ci="level")
def cronbach_alpha(
    data: pd.DataFrame, items: Sequence[str], *, level: float = 0.95, missing: str = "listwise"
) -> pd.DataFrame:
    """Cronbach's alpha of one scale, with Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns numeric (e.g. nullable Int8 1..5).
    items : sequence of str
        The scale's item columns (at least 2).
    level : float, default 0.95
        Confidence level of the interval.
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"``: the respondents who answered every item (``psych::alpha(na.omit(x))``).
        ``"pairwise"``: each covariance from the respondents who answered both items
        (``cov(x, use = "pairwise")``), **psych::alpha's default**; the SE and Feldt
        interval then use every respondent with at least one answer, as psych uses every
        row it is given.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``estimate`` (raw alpha, from covariances), ``se``
        (Duhachek-Iacobucci asymptotic SE, psych's ``ase``), ``ci_low``, ``ci_high``
        (Feldt's F interval), ``p_value`` (two-sided Feldt F test of alpha = 0, the test
        the interval inverts), ``n`` (listwise: respondents who answered every item;
        pairwise: respondents with at least one answer) and ``n_items``.

    Raises
    ------
    EstimationError
        If an item has no answers or the same answer from everyone, or fewer than 3
        respondents answered every item (pairwise: some pair of items). Never because omega
        cannot be computed (e.g. fewer complete respondents than items, or a negative
        inter-item covariance): alpha does not need the factor model.
    InputError
        Unknown ``missing`` mode, missing or non-numeric item columns.

    Notes
    -----
    alpha = k / (k - 1) * (1 - tr(C) / 1'C1). Feldt: (1 - alpha) / (1 - alpha_hat) follows
    F(n - 1, (n - 1)(k - 1)). R: ``psych::alpha(na.omit(x))$total$raw_alpha`` and ``$feldt``
    (listwise), ``psych::alpha(x)`` (pairwise).

    References
    ----------
    .. [1] Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
       reliability coefficient twenty. Psychometrika 30, 357-370.
    .. [2] Duhachek, A. & Iacobucci, D. (2004). Alpha's standard error (ASE). J. Appl.
       Psychol. 89, 792-808.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(float(cronbach_alpha(d, ["a", "b", "c"])["estimate"].iloc[0]), 3)
    0.954

    R: ``psych::alpha(d)$total$raw_alpha`` gives 0.9537572.
    """
    items = list(items)
    rel, _ = _scale_table(data, None, {"scale": items}, level, MIN_N, missing=missing, omega=False)
    row = _tidy(rel).iloc[0]
    _single(rel, "Cronbach's alpha")
    return pd.DataFrame({c: [row[c]] for c in TIDY_COLUMNS}).assign(
        n=[int(row["n"])], n_items=[len(items)]
    )


def mcdonald_omega(data: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """McDonald's omega total of one scale from a one-factor ML model.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; item columns numeric.
    items : sequence of str
        The scale's items (at least 3: with 2 items a one-factor model is not identified).

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (omega total), ``n`` (listwise-complete respondents),
        ``n_items``.

    Raises
    ------
    EstimationError
        Too few items or respondents, an all-missing or constant item, or a one-factor
        model that cannot be fitted.

    Notes
    -----
    omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta) with lambda, theta the
    unstandardised loadings and residual variances of a one-factor model fitted by
    maximum likelihood to the covariance matrix (factor variance 1): the lavaan-based
    omega with the model-implied total variance, ``semTools::compRelSEM(fit, obs.var =
    FALSE)`` of ``fit <- cfa("f =~ x1 + ... + xk", std.lv = TRUE)``. For 3 items this
    also equals ``compRelSEM``'s default (``obs.var = TRUE``, the just-identified model
    reproduces the observed variance); for more items the default differs slightly
    (verified with semTools 0.5.6 on a 6-item scale: 0.7409 here and with
    ``obs.var = FALSE``, 0.7406 by default). Not ``psych::omega`` (correlations, minres).
    """
    items = list(items)
    if len(items) < 3:
        raise EstimationError(
            f"Omega needs at least 3 items (a one-factor model of {len(items)} items is not "
            "identified); use cronbach_alpha for two-item scales."
        )
    rel, _ = _scale_table(data, None, {"scale": items}, 0.95, MIN_N)
    row = _single(rel, "McDonald's omega")
    if not np.isfinite(row["omega"]):
        raise EstimationError(f"McDonald's omega cannot be computed: {row['omega_note'] or 'NaN'}.")
    return pd.DataFrame({"estimate": [row["omega"]], "n": [int(row["n"])], "n_items": [len(items)]})


@renamed(ci="level")
def alpha_by(
    data: pd.DataFrame,
    by: Sequence[str] | None = None,
    *,
    value_map: Mapping[str, Sequence[str]] | None = None,
    level: float = 0.95,
    min_n: int = MIN_N,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Alpha (with interval) and omega of each value's scale, for every group at once.

    Each group's covariance matrices come from one vectorised pass over the data
    (:func:`numpy.bincount` per cross-product); the statistics are then array operations
    over groups. Groups where a figure cannot be computed keep their row with NaN and say
    why in ``reason``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    by : sequence of str, optional
        Grouping columns (e.g. ``["gov_code", "wave"]``); None = all rows together.
    value_map : mapping, optional
        Scale name -> item columns. Default: the seven BerAKHLAK values and their
        behaviours (``BP -> BP1, BP2, BP3`` ...).
    level : float, default 0.95
        Confidence level of alpha's Feldt interval.
    min_n : int, default 3
        Fewest listwise-complete respondents for a figure (never below 3); pairwise: the
        fewest respondents of any pair of items.
    missing : {"listwise", "pairwise"}, default "listwise"
        As in :func:`cronbach_alpha` (``"pairwise"`` is psych's default); omega is then
        fitted to the pairwise covariance matrix.

    Returns
    -------
    pandas.DataFrame
        One row per group and scale: the ``by`` columns, ``value``, ``estimate``
        (alpha), ``se``, ``ci_low``, ``ci_high`` (Feldt), ``p_value`` (Feldt's test of
        alpha = 0), ``n`` (listwise: complete respondents; pairwise: respondents with
        an answer), ``omega``,
        ``n_items``, ``reason`` ('' when computed, otherwise why the figures are NaN),
        ``omega_note`` ('' when omega is computed, otherwise why it is NaN; omega's own
        failures never withhold alpha).
    """
    rel, _ = _scale_table(data, by, value_map, level, min_n, missing=missing)
    return _tidy(rel)


def item_total(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    *,
    value_map: Mapping[str, Sequence[str]] | None = None,
    by: Sequence[str] | None = None,
    min_n: int = MIN_N,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Corrected item-total correlations: each item against the sum of its scale's other items.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    items : sequence of str, optional
        Restrict the output to these items (default: every item in ``value_map``).
    value_map : mapping, optional
        Scale -> items; default the seven BerAKHLAK values.
    by : sequence of str, optional
        Grouping columns; None = all rows together.
    min_n : int, default 3
        Fewest listwise-complete respondents per scale and group.
    missing : {"listwise", "pairwise"}, default "listwise"
        As in :func:`cronbach_alpha`; pairwise matches ``psych::alpha(x)$item.stats$r.drop``.

    Returns
    -------
    pandas.DataFrame
        One row per group and item: the ``by`` columns, ``value``, ``behaviour``,
        ``r_corrected``, ``n`` (respondents who answered every item of the scale),
        ``reason``.

    Notes
    -----
    r_i = cov(x_i, T - x_i) / sqrt(var(x_i) var(T - x_i)), T the scale sum, over the
    scale's listwise-complete rows; R: ``psych::alpha(na.omit(x))$item.stats$r.drop``.
    """
    _, it = _scale_table(data, by, value_map, 0.95, min_n, missing=missing, omega=False)
    if items is not None:
        items = list(items)
        unknown = sorted(set(items) - set(it["behaviour"]))
        if unknown:
            raise InputError(f"items {unknown} are not in any scale of value_map.")
        it = it[it["behaviour"].isin(items)].reset_index(drop=True)
    return it
