"""The psychometric tables of the results store (``berakhlak measure``).

:func:`measurement_tables` turns canonical ``culture_responses`` into the four tables named
in the results-store contract: ``reliability``, ``item_total``, ``cfa_fit`` and
``cfa_loadings``. Reliability and item-total correlations are computed per government and
wave and for all governments together (``gov_code`` NA); the CFA for all data per wave and
per government-wave where enough respondents answered every item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.psychometrics._mlfa import fit_ml_cfa_batch
from berakhlak_research.psychometrics._moments import (
    GroupMoments,
    check_value_map,
    group_moments,
    item_matrix,
    pool_moments,
)
from berakhlak_research.psychometrics.cfa import fit_indices, loading_pattern
from berakhlak_research.psychometrics.reliability import scale_moments, tables_from_moments
from berakhlak_research.vocabulary import renamed

__all__ = ["measurement_tables", "DEFAULT_MIN_N", "DEFAULT_CFA_MIN_N"]

DEFAULT_MIN_N = 10
"""Fewest complete respondents for a reliability figure (the report suppression threshold)."""

DEFAULT_CFA_MIN_N = 200
"""Fewest complete respondents for a 21-item CFA of one group."""

_FIT = ["chi2", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high",
        "srmr", "n", "converged", "heywood"]  # fmt: skip
_LOAD = ["value", "behaviour", "estimate", "se", "ci_low", "ci_high", "n"]


def _cfa_tables(keys: pd.DataFrame, m: GroupMoments, vmap, reasons: list[str], ci: float):
    """Fit the CFA to every group without a reason not to; return (fit, loadings) tables.

    Works on arrays and builds each table once (thousands of government-waves nationally).
    """
    items, pattern = loading_pattern(vmap)
    li, lj = np.nonzero(pattern)
    factors = list(vmap)
    z = stats.norm.ppf(0.5 + ci / 2)
    rows, load_groups, load_est, load_se, load_n = [], [], [], [], []
    todo = np.flatnonzero([not r for r in reasons])
    nn = m.n[todo].astype("int64")
    # all groups' ML fits at once, on stacked arrays (fit_ml_cfa's algorithm and results)
    fits = dict(zip(todo.tolist(), fit_ml_cfa_batch(
        m.cov[todo] * ((nn - 1) / nn)[:, None, None], nn, pattern), strict=True))  # fmt: skip
    for g in range(len(keys)):  # tabulating the fits: one row per group
        reason = reasons[g]
        row = dict.fromkeys(_FIT, np.nan)
        row["n"] = int(m.n[g])
        if not reason:
            n = int(m.n[g])
            ml = fits[g]
            if isinstance(ml, EstimationError):
                reason = str(ml)
            else:
                row = {k: v for k, v in fit_indices(ml).items() if k in _FIT}
                if not ml.converged:
                    reason = "ML estimation did not converge"
                load_groups.append(g)
                load_est.append(ml.std_loadings)
                load_se.append(ml.std_loadings_se)
                load_n.append(n)
        row["reason"] = reason
        rows.append(row)
    fit = pd.concat([keys.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
    k = li.size
    gi = np.repeat(np.asarray(load_groups, dtype="int64"), k)
    est = np.concatenate(load_est) if load_est else np.empty(0)
    se = np.concatenate(load_se) if load_se else np.empty(0)
    load = keys.iloc[gi].reset_index(drop=True)
    load["value"] = np.tile(np.asarray(factors, dtype=object)[lj], len(load_groups))
    load["behaviour"] = np.tile(np.asarray(items, dtype=object)[li], len(load_groups))
    load["estimate"] = est
    load["se"] = se
    load["ci_low"] = est - z * se
    load["ci_high"] = est + z * se
    load["n"] = np.repeat(np.asarray(load_n, dtype="int64"), k)
    return fit, load


@renamed(ci="level")
def measurement_tables(
    responses: pd.DataFrame,
    by: Sequence[str] = ("wave",),
    *,
    min_n: int = DEFAULT_MIN_N,
    cfa_min_n: int = DEFAULT_CFA_MIN_N,
    cfa_by_gov: bool = True,
    value_map: Mapping[str, Sequence[str]] | None = None,
    level: float = 0.95,
) -> dict[str, pd.DataFrame]:
    """Reliability, item-total correlations and CFA tables for the results store.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical ``culture_responses``: ``gov_code``, the ``by`` columns (``wave``) and the
        item columns BP1..KB3 (nullable Int8 1..5).
    by : sequence of str, default ("wave",)
        Columns that split all analyses besides the government.
    min_n : int, default 10
        Fewest listwise-complete respondents for reliability and item-total figures of a
        group (rows below it keep NaN and a ``reason``).
    cfa_min_n : int, default 200
        Fewest respondents answering all 21 items for a CFA of one group (per wave for all
        data, per government-wave otherwise).
    cfa_by_gov : bool, default True
        Also fit the CFA per government-wave (where ``n >= cfa_min_n``).
    value_map : mapping, optional
        Scale -> items; default the seven BerAKHLAK values.
    level : float, default 0.95
        Confidence level of alpha's Feldt interval and of the loadings' Wald intervals.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"reliability"``: gov_code (NA = all governments), the ``by`` columns, value,
        alpha, alpha_ci_low, alpha_ci_high, omega, n, alpha_se, n_items, reason,
        omega_note (why omega is NaN while alpha is computed). The stored table names
        alpha's columns ``alpha*`` because it shows two coefficients side by side;
        :func:`~berakhlak_research.psychometrics.alpha_by` returns the same figures as
        ``estimate, se, ci_low, ci_high, p_value, n``.
        ``"item_total"``: gov_code, ``by``, value, behaviour, r_corrected, n, reason.
        ``"cfa_fit"``: gov_code, ``by``, chi2, df, p_value, cfi, tli, rmsea,
        rmsea_ci_low, rmsea_ci_high, srmr, n, converged, heywood, reason (a group with too
        few respondents keeps a row with NaN figures and the reason).
        ``"cfa_loadings"``: gov_code, ``by``, value, behaviour, estimate (standardised),
        se, ci_low, ci_high, n (fitted groups only).

    Notes
    -----
    Missing answers: listwise within each scale for reliability and item-total, across all
    items of the model for the CFA. Alpha: raw alpha with Feldt's interval; omega:
    one-factor ML omega total; CFA: ML, ``std.lv = TRUE``, expected-information SEs (see
    :mod:`berakhlak_research.psychometrics.reliability` and ``.cfa``).
    """
    by = list(by)
    if "gov_code" not in responses.columns:
        raise InputError("responses need a gov_code column (canonical culture_responses).")
    if "gov_code" in by:
        raise InputError("by must not contain gov_code: it is always one of the levels.")
    if min_n < 3:
        raise InputError(f"min_n must be at least 3, got {min_n}.")
    vmap = check_value_map(value_map)
    gov_by = ["gov_code", *by]

    # One pass over the data per scale at government level; all-data moments are pooled.
    keys_g, _, mom_g = scale_moments(responses, gov_by, vmap, dtype="float32")
    if by:
        pgrouped = keys_g.groupby(by, sort=True, dropna=False, observed=True)
        parent = pgrouped.ngroup().to_numpy()
        keys_a = pgrouped.size().reset_index()[by]
    else:
        parent = np.zeros(len(keys_g), dtype="int64")
        keys_a = pd.DataFrame(index=[0])
    mom_a = {v: pool_moments(m, parent, len(keys_a)) for v, m in mom_g.items()}
    rel_g, it_g = tables_from_moments(keys_g, gov_by, mom_g, vmap, level, min_n)
    rel_a, it_a = tables_from_moments(keys_a, by, mom_a, vmap, level, min_n)
    for t in (rel_a, it_a):
        t.insert(0, "gov_code", pd.Series(pd.NA, index=t.index, dtype="string"))
    rel = pd.concat([rel_a, rel_g], ignore_index=True)
    it = pd.concat([it_a, it_g], ignore_index=True)
    rel = rel[[*gov_by, "value", "alpha", "alpha_ci_low", "alpha_ci_high", "omega", "n",
               "alpha_se", "n_items", "reason", "omega_note"]]  # fmt: skip
    it = it[[*gov_by, "value", "behaviour", "r_corrected", "n", "reason"]]

    # CFA: moments of the complete rows over all items, per government-wave, pooled to waves.
    items = [i for its in vmap.values() for i in its]
    codes = responses.groupby(gov_by, sort=True, dropna=False, observed=True).ngroup()
    m_g = group_moments(item_matrix(responses, items, "float32"), codes.to_numpy(), len(keys_g))
    m_a = pool_moments(m_g, parent, len(keys_a))
    keys_a = keys_a.copy()
    keys_a.insert(0, "gov_code", pd.Series(pd.NA, index=keys_a.index, dtype="string"))

    def reasons(m: GroupMoments) -> list[str]:
        out = []
        for g in range(len(m.n)):
            empty = [i for i, a in zip(items, m.answered[g], strict=True) if a == 0]
            if empty:
                out.append(f"item(s) {empty} have no answers")
            elif m.n[g] < cfa_min_n:
                out.append(f"only {m.n[g]} respondents answered every item "
                           f"(fewer than {cfa_min_n})")  # fmt: skip
            else:
                out.append("")
        return out

    fit_a, load_a = _cfa_tables(keys_a, m_a, vmap, reasons(m_a), level)
    fits, loads = [fit_a], [load_a]
    if cfa_by_gov:
        fit_g, load_g = _cfa_tables(keys_g, m_g, vmap, reasons(m_g), level)
        fits.append(fit_g)
        loads.append(load_g)
    cfa_fit = pd.concat(fits, ignore_index=True)[[*gov_by, *_FIT, "reason"]]
    cfa_load = pd.concat(loads, ignore_index=True)[[*gov_by, *_LOAD]]

    for t in (rel, it, cfa_fit, cfa_load):
        t["gov_code"] = t["gov_code"].astype("string")
        for c in ("value", "behaviour", "reason", "omega_note"):
            if c in t:
                t[c] = t[c].astype("string")
    cfa_fit = cfa_fit.astype({"df": "Int64", "n": "Int64"})
    cfa_load = cfa_load.astype({"n": "Int64", "estimate": "float64", "se": "float64",
                                "ci_low": "float64", "ci_high": "float64"})  # fmt: skip
    for c in ("converged", "heywood"):
        if c in cfa_fit:
            cfa_fit[c] = cfa_fit[c].astype("boolean")
    return {"reliability": rel, "item_total": it, "cfa_fit": cfa_fit, "cfa_loadings": cfa_load}
