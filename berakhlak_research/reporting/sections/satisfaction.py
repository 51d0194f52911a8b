"""Satisfaction sections: IKM per unit and element, the culture-IKM link, mediation, priorities."""

from __future__ import annotations

import pandas as pd

from berakhlak_research.reporting.sections._common import (
    _empty,
    _ikm_band,
    _shown,
    _unit_names,
    _value_names,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "priorities_frame",
    "ikm_units_frame",
    "ikm_elements_frame",
    "link_frame",
    "value_chain_frame",
]


def priorities_frame(ctx: ReportContext) -> pd.DataFrame:
    """Importance-performance of the culture values for the government (priorities first).

    Returns
    -------
    pandas.DataFrame
        ``driver, value_name, importance, performance, priority``.
    """
    cols = ["value_name", "importance", "performance", "priority"]
    ip = ctx.table("importance_performance", scope="all")
    if ip is None:
        return _empty(cols)
    ip = ip[ip["gov_code"] == ctx.gov_code]
    if not len(ip):
        ip = ctx.table("importance_performance", scope="all")
        ip = ip[ip["gov_code"].isna()]
    lab = "driver_label_id" if ctx.lang == "id" else "driver_label_en"
    pr = "priority_id" if ctx.lang == "id" else "priority_en"
    out = ip.assign(
        value_name=ip[lab] if lab in ip else ip["driver"],
        priority=ip[pr] if pr in ip else ip.get("quadrant"),
        first=ip["quadrant"].astype(str).str.startswith("concentrate").astype(int)
        if "quadrant" in ip
        else 0,
    )
    out = out.sort_values(["first", "importance"], ascending=[False, False])
    return out[cols].reset_index(drop=True)


def ikm_units_frame(ctx: ReportContext) -> pd.DataFrame:
    """IKM per public-facing unit (groups under ``min_group`` dropped).

    Returns
    -------
    pandas.DataFrame
        ``unit_name, ikm, ci_low, ci_high, n, band``, best first;
        ``attrs["withheld"]`` counts the units dropped.
    """
    cols = ["unit_name", "ikm", "ci_low", "ci_high", "n", "band"]
    ik = ctx.table("ikm")
    if ik is None:
        return _empty(cols)
    u = ik[ik["level"] == "unit"]
    ok = _shown(u, ctx.min_group)
    names = _unit_names(ctx)
    out = u[ok].assign(
        unit_name=lambda d: (
            d["unit_code"].astype(str).map(names).fillna(d["unit_code"].astype(str))
        ),
        ikm=lambda d: d["estimate"],
        band=lambda d: [
            _ikm_band(x, ctx.lang, str(m))
            for x, m in zip(d["estimate"], d["method_version"], strict=True)
        ],
    )
    out = out.sort_values("ikm", ascending=False)[cols].reset_index(drop=True)
    out.attrs["withheld"] = int((~ok).sum())
    return out


def ikm_elements_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's nine IKM elements (PermenPANRB 14/2017), lowest last.

    Returns
    -------
    pandas.DataFrame
        ``element, element_name, total, nrr, nrr_x25, band, n``.
    """
    cols = ["element", "element_name", "total", "nrr", "nrr_x25", "band", "n"]
    el = ctx.table("ikm_elements")
    if el is None:
        return _empty(cols)
    g = el[(el["level"] == "government")]
    g = g[_shown(g.drop(columns="estimate", errors="ignore"), ctx.min_group)]
    name = "element_name_id" if ctx.lang == "id" else "element_name_en"
    g = g.assign(
        element_name=g[name],
        band=[_ikm_band(x, ctx.lang) for x in g["nrr_x25"]],
        order=g["element"].str[1:].astype(int),
    )
    return g.sort_values("order")[cols].reset_index(drop=True)


def link_frame(ctx: ReportContext) -> pd.DataFrame:
    """Culture -> IKM link per value (IKM points per culture point), all governments.

    Returns
    -------
    pandas.DataFrame
        ``value_name, estimate, ci_low, ci_high, p_value, n``.
    """
    cols = ["value_name", "estimate", "ci_low", "ci_high", "p_value", "n"]
    lk = ctx.table("culture_ikm_link", scope="all")
    if lk is None:
        return _empty(cols)
    lk = lk.assign(value_name=lk["value"].map(_value_names(ctx.lang)).fillna(lk["value"]))
    return lk[cols].reset_index(drop=True)


def value_chain_frame(ctx: ReportContext) -> pd.DataFrame:
    """Mediation paths programme -> culture -> IKM. Returns ``path, estimate, ci_low, ci_high, p_value, n``."""
    cols = ["path", "estimate", "ci_low", "ci_high", "p_value", "n"]
    vc = ctx.table("value_chain_paths", scope="all")
    return _empty(cols) if vc is None else vc[cols].reset_index(drop=True)
