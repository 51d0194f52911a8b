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

__all__ = ["item_tables", "item_shares", "demographic_index", "DEMOGRAPHICS"]

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


def _factorize(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes (-1 = missing) and distinct values of one column."""
    c, u = pd.factorize(col, sort=True)
    return c, np.asarray(u)


def _combine(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense codes of the row tuples of factorised columns and each group's value per column.

    ``parts`` are ``(codes, values)`` pairs (:func:`_factorize`, or an earlier
    :func:`_combine` whose keys are its group numbers). Combining the integer
    codes in mixed radix is an order of magnitude faster than factorising a
    MultiIndex of millions of rows. Groups are numbered in sorted order; rows
    with a missing value get code -1.
    """
    n = len(parts[0][0])
    combined = np.zeros(n, dtype="int64")
    missing = np.zeros(n, dtype=bool)
    sizes = []
    for c, u in parts:
        missing |= c < 0
        combined = combined * max(len(u), 1) + np.maximum(c, 0)
        sizes.append(max(len(u), 1))
    space = int(np.prod(sizes, dtype="float64"))
    any_missing = bool(missing.any())
    seen = combined[~missing] if any_missing else combined  # no copies when nothing is missing
    if space <= 50_000_000:  # a presence table is O(rows); np.unique would sort them
        present = np.bincount(seen, minlength=space) > 0
        keys = np.flatnonzero(present)
        dense = np.cumsum(present) - 1
        inner = dense[seen]
    else:
        keys, inner = np.unique(seen, return_inverse=True)
    if any_missing:
        codes = np.full(n, -1, dtype="int64")
        codes[~missing] = inner
    else:
        codes = inner
    values, rest = [], keys
    for (_, u), size in zip(reversed(parts), reversed(sizes), strict=True):
        values.append(u[rest % size])  # undo the combination, last column first
        rest = rest // size
    return codes, values[::-1]


def _codes(*columns: pd.Series) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense codes of the row tuples of ``columns`` (sorted) and each group's value per column."""
    return _combine(*(_factorize(c) for c in columns))


def _answers(resp: pd.DataFrame) -> np.ndarray:
    """The 21 behaviour answers as an int8 matrix: 1-5, and 0 where missing or outside 1-5."""
    # column-major: every later pass reads one behaviour's column contiguously
    X = np.zeros((len(resp), len(fw.BEHAVIOUR_CODES)), dtype="int8", order="F")
    for j, b in enumerate(fw.BEHAVIOUR_CODES):  # 21 columns, each converted in one pass
        col = resp[b]
        if pd.api.types.is_integer_dtype(col.dtype):  # canonical Int8: no float round trip
            x = col.to_numpy(dtype="int16", na_value=0)
            X[:, j] = np.where((x >= 1) & (x <= 5), x, 0)
            continue
        x = pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
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
    gw = (_factorize(resp["gov_code"]), _factorize(resp["wave"]))
    return _shares(_answers(resp), w, gw, min_group)


def _shares(X, w, gw, min_group) -> pd.DataFrame:
    """:func:`item_shares` from the answer matrix and the factorised ``gov_code, wave``."""
    codes, (gov, wave) = _combine(*gw)
    G, B = len(gov), len(fw.BEHAVIOUR_CODES)
    band = _BAND_OF[X]
    keep = codes >= 0
    if not keep.all():
        codes, band, w = codes[keep], band[keep], w[keep]
    base = codes * 4
    sums = np.empty((G, B, 4))
    for j in range(B):  # 21 behaviours; each one weighted pass over all responses
        sums[:, j] = np.bincount(base + band[:, j], weights=w, minlength=G * 4).reshape(G, 4)
    sums = sums.reshape(G * B, 4)
    # answers = rows - missing answers; the missing ones are few, counted in one pass
    r, j = np.nonzero(band == 3)
    n_ans = np.bincount(codes, minlength=G)[:, None] - np.bincount(
        codes[r] * B + j, minlength=G * B
    ).reshape(G, B)
    tot = sums[:, :3].sum(axis=1)
    out = pd.DataFrame({
        "gov_code": pd.array(np.repeat(gov, B), dtype="string"),
        "wave": np.repeat(wave, B).astype("int64"),
        "behaviour": np.tile(np.asarray(fw.BEHAVIOUR_CODES), G),
    })  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, name in enumerate(_BANDS):
            out[name] = 100 * sums[:, j] / tot
    out["n"] = n_ans.ravel().astype("int64")
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
    min_group = check_min_group(min_group)
    w = _weights(resp, weights)
    gw = (_factorize(resp["gov_code"]), _factorize(resp["wave"]))
    return _by_profile(resp, _answers(resp), w, gw, min_group, level, cluster)


def _by_profile(resp, X, w, gw, min_group, level, cluster) -> pd.DataFrame:
    """:func:`demographic_index` from the answer matrix and the factorised ``gov_code, wave``."""
    from scipy import stats

    answered = (X > 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 100 * (X >= 4).sum(axis=1) / answered
    ok = answered > 0
    gwu = None
    if cluster is not None and cluster in resp.columns:
        uc, uu = _factorize(resp[cluster])
        uc = np.where(uc < 0, len(uu), uc)  # rows without a unit: one cluster of their own
        # the unit within its government and wave, dense: the clusters below are
        # (government-wave-unit, group) pairs, a small enough space for a presence table
        gwu = _combine(*gw, (uc, np.arange(len(uu) + 1)))[0]
        n_gwu = int(gwu.max()) + 1 if gwu.size else 0
    z = stats.norm.ppf(0.5 + level / 2)
    parts = []
    for dim in [d for d in DEMOGRAPHICS if d in resp.columns]:  # three profile columns
        dim_f = _factorize(resp[dim])
        codes, (gov, wave, group) = _combine(*gw, dim_f)
        keep = ok & (codes >= 0)
        c, s, ww = codes[keep], score[keep], w[keep]
        G = len(gov)
        n = np.bincount(c, minlength=G)
        sw = np.bincount(c, weights=ww, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.bincount(c, weights=ww * s, minlength=G) / sw
        e = ww * (s - est[c])
        if gwu is not None:
            cl = _combine((gwu[keep], np.arange(n_gwu)), (dim_f[0][keep], dim_f[1]))[0]
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


def item_tables(
    resp: pd.DataFrame, *, weights=None, min_group: int = 10, level: float = 0.95
) -> dict[str, pd.DataFrame]:
    """:func:`item_shares` and :func:`demographic_index` in one pass over the answers.

    The answer matrix and the government-wave codes are built once for both
    (what ``berakhlak measure`` writes); the tables equal the two functions'.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses``.
    weights : array-like, optional
        One weight per response; None = equal weights.
    min_group : int, default 10
        Groups with fewer respondents are withheld.
    level : float, default 0.95
        Confidence level of the demographic intervals.

    Returns
    -------
    dict of str -> pandas.DataFrame
        ``"culture_item_shares"`` (columns of :func:`item_shares`) and
        ``"culture_demographics"`` (columns of :func:`demographic_index`, units
        as clusters).
    """
    min_group = check_min_group(min_group)
    w = _weights(resp, weights)
    X = _answers(resp)
    gw = (_factorize(resp["gov_code"]), _factorize(resp["wave"]))
    return {
        "culture_item_shares": _shares(X, w, gw, min_group),
        "culture_demographics": _by_profile(resp, X, w, gw, min_group, level, "unit_code"),
    }
