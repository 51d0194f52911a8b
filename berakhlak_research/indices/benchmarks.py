"""Ranks, peer benchmarks and change since the previous wave, per government and value.

Peers follow the FEVS / UK People Survey convention: the median and upper
quartile of the governments of the same kind (kota, kabupaten, provinsi) and
of all governments, in the same wave. Ranks are 1 = highest, ties share the
best rank ("min" method). Withheld (suppressed) estimates are neither ranked
nor counted among peers.

The change since the previous wave the government was measured in is tested
with a normal z-test, ``SE = sqrt(se_t^2 + se_{t-1}^2)`` (independent
cross-sectional samples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research import survey
from berakhlak_research.exceptions import InputError
from berakhlak_research.regions import governments

__all__ = ["culture_benchmarks", "change_test"]


def change_test(estimate, se, prev_estimate, prev_se) -> pd.DataFrame:
    """Change between two independent estimates, with its SE, 95 % interval and two-sided p.

    Parameters
    ----------
    estimate, se : array-like
        This wave's estimates and standard errors.
    prev_estimate, prev_se : array-like
        The previous wave's, aligned with ``estimate``.

    Returns
    -------
    pandas.DataFrame
        ``change``, ``change_se``, ``change_ci_low``, ``change_ci_high``, ``change_p_value``.
    """
    est = np.asarray(estimate, dtype=float)
    change = est - np.asarray(prev_estimate, dtype=float)
    se = np.sqrt(
        np.square(np.asarray(se, dtype=float)) + np.square(np.asarray(prev_se, dtype=float))
    )
    lo, hi = survey.normal_interval(change, se)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(change / se)), np.nan)
    p = np.where(np.isfinite(change) & np.isfinite(se), p, np.nan)
    return pd.DataFrame(
        {
            "change": change,
            "change_se": se,
            "change_ci_low": lo,
            "change_ci_high": hi,
            "change_p_value": p,
        }
    )


def culture_benchmarks(
    culture_index: pd.DataFrame, *, kinds: pd.Series | None = None
) -> pd.DataFrame:
    """Ranks, peer median and upper quartile, and change, from government-level culture indices.

    Parameters
    ----------
    culture_index : pandas.DataFrame
        The ``culture_index`` table (rows with ``aggregation == "government"``
        are used; without an ``aggregation`` column all rows are) with ``gov_code, wave,
        value, estimate, se`` and optionally ``scoring``.
    kinds : pandas.Series, optional
        Government code -> kind; default from :func:`regions.governments`.

    Returns
    -------
    pandas.DataFrame
        ``gov_code, wave, kind, value, scoring, estimate, rank_kind, n_kind,
        rank_national, n_national, peer_median_kind, peer_q75_kind,
        peer_median_national, peer_q75_national, previous_wave, change,
        change_se, change_ci_low, change_ci_high, change_p_value``.
    """
    need = {"gov_code", "wave", "value", "estimate", "se"}
    if not need <= set(culture_index.columns):
        raise InputError(f"culture_benchmarks needs columns {sorted(need)}.")
    d = culture_index
    if "aggregation" in d.columns:
        d = d[d["aggregation"] == "government"]
    d = d.copy()
    if "scoring" not in d.columns:
        d["scoring"] = "favourable"
    for c in ("value", "scoring"):
        d[c] = d[c].astype("string")
    d["gov_code"] = d["gov_code"].astype("string")
    if kinds is None:
        kinds = governments().set_index("code")["kind"]
    d["kind"] = d["gov_code"].map(kinds).astype("string")
    est = d["estimate"].astype(float)
    nat = [d["wave"], d["value"], d["scoring"]]
    kin = [*nat, d["kind"]]
    d["rank_kind"] = (
        est.groupby(kin, dropna=False).rank(ascending=False, method="min").astype("Int64")
    )
    d["n_kind"] = est.groupby(kin, dropna=False).transform("count").astype("Int64")
    d["rank_national"] = est.groupby(nat).rank(ascending=False, method="min").astype("Int64")
    d["n_national"] = est.groupby(nat).transform("count").astype("Int64")
    d["peer_median_kind"] = est.groupby(kin, dropna=False).transform("median")
    d["peer_q75_kind"] = est.groupby(kin, dropna=False).transform("quantile", 0.75)
    d["peer_median_national"] = est.groupby(nat).transform("median")
    d["peer_q75_national"] = est.groupby(nat).transform("quantile", 0.75)
    d = d.sort_values(["gov_code", "value", "scoring", "wave"]).reset_index(drop=True)
    g = d.groupby(["gov_code", "value", "scoring"], sort=False)
    prev_est, prev_se, prev_wave = g["estimate"].shift(), g["se"].shift(), g["wave"].shift()
    ch = change_test(d["estimate"], d["se"], prev_est, prev_se)
    d["previous_wave"] = prev_wave.astype("Int64")
    d = pd.concat([d, ch], axis=1)
    cols = [
        "gov_code", "wave", "kind", "value", "scoring", "estimate", "rank_kind", "n_kind",
        "rank_national", "n_national", "peer_median_kind", "peer_q75_kind",
        "peer_median_national", "peer_q75_national", "previous_wave", "change", "change_se",
        "change_ci_low", "change_ci_high", "change_p_value",
    ]  # fmt: skip
    return d[cols]
