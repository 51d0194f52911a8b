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

__all__ = ["published_frame", "value_profile_frame", "units_frame", "weakest_behaviours_frame"]


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


def published_frame(ctx: ReportContext) -> pd.DataFrame:
    """The officially published index beside this toolkit's estimate, for the report's wave.

    Only where the optional ``published_culture`` table has the government and
    wave. The two are not the same measurement: the published index comes from
    KemenPAN-RB's own (vote-based) instrument and sample, ours is percent
    favourable on this survey's Likert answers; the note says so.

    Returns
    -------
    pandas.DataFrame
        One row per index (overall, then B-A-K-H-L-A-K): ``value, value_name,
        published, estimate, ci_low, ci_high, difference`` (ours minus published),
        ``n`` (our respondents), ``published_n`` (respondents the publication
        reports, NA if not given).
    """
    cols = ["value", "value_name", "published", "estimate", "ci_low", "ci_high", "difference",
            "n", "published_n"]  # fmt: skip
    pub = ctx.table("published_culture", scope="all")
    if pub is None:
        return _empty(cols)
    pub = pub[(pub["gov_code"] == ctx.gov_code) & (pub["wave"] == ctx.wave)]
    if not len(pub):
        return _empty(cols)
    codes = ["overall", *fw.VALUE_CODES]
    row = pub.iloc[0]
    out = pd.DataFrame({"value": codes,
                        "published": [pd.to_numeric(row.get(c), errors="coerce") for c in codes]})  # fmt: skip
    ci = ctx.table("culture_index")
    if ci is not None:
        g = _scoring(ci[(ci["level"] == "government") & ci["value"].isin(codes)])
        g = g[_shown(g, ctx.min_group)][["value", "estimate", "ci_low", "ci_high", "n"]]
        out = out.merge(g, on="value", how="left")
    else:
        out = out.assign(estimate=np.nan, ci_low=np.nan, ci_high=np.nan, n=pd.NA)
    out = out[out["published"].notna()]
    n_pub = row.get("respondents", pd.NA)
    out = out.assign(
        value_name=out["value"].map(_value_names(ctx.lang)),
        difference=out["estimate"] - out["published"],
        published_n=pd.array([n_pub] * len(out), dtype="Int64"),
        n=pd.to_numeric(out["n"], errors="coerce").astype("Int64"),
    )
    out = out[cols].reset_index(drop=True)
    out.attrs["hide"] = ["value"]
    out.attrs["headers"] = {"estimate": "col_ours"}
    out.attrs["notes"] = [("published_note", {})]
    return out
