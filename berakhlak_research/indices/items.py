"""Answer distributions per behaviour and the index by demographic group, per government and wave.

Two report-facing tables the culture engine does not produce:

* :func:`item_shares` — for each of the 21 behaviours, the weighted percentage of
  answers that are unfavourable (1-2 on the 1-5 scale), neutral (3) and favourable
  (4-5), as FEVS reports its items. Favourable equals the ``favourable`` scoring of
  ``culture_behaviour`` for the same weights.
* :func:`demographic_index` — the overall index (percent favourable) by sex, age
  group and employment type, with a standard error from the weighted respondent
  scores (within-government simple random sampling approximation).

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


def item_shares(resp: pd.DataFrame, *, weights=None, min_group: int = 10) -> pd.DataFrame:
    """Weighted shares of unfavourable, neutral and favourable answers per behaviour.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses``: ``gov_code, wave`` and the 21 behaviour columns
        (answers 1-5, missing allowed).
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
    codes, keys = pd.factorize(pd.MultiIndex.from_frame(resp[["gov_code", "wave"]]), sort=True)
    G = len(keys)
    parts = []
    for b in fw.BEHAVIOUR_CODES:  # 21 behaviours; each a vectorised pass over all responses
        x = pd.to_numeric(resp[b], errors="coerce").to_numpy(dtype="float64")
        ok = np.isfinite(x)
        n = np.bincount(codes[ok], minlength=G)
        tot = np.bincount(codes[ok], weights=w[ok], minlength=G)
        row = {"behaviour": np.full(G, b), "n": n}
        for band, (lo, hi) in _BANDS.items():
            m = ok & (x >= lo) & (x <= hi)
            with np.errstate(invalid="ignore", divide="ignore"):
                row[band] = 100 * np.bincount(codes[m], weights=w[m], minlength=G) / tot
        parts.append(pd.DataFrame(row))
    out = pd.concat(parts, ignore_index=True)
    idx = np.tile(np.arange(G), len(fw.BEHAVIOUR_CODES))
    out.insert(0, "wave", np.asarray(keys.get_level_values(1))[idx])
    out.insert(0, "gov_code", np.asarray(keys.get_level_values(0))[idx])
    out["suppressed"] = out["n"] < min_group
    out.loc[out["suppressed"], list(_BANDS)] = np.nan
    out["gov_code"] = out["gov_code"].astype("string")
    out["wave"] = out["wave"].astype("int64")
    cols = ["gov_code", "wave", "behaviour", *_BANDS, "n", "suppressed"]
    return (
        out[cols]
        .sort_values(["gov_code", "wave", "behaviour"], kind="stable")
        .reset_index(drop=True)
    )


def demographic_index(
    resp: pd.DataFrame, *, weights=None, min_group: int = 10, level: float = 0.95
) -> pd.DataFrame:
    """Overall index (percent favourable) by sex, age group and employment type.

    A respondent's score is the percentage of their answered behaviours that are
    favourable; a group's estimate is the weighted mean of its respondents'
    scores, with the weighted (with-replacement) standard error.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses`` with the 21 items and the demographic columns.
    weights : str or array, optional
        Weight column name or array; None = equal weights.
    min_group : int, default 10
        Groups with fewer respondents are withheld.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        ``gov_code, wave, dimension`` (sex, age_group, employment_type), ``group``,
        ``estimate, se, ci_low, ci_high, n, suppressed`` (n < min_group: estimate
        and interval NaN).
    """
    from scipy import stats

    min_group = check_min_group(min_group)
    w = _weights(resp, weights)
    X = resp[list(fw.BEHAVIOUR_CODES)].apply(pd.to_numeric, errors="coerce").to_numpy("float64")
    answered = np.isfinite(X).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 100 * (X >= 4).sum(axis=1) / answered
    ok = answered > 0
    z = stats.norm.ppf(0.5 + level / 2)
    parts = []
    for dim in [d for d in DEMOGRAPHICS if d in resp.columns]:  # three profile columns
        frame = resp.loc[ok, ["gov_code", "wave", dim]].astype({dim: "string"})
        keep = frame[dim].notna().to_numpy()
        frame = frame[keep]
        s, ww = score[ok][keep], w[ok][keep]
        codes, keys = pd.factorize(pd.MultiIndex.from_frame(frame), sort=True)
        G = len(keys)
        n = np.bincount(codes, minlength=G)
        sw = np.bincount(codes, weights=ww, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.bincount(codes, weights=ww * s, minlength=G) / sw
            resid2 = np.bincount(codes, weights=(ww * (s - est[codes])) ** 2, minlength=G)
            se = np.sqrt(resid2 * n / np.maximum(n - 1, 1)) / sw
        parts.append(pd.DataFrame({
            "gov_code": keys.get_level_values(0).astype("string"),
            "wave": keys.get_level_values(1).astype("int64"), "dimension": dim,
            "group": keys.get_level_values(2).astype("string"), "estimate": est, "se": se,
            "ci_low": np.clip(est - z * se, 0, 100), "ci_high": np.clip(est + z * se, 0, 100),
            "n": n,
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=["gov_code", "wave", "dimension", "group", "estimate", "se",
                                     "ci_low", "ci_high", "n", "suppressed"])  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["suppressed"] = out["n"] < min_group
    out.loc[out["suppressed"], ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return out
