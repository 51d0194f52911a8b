"""Quality flags on accepted SKM responses: marked, never dropped.

Real SKM data carry responses that are valid but suspect. Each flag is a
boolean column of the processed table and a count in the ingest log, so an
analysis can leave flagged rows out (or not) and the report's methods can say
how many there were:

``flag_straightlining``
    every element answered, all with the same score (a form that pre-selects
    "4" produces these); the log gives the share per unit and period.
``flag_duplicate``
    the same answers and the same respondent profile (service, sex, age,
    education, occupation) in the same unit and period as an earlier row, and
    either the same timestamp (a date with a time of day: a double click on
    "Kirim") or the same respondent (the mapping's ``respondent_column``).
    Every copy after the first is flagged, so dropping flagged rows keeps one.
``flag_test``
    the mapping's ``test_column`` holds a test name ("test", "asdasd", ...).
``flag_future``
    the survey date lies after the ingest day, or the period starts after it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from berakhlak_research.periods import period_months

__all__ = ["FLAG_COLUMNS", "quality_flags", "flag_summary", "MIN_UNIT_RESPONSES"]

FLAG_COLUMNS = ("flag_straightlining", "flag_duplicate", "flag_test", "flag_future")
MIN_UNIT_RESPONSES = 10
"""Units with fewer responses are not listed by name in the straight-lining summary."""

_PROFILE = ("service", "sex", "age_group", "education", "occupation")


def _period_start(codes: pd.Series) -> np.ndarray:
    """First day of each period code (datetime64 array; worked out once per distinct code)."""
    idx, uniq = pd.factorize(codes)
    starts = np.array(
        [np.datetime64(f"{y:04d}-{m:02d}-01", "ns") for y, m, _ in map(period_months, uniq)]
        + [np.datetime64("NaT", "ns")],
        dtype="datetime64[ns]",
    )
    return starts[np.where(idx < 0, len(uniq), idx)]


def quality_flags(
    data: pd.DataFrame,
    codes: tuple[str, ...],
    *,
    today: dt.date | None = None,
    test: pd.Series | None = None,
    who: pd.Series | None = None,
) -> pd.DataFrame:
    """The four quality flags of accepted SKM responses.

    Parameters
    ----------
    data : pandas.DataFrame
        Accepted responses with canonical columns (``gov_code, unit_code,
        period_code, response_date``, the element columns, the profile).
    codes : tuple of str
        Element columns of the instrument (U1..U9 for PermenPANRB 14/2017).
    today : datetime.date, optional
        The ingest day (default: today).
    test : pandas.Series of bool, optional
        Rows the mapping's test column marks (aligned with ``data``).
    who : pandas.Series of str, optional
        Respondent identity from the mapping's respondent column.

    Returns
    -------
    pandas.DataFrame
        Boolean columns ``flag_straightlining, flag_duplicate, flag_test,
        flag_future``, aligned with ``data``.
    """
    today = today or dt.date.today()
    n = len(data)
    # Column by column (nine passes over Int8 arrays), never row by row.
    first = data[codes[0]]
    same = first.notna().to_numpy(dtype=bool).copy()
    for c in codes[1:]:
        same &= (data[c] == first).to_numpy(dtype=bool, na_value=False)
    straight = same & (len(codes) > 1)

    where = [c for c in ("gov_code", "unit_code", "period_code") if c in data.columns]
    prof = [c for c in _PROFILE if c in data.columns]
    cols = [*where, *codes, *prof]
    dup = np.zeros(n, dtype=bool)
    # Built only when a timestamp or a respondent column can say "the same submission";
    # duplicated() counts missing values as equal, as the flag means.
    if "response_date" in data.columns:
        ts = data["response_date"]
        timed = (ts.notna() & (ts != ts.dt.normalize())).to_numpy()
        if timed.any():
            key = data[cols].assign(_ts=ts)
            dup |= timed & key.duplicated(keep="first").to_numpy()
    if who is not None:
        w = who.reset_index(drop=True).astype("string").str.strip().str.lower()
        has = (w.notna() & (w != "")).to_numpy(dtype=bool, na_value=False)
        if has.any():
            key = data[cols].reset_index(drop=True).assign(_who=w.fillna(""))
            dup |= has & key.duplicated(keep="first").to_numpy()

    future = np.zeros(n, dtype=bool)
    end = pd.Timestamp(today) + pd.Timedelta(days=1)
    if "response_date" in data.columns:
        future |= (data["response_date"] >= end).to_numpy(dtype=bool, na_value=False)
    if "period_code" in data.columns:
        future |= _period_start(data["period_code"]) >= end.to_datetime64()
    t = (
        np.zeros(n, dtype=bool)
        if test is None
        else test.reset_index(drop=True).to_numpy(dtype=bool, na_value=False)
    )
    return pd.DataFrame(
        {"flag_straightlining": straight, "flag_duplicate": dup, "flag_test": t,
         "flag_future": future},
        index=data.index,
    )  # fmt: skip


def flag_summary(data: pd.DataFrame, flags: pd.DataFrame, *, top: int = 20) -> dict:
    """Counts of each flag and the straight-lining share per unit and period.

    Returns
    -------
    dict
        ``counts`` (flag -> rows), ``rows``, and ``straightlining_by_unit``: up
        to ``top`` units (gov_code, unit_code, period_code, n, share), highest
        share first, among units with at least :data:`MIN_UNIT_RESPONSES`
        responses (smaller units count in the totals but are not listed).
    """
    counts = {c: int(flags[c].sum()) for c in FLAG_COLUMNS}
    out: dict = {"rows": int(len(data)), "counts": counts, "straightlining_by_unit": []}
    keys = [c for c in ("gov_code", "unit_code", "period_code") if c in data.columns]
    if counts["flag_straightlining"] and keys:
        # One integer per (government, unit, period) from factorised columns; sizes
        # and flagged counts by bincount (a groupby on three string keys costs more).
        key = np.zeros(len(data), dtype=np.int64)
        for k in keys:
            codes_k, uniq_k = pd.factorize(data[k], use_na_sentinel=False)
            key = key * len(uniq_k) + codes_k
        grp, inv = np.unique(key, return_inverse=True)
        size = np.bincount(inv, minlength=len(grp))
        hit = np.bincount(inv, weights=flags["flag_straightlining"].to_numpy(), minlength=len(grp))
        share = hit / size
        show = np.flatnonzero((size >= MIN_UNIT_RESPONSES) & (hit > 0))
        show = show[np.lexsort((-size[show], -share[show]))][:top]
        # A row of each group shown gives its key values.
        row_of = np.full(len(grp), -1, dtype=np.int64)
        row_of[inv[::-1]] = np.arange(len(key))[::-1]
        out["straightlining_by_unit"] = [
            {**{k: (None if pd.isna(data[k].iloc[row_of[g]]) else str(data[k].iloc[row_of[g]]))
                for k in keys},
             "n": int(size[g]), "share": round(float(share[g]), 4)}
            for g in show
        ]  # fmt: skip
    return out
