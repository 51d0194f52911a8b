"""The executive summary in words and the next steps, generated from the report's own tables.

Every sentence is filled from a frame the report also shows (summary,
value profile, weakest behaviours, IKM, service-element priorities, stages), so
the words cannot say what the tables do not. A sentence whose inputs are
missing or withheld is left out rather than guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.reporting import numbers
from berakhlak_research.reporting.sections._common import (
    _benchmarks,
    _scoring,
    _shown,
    memo_frame,
)
from berakhlak_research.reporting.sections._html import _fmt
from berakhlak_research.reporting.sections.context import ReportContext
from berakhlak_research.reporting.sections.culture import (
    units_frame,
    value_profile_frame,
    weakest_behaviours_frame,
)
from berakhlak_research.reporting.sections.programmes import stage_progress_frame
from berakhlak_research.reporting.sections.satisfaction import service_priorities_frame

__all__ = ["summary_text_frame", "next_steps_frame"]


def _ci(lo, hi, lang: str) -> str:
    return f"{_fmt(lo, lang=lang)}–{_fmt(hi, lang=lang)}"


def _p(p: float, lang: str) -> str:
    """'= 0.012' or '< 0.001' in the report's language (after the letter p)."""
    text = numbers.p_value(p, lang)
    return text if text.startswith("<") else f"= {text}"


def _and(items: list[str], lang: str, more: int = 0) -> str:
    """Items joined as 'a, b and c' (or 'a, b, c and 2 more') in the report's language."""
    if more:
        return ", ".join(items) + t("and_more", lang, k=more)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {t('and', lang)} " + items[-1]


@memo_frame
def _headline(ctx: ReportContext) -> dict:
    """The overall index row and its benchmark row (empty dicts when withheld or absent)."""
    out: dict = {"index": {}, "bench": {}, "ikm": {}}
    ci = ctx.table("culture_index")
    if ci is not None:
        g = _scoring(ci[(ci["aggregation"] == "government") & (ci["value"] == "overall")])
        g = g[_shown(g, ctx.min_group)]
        if len(g):
            out["index"] = g.iloc[0].to_dict()
    b = _benchmarks(ctx)
    if b is not None and (b["value"] == "overall").any():
        out["bench"] = b[b["value"] == "overall"].iloc[0].to_dict()
    ik = ctx.table("ikm")
    if ik is not None:
        gi = ik[ik["aggregation"] == "government"]
        gi = gi[_shown(gi, ctx.min_group)]
        if len(gi):
            out["ikm"] = gi.iloc[0].to_dict()
    return out


