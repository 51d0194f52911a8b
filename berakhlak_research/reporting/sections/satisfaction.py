"""Satisfaction sections: IKM per unit and element, the culture-IKM link, mediation, priorities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.i18n import STRINGS, t
from berakhlak_research.reporting import numbers
from berakhlak_research.reporting.sections._common import (
    _empty,
    _ikm_band,
    _shown,
    _unit_names,
    _value_names,
    memo_frame,
)
from berakhlak_research.reporting.sections._html import _fmt
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "PRIMARY_LINK_MODEL",
    "link_models_frame",
    "priorities_frame",
    "service_priorities_frame",
    "ikm_units_frame",
    "ikm_elements_frame",
    "link_frame",
    "value_chain_frame",
]


@memo_frame
def _drivers_frame(ctx: ReportContext, target: str) -> pd.DataFrame:
    """Importance (with its bootstrap interval) and performance of one target's drivers."""
    cols = ["driver", "driver_name", "importance", "ci_low", "ci_high", "performance",
            "separated", "priority"]  # fmt: skip
    ip = ctx.table("importance_performance", scope="all")
    if ip is None:
        return _empty(cols)
    if "target" in ip:
        ip = ip[ip["target"] == target]
    own = ip[ip["gov_code"] == ctx.gov_code]
    ip = own if len(own) else ip[ip["gov_code"].isna()]
    if not len(ip):
        return _empty(cols)
    lab = "driver_label_id" if ctx.lang == "id" else "driver_label_en"
    equal = 1.0 / len(ip)
    lo = pd.to_numeric(ip.get("importance_ci_low", pd.Series(np.nan, ip.index)), errors="coerce")
    hi = pd.to_numeric(ip.get("importance_ci_high", pd.Series(np.nan, ip.index)), errors="coerce")
    above, below = (lo > equal).to_numpy(), (hi < equal).to_numpy()
    high_perf = (ip["performance"] >= ip["performance"].mean()).to_numpy()
    # a quadrant only where the interval leaves the equal share; otherwise say so
    key = np.select(
        [above & ~high_perf, above & high_perf, below & ~high_perf, below & high_perf],
        ["prio_concentrate", "prio_keep_up", "prio_low", "prio_overkill"],
        "prio_unclear" if lo.notna().any() else "prio_no_interval",
    )
    out = pd.DataFrame(
        {
            "driver": ip["driver"].to_numpy(),
            "driver_name": (ip[lab] if lab in ip else ip["driver"]).to_numpy(),
            "importance": ip["importance"].to_numpy(dtype="float64"),
            "ci_low": lo.to_numpy(),
            "ci_high": hi.to_numpy(),
            "performance": ip["performance"].to_numpy(dtype="float64"),
            "separated": above | below,
            "priority": [t(k, ctx.lang) for k in key],
        }
    )
    order = {"prio_concentrate": 0, "prio_keep_up": 1, "prio_low": 2, "prio_overkill": 3}
    out["_o"] = [order.get(k, 4) for k in key]
    out = out.sort_values(["_o", "importance"], ascending=[True, False], kind="stable")
    out = out[cols].reset_index(drop=True)
    out.attrs["equal_share"] = equal
    out.attrs["hide"] = ["driver", "separated"]
    out.attrs["headers"] = {"driver_name": "col_value" if target == "culture" else "col_element"}
    out.attrs["digits"] = {"ci": 3, "importance": 3}
    note = "prio_scoring_culture" if target == "culture" else "prio_scoring_ikm"
    out.attrs["notes"] = [(note, {"k": len(out), "eq": _fmt(100 * equal, 1, lang=ctx.lang)})]
    return out


@memo_frame
def priorities_frame(ctx: ReportContext) -> pd.DataFrame:
    """Culture values as drivers of IKM: importance with bootstrap interval, score, priority.

    Importance is a value's share of the explained variance of unit IKM
    (Shapley / LMG decomposition of R-squared over the seven values); a priority
    (quadrant) is given only where the importance's 95 % bootstrap interval
    excludes the equal share 1/7, otherwise "about average".

    Returns
    -------
    pandas.DataFrame
        ``driver, driver_name, importance, ci_low, ci_high, performance,
        separated, priority``; priorities first. ``attrs["equal_share"]`` = 1/p.
    """
    return _drivers_frame(ctx, "culture")


