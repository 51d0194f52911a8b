"""Answer distributions per behaviour and the index by demographic group, per government and wave.

Two report-facing tables the culture engine does not produce:

* :func:`item_shares` — for each of the 21 behaviours, the weighted percentage of
  answers that are unfavourable (1-2 on the 1-5 scale), neutral (3) and favourable
  (4-5), as FEVS reports its items. Favourable equals the ``favourable`` scoring of
  ``culture_behaviour`` for the same weights.
* :func:`demographic_index` — the overall index (percent favourable) by sex, age
  group and employment type, with a linearised standard error that takes the
  respondents' units as clusters.

Both mark groups with fewer than ``min_group`` respondents ``suppressed`` and
blank their estimates, so no small group can reach a report. Vectorised: one
``bincount`` per behaviour and answer band over all governments and waves at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.indices._common import check_min_group

__all__ = ["item_shares", "demographic_index", "DEMOGRAPHICS"]

DEMOGRAPHICS = ("sex", "age_group", "employment_type")
"""Respondent profile columns the report breaks the index down by."""

_BANDS = {"unfavourable": (1, 2), "neutral": (3, 3), "favourable": (4, 5)}


def _weights(resp: pd.DataFrame, weights) -> np.ndarray:
    if weights is None:
        return np.ones(len(resp))
    w = np.asarray(weights, dtype="float64")
    if w.shape != (len(resp),):
        raise ValueError(f"weights must have one entry per response ({len(resp)}), got {w.shape}.")
    return w


def _codes(*columns: pd.Series) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense codes of the row tuples of ``columns`` (sorted) and each group's value per column.

    Factorising each column on its own and combining the integer codes is an
    order of magnitude faster than factorising a MultiIndex of millions of rows.
    Rows with a missing value get code -1.
    """
    combined = np.zeros(len(columns[0]), dtype="int64")
    missing = np.zeros(len(columns[0]), dtype=bool)
    uniques = []
    for col in columns:
        c, u = pd.factorize(col, sort=True)
        missing |= c < 0
        combined = combined * max(len(u), 1) + np.maximum(c, 0)
        uniques.append(np.asarray(u))
    space = int(np.prod([max(len(u), 1) for u in uniques], dtype="float64"))
    codes = np.full(len(combined), -1, dtype="int64")
    if space <= 50_000_000:  # a presence table is O(rows); np.unique would sort them
        present = np.bincount(combined[~missing], minlength=space) > 0
        keys = np.flatnonzero(present)
        dense = np.cumsum(present) - 1
        codes[~missing] = dense[combined[~missing]]
    else:
        keys, codes[~missing] = np.unique(combined[~missing], return_inverse=True)
    values, rest = [], keys
    for u in reversed(uniques):  # undo the mixed-radix combination, last column first
        values.append(u[rest % max(len(u), 1)])
        rest = rest // max(len(u), 1)
    return codes, values[::-1]