@memo_frame
def _standout_elements(ctx: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All IKM elements (by importance) and those whose importance is clearly above 1/p."""
    el = service_priorities_frame(ctx)
    if not len(el):
        return el, el
    el = el.sort_values("importance", ascending=False, kind="stable")
    top = el[el["separated"] & (el["importance"] > el.attrs.get("equal_share", 0))]
    return el, top


def _changed(bench: dict) -> tuple[str, float] | None:
    """ "up"/"down"/"same" and p for the change since the previous wave (5 % level)."""
    chg, p = bench.get("change", np.nan), bench.get("change_p_value", np.nan)
    if chg is None or pd.isna(chg) or pd.isna(p):
        return None
    return ("up" if chg > 0 else "down") if p < 0.05 else "same", float(p)


@memo_frame
def summary_text_frame(ctx: ReportContext) -> pd.DataFrame:
    """The executive summary: five to eight sentences, each from the report's tables.

    Sentences, each only when its inputs are there: the overall index with its
    interval and category; the ranks; the change since the previous wave with its
    significance; the strongest and weakest value against the peer median; the
    behaviours to work on; the IKM and its band; the service elements that matter
    most; the next stage of culture strengthening.

    Returns
    -------
    pandas.DataFrame
        ``topic`` (index, rank, change, values, behaviours, ikm, elements, stage),
        ``text`` (one sentence in the report's language).
    """
    lang, rows = ctx.lang, []
    h = _headline(ctx)
    r, b, ik = h["index"], h["bench"], h["ikm"]
    if r:
        cat = fw.culture_category(float(np.clip(r["estimate"], 0, 100)))
        rows.append(("index", t("sum_index", lang, name=ctx.name, wave=ctx.wave,
                                est=_fmt(r["estimate"], lang=lang), ci=_ci(r["ci_low"], r["ci_high"], lang),
                                cat=f"{cat.code} ({fw.label(cat, lang)})")))  # fmt: skip
    if b and pd.notna(b.get("rank_kind")):
        kind = fw.GOVERNMENT_KINDS.get(ctx.kind, (ctx.kind, ctx.kind))[0 if lang == "id" else 1]
        rows.append(("rank", t("sum_rank", lang, rk=_fmt(b["rank_kind"], 0, lang=lang),
                               nk=_fmt(b["n_kind"], 0, lang=lang), kind=kind.lower(),
                               rn=_fmt(b["rank_national"], 0, lang=lang), nn=_fmt(b["n_national"], 0, lang=lang))))  # fmt: skip
    ch = _changed(b) if b else None
    if ch is not None:
        way, p = ch
        key = {"up": "sum_change_up", "down": "sum_change_down", "same": "sum_change_same"}[way]
        rows.append(("change", t(key, lang, prev=int(b.get("previous_wave", ctx.wave - 1)),
                                 abs=_fmt(abs(b["change"]), lang=lang), ci=_ci(b["change_ci_low"],
                                                                    b["change_ci_high"], lang),
                                 p=_p(p, lang))))  # fmt: skip
    vp = value_profile_frame(ctx)
    vp = vp[vp["estimate"].notna()]
    if len(vp) >= 2:
        best, worst = vp.loc[vp["estimate"].idxmax()], vp.loc[vp["estimate"].idxmin()]
        rows.append(("values", t("sum_values", lang, best=best["value_name"],
                                 bv=_fmt(best["estimate"], lang=lang), bm=_fmt(best["peer_median"], lang=lang),
                                 worst=worst["value_name"], wv=_fmt(worst["estimate"], lang=lang),
                                 wm=_fmt(worst["peer_median"], lang=lang))))  # fmt: skip
    wb = weakest_behaviours_frame(ctx, k=3)
    if len(wb):
        items = [
            f"{c} ({_fmt(e, lang=lang)})"
            for c, e in zip(wb["behaviour"], wb["estimate"], strict=True)
        ]
        rows.append(("behaviours", t("sum_behaviours", lang, items=_and(items, lang))))
    if ik:
        band = fw.ikm_band(float(np.clip(ik["estimate"], 25, 100)),
                           str(ik.get("method_version", "2017")))  # fmt: skip
        rows.append(("ikm", t("sum_ikm", lang, wave=ctx.wave, est=_fmt(ik["estimate"], lang=lang),
                              ci=_ci(ik["ci_low"], ik["ci_high"], lang),
                              band=f"{band.code} ({fw.label(band, lang)})")))  # fmt: skip
    el, top = _standout_elements(ctx)
    if len(el) >= 2:
        lo, hi = (
            _fmt(100 * el["importance"].min(), lang=lang),
            _fmt(100 * el["importance"].max(), lang=lang),
        )
        if len(top):
            names = [
                f"{n} ({_fmt(100 * x, lang=lang)} %)"
                for n, x in zip(top["driver_name"].head(2), top["importance"], strict=False)
            ]
            rows.append(("elements", t("sum_elements", lang, items=_and(names, lang),
                                       k=len(el), lo=lo, hi=hi)))  # fmt: skip
        else:
            rows.append(("elements", t("sum_elements_none", lang, k=len(el), lo=lo, hi=hi)))
    sp = stage_progress_frame(ctx)
    if len(sp):
        rows.append(("stage", _stage_sentence(sp, lang)))
    return pd.DataFrame(rows, columns=["topic", "text"])


def _stage_sentence(sp: pd.DataFrame, lang: str) -> str:
    k = int(sp["reached"].sum())
    nxt = sp[~sp["reached"]]
    if not len(nxt):
        return t("sum_stage_all", lang)
    n = nxt.iloc[0]
    return t("sum_stage", lang, k=k, n=int(n["stage"]), stage=n["stage_name"])


@memo_frame
def next_steps_frame(ctx: ReportContext, max_units: int = 5) -> pd.DataFrame:
    """A short list of next steps that follows from the same tables as the summary.

    The weakest value and its weakest behaviours; the units below the peer median
    of the overall index (at most ``max_units`` named, the rest counted); the
    service element that matters most for satisfaction; the next culture stage.

    Returns
    -------
    pandas.DataFrame
        ``step`` (1, 2, ...), ``topic``, ``text``.
    """
    lang, rows = ctx.lang, []
    vp = value_profile_frame(ctx)
    vp = vp[vp["estimate"].notna()]
    if len(vp):
        worst = vp.loc[vp["estimate"].idxmin()]
        codes = {b.code for b in fw.BEHAVIOURS if b.value == worst["value"]}
        wb = weakest_behaviours_frame(ctx, k=21)
        mine = wb[wb["behaviour"].isin(codes)].head(3)
        items = [
            f"{c} “{x}”" for c, x in zip(mine["behaviour"], mine["behaviour_text"], strict=True)
        ]
        rows.append(("value", t("next_value", lang, value=worst["value_name"],
                                est=_fmt(worst["estimate"], lang=lang), med=_fmt(worst["peer_median"], lang=lang),
                                items=_and(items, lang) or "—")))  # fmt: skip
    b = _headline(ctx)["bench"]
    med = b.get("peer_median_kind", np.nan) if b else np.nan
    units = units_frame(ctx)
    if pd.notna(med) and len(units):
        below = units[units["estimate"] < med].sort_values("estimate")
        if len(below):
            names = below["unit_name"].head(max_units).tolist()
            more = len(below) - len(names)
            text = _and(names, lang, more)
            rows.append(("units", t("next_units", lang, med=_fmt(med, lang=lang), k=len(below),
                                    n=len(units), units=text)))  # fmt: skip
        else:
            rows.append(("units", t("next_units_none", lang, med=_fmt(med, lang=lang))))
    el, top = _standout_elements(ctx)
    if len(el):
        # an element clearly above the equal share; else, none stands out: the lowest score
        e = top.iloc[0] if len(top) else el.loc[el["performance"].idxmin()]
        key = "next_service" if len(top) else "next_service_lowest"
        rows.append(("service", t(key, lang, element=e["driver_name"],
                                  score=_fmt(e["performance"], lang=lang))))  # fmt: skip
    sp = stage_progress_frame(ctx)
    nxt = sp[~sp["reached"]] if len(sp) else sp
    if len(nxt):
        rows.append(("stage", t("next_stage", lang, n=int(nxt.iloc[0]["stage"]),
                                stage=nxt.iloc[0]["stage_name"])))  # fmt: skip
    out = pd.DataFrame(rows, columns=["topic", "text"])
    out.insert(0, "step", np.arange(1, len(out) + 1))
    return out