@memo_frame
def service_priorities_frame(ctx: ReportContext) -> pd.DataFrame:
    """The nine IKM elements as drivers of satisfaction, as :func:`priorities_frame`.

    Returns
    -------
    pandas.DataFrame
        As :func:`priorities_frame`, one row per element (equal share 1/9).
    """
    return _drivers_frame(ctx, "ikm")


@memo_frame
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
    u = ik[ik["aggregation"] == "unit"]
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


@memo_frame
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
    g = el[(el["aggregation"] == "government")]
    g = g[_shown(g.drop(columns="estimate", errors="ignore"), ctx.min_group)]
    name = "element_name_id" if ctx.lang == "id" else "element_name_en"
    g = g.assign(
        element_name=g[name],
        band=[_ikm_band(x, ctx.lang) for x in g["nrr_x25"]],
        order=g["element"].str[1:].astype(int),
    )
    return g.sort_values("order")[cols].reset_index(drop=True)


PRIMARY_LINK_MODEL = "within_unit"
"""The culture-IKM model shown in the report's body: a unit's IKM against its own culture
index over the waves (unit and year fixed effects), one value at a time. The others
(all values jointly, culture a wave earlier, service users against their unit's culture)
are in the methods section."""

_MODEL_ORDER = ["within_unit", "within_unit_joint", "within_unit_lag1", "cross_level"]


def _preferred(df: pd.DataFrame) -> pd.DataFrame:
    """The row to read per estimate where a table carries several inference methods."""
    if "preferred" not in df:
        return df
    return df[df["preferred"].fillna(False).astype(bool)]


def _model_name(model: str, lang: str) -> str:
    key = f"model_{model}"
    try:
        return t(key, lang)
    except ParameterError:
        return model


@memo_frame
def _link(ctx: ReportContext) -> pd.DataFrame | None:
    lk = ctx.table("culture_ikm_link", scope="all")
    if lk is None:
        return None
    lk = _preferred(lk)
    if "model" not in lk:
        lk = lk.assign(model=PRIMARY_LINK_MODEL)
    order = {c: i for i, c in enumerate(["overall", *fw.VALUE_CODES])}
    morder = {m: i for i, m in enumerate(_MODEL_ORDER)}
    lk = lk.assign(
        value_name=lk["value"].map(_value_names(ctx.lang)).fillna(lk["value"]),
        model_name=[_model_name(str(m), ctx.lang) for m in lk["model"]],
        _o=lk["value"].map(order).fillna(99),
        _m=lk["model"].map(morder).fillna(99),
    )
    lk = lk.sort_values(["_m", "_o"], kind="stable")
    lk["n"] = pd.to_numeric(lk["n"], errors="coerce").round().astype("Int64")
    return lk


@memo_frame
def link_frame(ctx: ReportContext) -> pd.DataFrame:
    """The primary culture -> IKM model: IKM points per culture-index point, per value.

    One model only (:data:`PRIMARY_LINK_MODEL`), estimated over every government
    in the data; the other models are in :func:`link_models_frame`.

    Returns
    -------
    pandas.DataFrame
        ``model, model_name, value_name, estimate, ci_low, ci_high, p_value, n``
        (``estimate`` = IKM points per culture point); ``attrs["notes"]`` holds the
        sentence that says what the overall slope means.
    """
    cols = ["model", "model_name", "value_name", "estimate", "ci_low", "ci_high", "p_value", "n"]
    lk = _link(ctx)
    if lk is None:
        return _empty(cols)
    main = lk[lk["model"] == PRIMARY_LINK_MODEL]
    if not len(main):  # a store without the primary model: the first model it has
        main = lk[lk["model"] == lk["model"].iloc[0]] if len(lk) else lk
    out = main[cols].reset_index(drop=True)
    out.attrs["hide"] = ["model"]
    out.attrs["headers"] = {"model": "col_code", "estimate": "col_slope", "model_name": "col_model"}
    out.attrs["digits"] = {"estimate": 2, "ci": 2}
    over = out[main["value"].to_numpy() == "overall"]
    if len(over):
        r = over.iloc[0]
        out.attrs["notes"] = [("link_sentence", {
            "x": _fmt(r["estimate"], 2, lang=ctx.lang), "lo": _fmt(r["ci_low"], 2, lang=ctx.lang), "hi": _fmt(r["ci_high"], 2, lang=ctx.lang),
            "ten": _fmt(10 * r["estimate"], 1, lang=ctx.lang), "n": _fmt(r["n"], 0, lang=ctx.lang), "model": r["model_name"],
        })]  # fmt: skip
    return out