def _answers(resp: pd.DataFrame) -> np.ndarray:
    """The 21 behaviour answers as an int8 matrix: 1-5, and 0 where missing or outside 1-5."""
    # column-major: every later pass reads one behaviour's column contiguously
    X = np.zeros((len(resp), len(fw.BEHAVIOUR_CODES)), dtype="int8", order="F")
    for j, b in enumerate(fw.BEHAVIOUR_CODES):  # 21 columns, each converted in one pass
        x = pd.to_numeric(resp[b], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        valid = (x >= 1) & (x <= 5) & (x == np.round(x))
        X[:, j] = np.where(valid, x, 0)
    return X


# answer (0 = missing, 1-5) -> band: 0 unfavourable (1-2), 1 neutral (3), 2 favourable (4-5), 3 none
_BAND_OF = np.array([3, 0, 0, 1, 2, 2], dtype="int8")


def item_shares(resp: pd.DataFrame, *, weights=None, min_group: int = 10) -> pd.DataFrame:
    """Weighted shares of unfavourable, neutral and favourable answers per behaviour.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses``: ``gov_code, wave`` and the 21 behaviour columns
        (answers 1-5, missing allowed; an answer outside 1-5 counts as missing).
    weights : array-like, optional
        One weight per response (default 1).
    min_group : int, default 10

    Returns
    -------
    pandas.DataFrame
        One row per government, wave and behaviour: ``gov_code, wave, behaviour,
        unfavourable, neutral, favourable`` (percent of answers, summing to 100),
        ``n`` (answers), ``suppressed`` (n < min_group; shares then NaN).
    """
    min_group = check_min_group(min_group)
    w = _weights(resp, weights)
    codes, (gov, wave) = _codes(resp["gov_code"], resp["wave"])
    G, B = len(gov), len(fw.BEHAVIOUR_CODES)
    X = _answers(resp)
    band = _BAND_OF[X]
    keep = codes >= 0
    if not keep.all():
        codes, band, w = codes[keep], band[keep], w[keep]
    base = codes * 4
    sums, counts = np.empty((G, B, 4)), np.empty((G, B, 4), dtype="int64")
    for j in range(B):  # 21 behaviours; each one pass over all responses
        cell = base + band[:, j]
        sums[:, j] = np.bincount(cell, weights=w, minlength=G * 4).reshape(G, 4)
        counts[:, j] = np.bincount(cell, minlength=G * 4).reshape(G, 4)
    sums, counts = sums.reshape(G * B, 4), counts.reshape(G * B, 4)
    tot = sums[:, :3].sum(axis=1)
    out = pd.DataFrame({
        "gov_code": pd.array(np.repeat(gov, B), dtype="string"),
        "wave": np.repeat(wave, B).astype("int64"),
        "behaviour": np.tile(np.asarray(fw.BEHAVIOUR_CODES), G),
    })  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, name in enumerate(_BANDS):
            out[name] = 100 * sums[:, j] / tot
    out["n"] = counts[:, :3].sum(axis=1).astype("int64")
    out["suppressed"] = out["n"] < min_group
    out.loc[out["suppressed"], list(_BANDS)] = np.nan
    return out.sort_values(["gov_code", "wave", "behaviour"], kind="stable").reset_index(drop=True)


def demographic_index(
    resp: pd.DataFrame,
    *,
    weights=None,
    min_group: int = 10,
    level: float = 0.95,
    cluster: str | None = "unit_code",
) -> pd.DataFrame:
    """Overall index (percent favourable) by sex, age group and employment type.

    A respondent's score is the percentage of their answered behaviours that are
    favourable; a group's estimate is the weighted mean of its respondents'
    scores. Its standard error is the linearised (ratio-mean) one with the
    respondents' units as clusters, ``sqrt(m / (m - 1) * sum_c e_c^2) / sum w``
    with ``e_c`` the weighted residual total of cluster ``c`` and ``m`` the
    group's number of clusters: colleagues in one unit answer alike, and an
    interval that treated them as independent would be too narrow. With every
    respondent their own cluster (``cluster=None``) it is the with-replacement
    SE of a weighted mean.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses`` with ``gov_code, wave``, the 21 items and the
        demographic columns.
    weights : array-like, optional
        One weight per response; None = equal weights.
    min_group : int, default 10
        Groups with fewer respondents are withheld.
    level : float, default 0.95
        Confidence level of the intervals.
    cluster : str or None, default "unit_code"
        Column of the clusters within a government (ignored when absent from
        ``resp``); None treats respondents as independent.

    Returns
    -------
    pandas.DataFrame
        ``gov_code, wave, dimension`` (sex, age_group, employment_type), ``group``,
        ``estimate, se, ci_low, ci_high, n`` (respondents), ``clusters`` (units
        the group's respondents are in; ``n`` without clusters), ``suppressed``
        (n < min_group: estimate and interval NaN). A group in a single unit
        has no between-cluster variance to estimate: its SE is NaN.
    """
    from scipy import stats

    min_group = check_min_group(min_group)
    w = _weights(resp, weights)
    X = _answers(resp)
    answered = (X > 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 100 * (X >= 4).sum(axis=1) / answered
    ok = answered > 0
    if cluster is not None and cluster in resp.columns:
        ucode, uniq = pd.factorize(resp[cluster])
        ucode = np.where(ucode < 0, len(uniq), ucode)  # rows without a unit: one cluster
        U = len(uniq) + 1
    else:
        ucode = None
    z = stats.norm.ppf(0.5 + level / 2)
    parts = []
    for dim in [d for d in DEMOGRAPHICS if d in resp.columns]:  # three profile columns
        codes, (gov, wave, group) = _codes(resp["gov_code"], resp["wave"], resp[dim])
        keep = ok & (codes >= 0)
        c, s, ww = codes[keep], score[keep], w[keep]
        G = len(gov)
        n = np.bincount(c, minlength=G)
        sw = np.bincount(c, weights=ww, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.bincount(c, weights=ww * s, minlength=G) / sw
        e = ww * (s - est[c])
        if ucode is not None:
            cl = np.unique(c * U + ucode[keep], return_inverse=True)[1]
            e_c = np.bincount(cl, weights=e)
            owner = np.zeros(len(e_c), dtype="int64")
            owner[cl] = c  # the group each (group, unit) cluster belongs to
        else:
            e_c, owner = e, c
        m = np.bincount(owner, minlength=G)
        ss = np.bincount(owner, weights=e_c**2, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(m > 1, np.sqrt(ss * m / np.maximum(m - 1, 1)) / sw, np.nan)
        parts.append(pd.DataFrame({
            "gov_code": pd.array(gov.astype(str), dtype="string"),
            "wave": wave.astype("int64"), "dimension": dim,
            "group": pd.array(group.astype(str), dtype="string"), "estimate": est, "se": se,
            "ci_low": np.clip(est - z * se, 0, 100), "ci_high": np.clip(est + z * se, 0, 100),
            "n": n, "clusters": m,
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=["gov_code", "wave", "dimension", "group", "estimate", "se",
                                     "ci_low", "ci_high", "n", "clusters", "suppressed"])  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["suppressed"] = out["n"] < min_group
    out.loc[out["suppressed"], ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return out
