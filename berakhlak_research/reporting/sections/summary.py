"""Summary section and the national overview: headline figures, ranks, every government."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research import regions
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _benchmarks,
    _category,
    _empty,
    _ikm_band,
    _scoring,
    _shown,
    _value_names,
    memo_frame,
)
from berakhlak_research.reporting.sections._html import _fmt
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = ["summary_frame", "national_frame", "category_counts_frame", "descriptives_frame"]


@memo_frame
def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    """The summary: overall index, category, ranks, change since last wave, IKM and band.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, estimate, ci_low, ci_high, n`` plus ``text`` (category,
        rank or significance as words); one row per statistic.
    """
    lang = ctx.lang
    rows = []
    ci = ctx.table("culture_index")
    g = (
        _scoring(ci[(ci["aggregation"] == "government") & (ci["value"] == "overall")])
        if ci is not None
        else None
    )
    if g is not None and len(g):
        r = g.iloc[0]
        est = r["estimate"] if r["n"] >= ctx.min_group else np.nan
        rows.append(dict(item=t("overall_index", lang), estimate=est, ci_low=r["ci_low"] if est == est else np.nan,
                         ci_high=r["ci_high"] if est == est else np.nan, n=int(r["n"]),
                         text=_category(est, lang)))  # fmt: skip
    b = _benchmarks(ctx)
    if b is not None and len(b):
        bo = b[b["value"] == "overall"]
        if len(bo):
            r = bo.iloc[0]
            kind = fw.GOVERNMENT_KINDS.get(ctx.kind, (ctx.kind, ctx.kind))[0 if lang == "id" else 1]
            of = t("of", lang)
            rows.append(
                dict(
                    item=t("rank_kind", lang, kind=kind),
                    estimate=np.nan,
                    ci_low=np.nan,
                    ci_high=np.nan,
                    n=np.nan,
                    text=f"{_fmt(r['rank_kind'], 0)} {of} {_fmt(r['n_kind'], 0)}",
                )
            )
            rows.append(
                dict(
                    item=t("rank_national", lang),
                    estimate=np.nan,
                    ci_low=np.nan,
                    ci_high=np.nan,
                    n=np.nan,
                    text=f"{_fmt(r['rank_national'], 0)} {of} {_fmt(r['n_national'], 0)}",
                )
            )
            if pd.notna(r.get("change", np.nan)):
                sig = t("significant" if r["change_p_value"] < 0.05 else "not_significant", lang)
                rows.append(dict(item=t("change", lang, prev=ctx.wave - 1), estimate=r["change"],
                                 ci_low=r["change_ci_low"], ci_high=r["change_ci_high"], n=np.nan,
                                 text=f"p = {r['change_p_value']:.3f} ({sig})"))  # fmt: skip
    ik = ctx.table("ikm")
    if ik is not None:
        gi = ik[ik["aggregation"] == "government"]
        if len(gi):
            r = gi.iloc[0]
            ok = bool(_shown(gi.iloc[[0]], ctx.min_group).iloc[0])
            est = r["estimate"] if ok else np.nan
            rows.append(dict(item=t("ikm", lang), estimate=est, ci_low=r["ci_low"] if ok else np.nan,
                             ci_high=r["ci_high"] if ok else np.nan, n=int(r["n"]),
                             text=_ikm_band(est, lang, str(r.get("method_version", "2017")))))  # fmt: skip
    if not rows:
        return _empty(["item", "estimate", "ci_low", "ci_high", "n", "text"])
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Float64").astype("Int64")
    return out[["item", "estimate", "ci_low", "ci_high", "n", "text"]]


@memo_frame
def national_frame(ctx: ReportContext) -> pd.DataFrame:
    """Every government's overall index, category, IKM and national rank in the wave.

    Returns
    -------
    pandas.DataFrame
        ``gov_code, government, kind, estimate, ci_low, ci_high, n, category,
        ikm, band, rank_national``, best first.
    """
    ci = ctx.table("culture_index", scope="wave")
    g = _scoring(ci[(ci["aggregation"] == "government") & (ci["value"] == "overall")])
    g = g[_shown(g, ctx.min_group)]
    gov = regions.governments().set_index("code")
    out = g.assign(
        government=g["gov_code"].map(gov["name"]),
        kind=g["gov_code"].map(gov["kind"]),
        category=[_category(x, ctx.lang) for x in g["estimate"]],
    )
    ik = ctx.table("ikm", scope="wave")
    if ik is not None:
        gi = ik[(ik["aggregation"] == "government")]
        gi = gi[_shown(gi, ctx.min_group)][["gov_code", "estimate", "method_version"]]
        out = out.merge(gi.rename(columns={"estimate": "ikm"}), on="gov_code", how="left")
        out["band"] = [
            _ikm_band(x, ctx.lang, str(m))
            for x, m in zip(out["ikm"], out["method_version"], strict=True)
        ]
    else:
        out = out.assign(ikm=np.nan, band="—")
    b = _benchmarks(ctx, scope="wave")
    if b is not None:
        out = out.merge(
            b.loc[b["value"] == "overall", ["gov_code", "rank_national"]], on="gov_code", how="left"
        )
    else:
        out["rank_national"] = out["estimate"].rank(ascending=False, method="min")
    cols = ["gov_code", "government", "kind", "estimate", "ci_low", "ci_high", "n", "category", "ikm",
            "band", "rank_national"]  # fmt: skip
    return out.sort_values("estimate", ascending=False)[cols].reset_index(drop=True)


@memo_frame
def descriptives_frame(ctx: ReportContext) -> pd.DataFrame:
    """National culture index per value and wave (every wave in the store).

    Returns
    -------
    pandas.DataFrame
        ``wave, value, value_name, estimate, ci_low, ci_high, n``.
    """
    cols = ["wave", "value", "value_name", "estimate", "ci_low", "ci_high", "n"]
    ci = ctx.table("culture_index", scope="all")
    if ci is None:
        return _empty(cols)
    d = _scoring(ci[ci["aggregation"] == "national"])
    order = {c: i for i, c in enumerate(["overall", *fw.VALUE_CODES])}
    d = d.assign(value_name=d["value"].map(_value_names(ctx.lang)), order=d["value"].map(order))
    return d.sort_values(["wave", "order"])[cols].reset_index(drop=True)


@memo_frame
def category_counts_frame(ctx: ReportContext) -> pd.DataFrame:
    """Number of governments per culture category. Returns ``category, count``."""
    nat = national_frame(ctx)
    return nat.groupby("category", as_index=False).size().rename(columns={"size": "count"})