@memo_frame
def link_models_frame(ctx: ReportContext) -> pd.DataFrame:
    """Every culture -> IKM model in the store, each labelled (for the methods section).

    Returns
    -------
    pandas.DataFrame
        ``model, model_name, value_name, estimate, ci_low, ci_high, p_value, n``,
        by model then value; ``attrs["notes"]`` describes each model present.
    """
    cols = ["model", "model_name", "value_name", "estimate", "ci_low", "ci_high", "p_value", "n"]
    lk = _link(ctx)
    if lk is None:
        return _empty(cols)
    out = lk[cols].reset_index(drop=True)
    out.attrs["hide"] = ["model"]
    out.attrs["headers"] = {"model": "col_code", "estimate": "col_slope", "model_name": "col_model"}
    out.attrs["digits"] = {"estimate": 2, "ci": 2}
    notes = []
    for m in dict.fromkeys(out["model"]):
        k = out[out["model"] == m]
        key = f"model_note_{m}"
        if key in STRINGS:
            notes.append((key, {"n": _fmt(k["n"].max(), 0, lang=ctx.lang)}))
    out.attrs["notes"] = notes
    return out


_PATHS = ["a", "b", "direct", "indirect", "total"]


@memo_frame
def value_chain_frame(ctx: ReportContext) -> pd.DataFrame:
    """Mediation programme -> culture -> IKM, each path labelled, with the indirect share.

    Returns
    -------
    pandas.DataFrame
        ``path`` (a, b, direct, indirect, total), ``path_name``, ``estimate, ci_low,
        ci_high, p_value, n``; ``attrs["indirect_share"]`` is indirect / total (NaN
        when either is missing) and ``attrs["notes"]`` says it in words.
    """
    cols = ["path", "path_name", "estimate", "ci_low", "ci_high", "p_value", "n"]
    vc = ctx.table("value_chain_paths", scope="all")
    if vc is None:
        return _empty(cols)
    ri = vc[vc["method"].eq("randomization_inference")] if "method" in vc else None
    ri = ri if ri is not None and len(ri) else None
    vc = _preferred(vc)
    if "method" in vc:
        # a path with two preferred rows (bootstrap and wild): the wild cluster bootstrap,
        # the method designed for few governments, when it is there
        vc = vc.assign(_w=(vc["method"] != "wild_cluster_bootstrap").astype(int))
        vc = vc.sort_values("_w", kind="stable").drop_duplicates("path")
    vc = vc.assign(_o=vc["path"].map({p: i for i, p in enumerate(_PATHS)})).sort_values("_o")
    out = vc.assign(path_name=[t(f"path_{p}", ctx.lang) if p in _PATHS else p
                               for p in vc["path"]])[cols].reset_index(drop=True)  # fmt: skip
    out["n"] = pd.to_numeric(out["n"], errors="coerce").round().astype("Int64")
    est = dict(zip(out["path"], out["estimate"], strict=True))
    ind, tot = est.get("indirect", np.nan), est.get("total", np.nan)
    share = ind / tot if pd.notna(ind) and pd.notna(tot) and tot != 0 else np.nan
    out.attrs["indirect_share"] = share
    out.attrs["hide"] = ["path"]
    out.attrs["headers"] = {"path": "col_code", "path_name": "col_path", "estimate": "col_effect"}
    notes = []
    if pd.notna(share):
        notes.append(("indirect_share_note", {
            "share": _fmt(100 * share, 0, lang=ctx.lang), "ind": _fmt(ind, lang=ctx.lang), "tot": _fmt(tot, lang=ctx.lang)}))  # fmt: skip
    ri = ri.drop_duplicates("path").set_index("path") if ri is not None else None
    if ri is not None and {"indirect", "total"} <= set(ri.index):
        # the permutation test has no interval, so it is quoted beside the table
        def pv(path):
            text = numbers.p_value(float(ri.loc[path, "p_value"]), ctx.lang)
            return text if text.startswith("<") else f"= {text}"

        notes.append(("mediation_ri_note", {"g": int(ri.loc["indirect", "n_clusters"]),
                                            "p_ind": pv("indirect"), "p_tot": pv("total")}))  # fmt: skip
    if notes:
        out.attrs["notes"] = notes
    return out
