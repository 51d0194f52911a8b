"""Culture sections: the seven-value profile, work units, weakest behaviours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research import regions
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _benchmarks,
    _category,
    _census,
    _empty,
    _scoring,
    _shown,
    _unit_names,
    _value_names,
    memo_frame,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "item_results_frame",
    "response_rates_frame",
    "demographics_frame",
    "published_frame",
    "value_profile_frame",
    "units_frame",
    "weakest_behaviours_frame",
]


@memo_frame
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
    g = _scoring(ci[(ci["aggregation"] == "government") & ci["value"].isin(fw.VALUE_CODES)])
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


@memo_frame
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
    u = _scoring(ci[(ci["aggregation"] == "unit") & (ci["value"] == "overall")])
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


@memo_frame
def weakest_behaviours_frame(ctx: ReportContext, k: int = 5) -> pd.DataFrame:
    """The ``k`` lowest-scoring of the 21 behaviours in the government.

    Returns
    -------
    pandas.DataFrame
        ``behaviour, behaviour_text, value_name, estimate, ci_low, ci_high, n``.
    """
    cols = ["behaviour", "behaviour_text", "value_name", "estimate", "ci_low", "ci_high", "n"]
    cb = ctx.table("culture_behaviour", aggregation="government")
    if cb is None:
        return _empty(cols)
    g = _scoring(cb[cb["aggregation"] == "government"])
    g = g[_shown(g, ctx.min_group)].nsmallest(k, "estimate")
    text = {b.code: (b.text_id if ctx.lang == "id" else b.text_en) for b in fw.BEHAVIOURS}
    value = {b.code: b.value for b in fw.BEHAVIOURS}
    g = g.assign(
        behaviour_text=g["behaviour"].map(text),
        value_name=g["behaviour"].map(value).map(_value_names(ctx.lang)),
    )
    return g[cols].reset_index(drop=True)


@memo_frame
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
    pub = ctx.gov_rows("published_culture")
    if pub is None:
        return _empty(cols)
    pub = pub[pub["wave"] == ctx.wave]
    if "index_kind" in pub.columns:
        # only the culture-health index measures what this survey measures; the
        # implementation-evaluation index scores the programme, not the culture
        pub = pub[pub["index_kind"] == "culture_health"]
    if not len(pub):
        return _empty(cols)
    codes = ["overall", *fw.VALUE_CODES]
    row = pub.iloc[0]
    out = pd.DataFrame({"value": codes,
                        "published": [pd.to_numeric(row.get(c), errors="coerce") for c in codes]})  # fmt: skip
    ci = ctx.table("culture_index")
    if ci is not None:
        g = _scoring(ci[(ci["aggregation"] == "government") & ci["value"].isin(codes)])
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


@memo_frame
def item_results_frame(ctx: ReportContext) -> pd.DataFrame:
    """All 21 behaviours: unfavourable / neutral / favourable shares, with the peers' favourable.

    Returns
    -------
    pandas.DataFrame
        One row per behaviour in questionnaire order: ``behaviour, behaviour_text,
        value_name, unfavourable, neutral, favourable`` (percent of answers),
        ``peer_median, peer_q75`` (favourable over governments of the same kind in
        the wave), ``n``; withheld rows (n < ``min_group``) dropped and counted in
        ``attrs["withheld"]``.
    """
    cols = ["behaviour", "behaviour_text", "value_name", "unfavourable", "neutral", "favourable",
            "peer_median", "peer_q75", "n"]  # fmt: skip
    it = ctx.table("culture_item_shares", scope="wave")
    if it is None:
        return _empty(cols)
    ok = ~it["suppressed"].fillna(True).astype(bool) & (it["n"] >= ctx.min_group)
    kind = it["gov_code"].map(regions.governments().set_index("code")["kind"])
    peers = it[ok & (kind == ctx.kind).to_numpy()].groupby("behaviour")["favourable"]
    mine = it[it["gov_code"] == ctx.gov_code]
    shown = ok[mine.index]
    out = mine[shown].merge(
        pd.DataFrame({"peer_median": peers.median(), "peer_q75": peers.quantile(0.75)}),
        left_on="behaviour",
        right_index=True,
        how="left",
    )
    text = {b.code: (b.text_id if ctx.lang == "id" else b.text_en) for b in fw.BEHAVIOURS}
    value = {b.code: b.value for b in fw.BEHAVIOURS}
    order = {b.code: i for i, b in enumerate(fw.BEHAVIOURS)}
    out = out.assign(
        behaviour_text=out["behaviour"].map(text),
        value_name=out["behaviour"].map(value).map(_value_names(ctx.lang)),
        _o=out["behaviour"].map(order),
    ).sort_values("_o")
    out = out[cols].reset_index(drop=True)
    out["n"] = out["n"].astype("Int64")
    out.attrs["withheld"] = int((~shown).sum())
    out.attrs["notes"] = [("items_note", {})]
    return out


@memo_frame
def response_rates_frame(ctx: ReportContext) -> pd.DataFrame:
    """Respondents against staff headcount per unit, and for the whole government.

    Units with fewer than ``min_group`` respondents are withheld (their rate would
    reveal their count) but counted in the government's row.

    Returns
    -------
    pandas.DataFrame
        ``unit_name, headcount, respondents, rate`` (percent); units by rate, then
        the government's row. ``attrs["withheld"]`` counts the units withheld.
    """
    cols = ["unit_name", "headcount", "respondents", "rate"]
    ci = ctx.table("culture_index")
    units = ctx.gov_rows("units")
    if ci is None or units is None or "headcount" not in units:
        return _empty(cols)
    u = _scoring(ci[(ci["aggregation"] == "unit") & (ci["value"] == "overall")])[["unit_code", "n"]]
    head = units[["unit_code", "unit_name", "headcount"]]
    m = head.merge(u, on="unit_code", how="left").fillna({"n": 0})
    m["n"] = m["n"].astype("int64")
    ok = m["n"] >= ctx.min_group
    shown = m[ok].assign(rate=lambda d: 100 * d["n"] / d["headcount"])
    shown = shown.sort_values("rate", ascending=False)
    total = pd.DataFrame({"unit_name": [t("whole_gov", ctx.lang)],
                          "headcount": [int(m["headcount"].sum())], "n": [int(m["n"].sum())]})  # fmt: skip
    total["rate"] = 100 * total["n"] / total["headcount"]
    out = pd.concat([shown, total], ignore_index=True).rename(columns={"n": "respondents"})
    out = out[cols]
    out["rate"] = out["rate"].astype("float64")
    out["headcount"] = out["headcount"].astype("Int64")
    out["respondents"] = out["respondents"].astype("Int64")
    out.attrs["withheld"] = int((~ok).sum())
    return out


@memo_frame
def demographics_frame(ctx: ReportContext) -> pd.DataFrame:
    """The overall index by sex, age group and employment type; groups under ``min_group`` withheld.

    Returns
    -------
    pandas.DataFrame
        ``dimension, dimension_name, group, group_name, estimate, ci_low, ci_high, n``;
        ``attrs["withheld"]`` counts the groups withheld (still in the government's
        figures).
    """
    cols = ["dimension", "dimension_name", "group", "group_name", "estimate", "ci_low",
            "ci_high", "n"]  # fmt: skip
    d = ctx.table("culture_demographics")
    if d is None:
        return _empty(cols)
    ok = _shown(d, ctx.min_group)
    i = 0 if ctx.lang == "id" else 1
    dims = {k: v[i] for k, v in _DIMENSIONS.items()}
    groups = {k: v[i] for k, v in _GROUPS.items()}
    out = (
        d[ok]
        .assign(
            dimension_name=lambda x: x["dimension"].map(dims).fillna(x["dimension"]),
            group_name=lambda x: x["group"].map(groups).fillna(x["group"]),
            _o=lambda x: x["dimension"].map({k: j for j, k in enumerate(_DIMENSIONS)}),
        )
        .sort_values(["_o", "group"], kind="stable")
    )
    out = out[cols].reset_index(drop=True)
    out["n"] = out["n"].astype("Int64")
    out.attrs["withheld"] = int((~ok).sum())
    out.attrs["hide"] = ["dimension", "group"]
    return out


_DIMENSIONS = {"sex": ("Jenis kelamin", "Sex"), "age_group": ("Kelompok umur", "Age group"),
               "employment_type": ("Status kepegawaian", "Employment type")}  # fmt: skip
_GROUP_ORDER = ["L", "P", "<30", "30-39", "40-49", "50+", "PNS", "PPPK"]
_GROUPS = {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female"),
           "PNS": ("PNS", "PNS (civil servant)"), "PPPK": ("PPPK", "PPPK (contract staff)")}  # fmt: skip
