"""Helpers on results tables shared by the sections: names, scoring, suppression, bands."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = ["SCORING", "memo_frame"]

SCORING = "favourable"
"""Scoring shown in reports: percent favourable (top two boxes), the convention of FEVS and the
UK People Survey and the closest a Likert instrument comes to the percentages the official index
publishes. The models use the rescaled mean (see the programme-effect note)."""


def _copy(result):
    # a shallow copy under copy-on-write: a caller that changes the frame (or its attrs,
    # which pandas deep-copies) changes its own copy, never the memo
    if isinstance(result, (pd.DataFrame, pd.Series)):
        return result.copy(deep=False)
    if isinstance(result, tuple):
        return tuple(_copy(r) for r in result)
    if isinstance(result, dict):
        return dict(result)
    return result


def memo_frame(fn):
    """Compute ``fn(ctx, ...)`` once per report context and its arguments.

    A report asks for the same frames several times (the summary text, the next
    steps, a figure and its table all use e.g. the value profile and the stage
    progress); a context lives for one report, so its ``_frames`` dict holds each
    result. The key carries the context's parameters too, so a context copied
    with other parameters (``dataclasses.replace`` shares the dict) computes its
    own. Each call returns a (shallow, copy-on-write) copy, so callers may change
    what they get.

    Parameters
    ----------
    fn : callable
        ``fn(ctx, *args, **kwargs)`` returning a frame, a tuple of frames, a dict
        or None; the arguments must be hashable.

    Returns
    -------
    callable
        The memoised function.
    """

    @functools.wraps(fn)
    def memoised(ctx: ReportContext, *args, **kwargs):
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())),
               str(ctx.results_dir), ctx.gov_code, ctx.wave, ctx.lang, ctx.min_group)  # fmt: skip
        memo = ctx._frames
        try:
            hit = key in memo
        except TypeError:  # unhashable arguments: no memo
            return fn(ctx, *args, **kwargs)
        if not hit:
            memo[key] = fn(ctx, *args, **kwargs)
        return _copy(memo[key])

    return memoised


# the names are constants of the framework and the strings table: built once per language
@functools.cache
def _value_names_cached(lang: str) -> dict[str, str]:
    names = {v.code: (v.name_id if lang == "id" else v.name_en) for v in fw.VALUES}
    names["overall"] = t("overall_index", lang)
    return names


def _value_names(lang: str) -> dict[str, str]:
    return dict(_value_names_cached(lang))


@memo_frame
def _unit_names(ctx: ReportContext) -> dict[str, str]:
    units = ctx.gov_rows("units")
    if units is None or "unit_name" not in units:
        return {}
    u = units
    return dict(zip(u["unit_code"].astype(str), u["unit_name"].astype(str), strict=True))


def _scoring(ci: pd.DataFrame) -> pd.DataFrame:
    if "scoring" not in ci:
        return ci
    have = set(ci["scoring"].dropna())
    pick = SCORING if SCORING in have or not have else sorted(have)[0]
    return ci[ci["scoring"] == pick]


def _shown(df: pd.DataFrame, min_group: int, n_col: str = "n") -> pd.Series:
    """Rows that may be shown: not suppressed upstream and at least ``min_group`` respondents."""
    ok = pd.Series(True, index=df.index)
    if "suppressed" in df:
        ok &= ~df["suppressed"].fillna(False).astype(bool)
    if n_col in df:
        ok &= pd.to_numeric(df[n_col], errors="coerce").fillna(0) >= min_group
    if "estimate" in df:
        ok &= df["estimate"].notna()
    return ok


def _benchmarks(ctx: ReportContext, scope: str = "gov") -> pd.DataFrame | None:
    b = ctx.table("culture_benchmarks", scope=scope)
    return None if b is None else _scoring(b)


def _category(x: float, lang: str) -> str:
    if x is None or pd.isna(x):
        return "—"
    b = fw.culture_category(float(np.clip(x, 0, 100)))
    return f"{b.code} ({fw.label(b, lang)})"


def _ikm_band(x: float, lang: str, method: str = "2017") -> str:
    if x is None or pd.isna(x):
        return "—"
    b = fw.ikm_band(float(np.clip(x, 25, 100)), method)
    return f"{b.code} ({fw.label(b, lang)})"


def _census(df: pd.DataFrame) -> pd.Series:
    """Rows whose interval has no width because every member of staff responded.

    With the finite-population correction a census has standard error 0; such a
    row is marked rather than shown as a zero-width interval.
    """
    if "se" in df:
        zero = pd.to_numeric(df["se"], errors="coerce").eq(0)
    else:
        zero = df["ci_low"].eq(df["ci_high"])
    return (zero & df["estimate"].notna()).astype(bool)


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
