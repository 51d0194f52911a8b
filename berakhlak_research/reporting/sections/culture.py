"""Culture sections: the seven-value profile, work units, weakest behaviours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.reporting.sections._common import (
    _benchmarks,
    _category,
    _census,
    _empty,
    _scoring,
    _shown,
    _unit_names,
    _value_names,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = ["value_profile_frame", "units_frame", "weakest_behaviours_frame"]


def value_profile_frame(ctx: ReportContext) -> pd.DataFrame:
    """The seven values against the peer median and upper quartile.

    Returns
    -------
    pandas.DataFrame
        One row per value in B-A-K-H-L-A-K order: ``value, value_name,
        estimate, ci_low, ci_high, n, peer_median, peer_q75, category``.
        ``peer_*`` are over governments of the same kind.
    """
    ci = ctx.table("culture_index")
    cols = [
        "value",
        "value_name",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "peer_median",
        "peer_q75",
        "category",
    ]
    if ci is None:
        return _empty(cols)
    g = _scoring(ci[(ci["level"] == "government") & ci["value"].isin(fw.VALUE_CODES)])
    g = g[_shown(g, ctx.min_group)]
    b = _benchmarks(ctx)
    if b is not None and len(b):
        g = g.merge(
            b[["value", "peer_median_kind", "peer_q75_kind"]].rename(
                columns={"peer_median_kind": "peer_median", "peer_q75_kind": "peer_q75"}
            ),
            on="value",
            how="left",
        )
    else:
        g = g.assign(peer_median=np.nan, peer_q75=np.nan)
    g = g.assign(
        value_name=g["value"].map(_value_names(ctx.lang)),
        category=[_category(x, ctx.lang) for x in g["estimate"]],
        order=g["value"].map({c: i for i, c in enumerate(fw.VALUE_CODES)}),
    )
    return g.sort_values("order")[cols].reset_index(drop=True)


def units_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's units with their overall index; groups under ``min_group`` dropped.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, estimate, ci_low, ci_high, n, category, census``,
        best first. ``census`` is True where every member of staff responded (the
        finite-population correction leaves no sampling error, so the interval has no
        width and is shown as words). ``attrs["withheld"]`` counts the units dropped.
    """
    cols = ["unit_code", "unit_name", "estimate", "ci_low", "ci_high", "n", "category", "census"]
    ci = ctx.table("culture_index")
    if ci is None:
        return _empty(cols)
    u = _scoring(ci[(ci["level"] == "unit") & (ci["value"] == "overall")])
    ok = _shown(u, ctx.min_group)
    names = _unit_names(ctx)
    out = u[ok].assign(
        unit_name=lambda d: (
            d["unit_code"].astype(str).map(names).fillna(d["unit_code"].astype(str))
        ),
        category=lambda d: [_category(x, ctx.lang) for x in d["estimate"]],
        census=lambda d: _census(d),
    )
    out = out.sort_values("estimate", ascending=False)[cols].reset_index(drop=True)
    out.attrs["withheld"] = int((~ok).sum())
    return out


def weakest_behaviours_frame(ctx: ReportContext, k: int = 5) -> pd.DataFrame:
    """The ``k`` lowest-scoring of the 21 behaviours in the government.

    Returns
    -------
    pandas.DataFrame
        ``behaviour, behaviour_text, value_name, estimate, ci_low, ci_high, n``.
    """
    cols = ["behaviour", "behaviour_text", "value_name", "estimate", "ci_low", "ci_high", "n"]
    cb = ctx.table("culture_behaviour", level="government")
    if cb is None:
        return _empty(cols)
    g = _scoring(cb[cb["level"] == "government"])
    g = g[_shown(g, ctx.min_group)].nsmallest(k, "estimate")
    text = {b.code: (b.text_id if ctx.lang == "id" else b.text_en) for b in fw.BEHAVIOURS}
    value = {b.code: b.value for b in fw.BEHAVIOURS}
    g = g.assign(
        behaviour_text=g["behaviour"].map(text),
        value_name=g["behaviour"].map(value).map(_value_names(ctx.lang)),
    )
    return g[cols].reset_index(drop=True)
