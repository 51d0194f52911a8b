"""Programme section: the government's culture programmes and their estimated effects."""

from __future__ import annotations

import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _empty,
    _unit_names,
    memo_frame,
)
from berakhlak_research.reporting.sections.context import ReportContext
from berakhlak_research.vocabulary import renamed

__all__ = [
    "programmes_frame",
    "programme_timeline_frame",
    "stage_progress_frame",
    "did_frame",
    "programme_effects_frame",
    "pretrend_frame",
]


@memo_frame
def _events(ctx: ReportContext) -> pd.DataFrame | None:
    """The government's events up to the end of the report's wave, oldest first."""
    ev = ctx.gov_rows("interventions")
    if ev is None:
        return None
    ev = ev.assign(date=pd.to_datetime(ev["date"]))
    return ev[ev["date"].dt.year <= ctx.wave].sort_values("date", kind="stable")


def _stage_names(lang: str) -> dict[int, str]:
    return {s.number: (s.name_id if lang == "id" else s.name_en) for s in fw.STAGES}


@memo_frame
def programme_timeline_frame(ctx: ReportContext) -> pd.DataFrame:
    """Events by date, stage and scope (unit or whole government): what the timeline draws.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime), ``stage`` (1-7, framework.STAGES), ``stage_name``,
        ``scope`` (unit name or "whole government"), ``whole_gov`` (bool), ``kind``
        (programme name); oldest first.
    """
    cols = ["date", "stage", "stage_name", "scope", "whole_gov", "kind"]
    ev = _events(ctx)
    if ev is None or not len(ev):
        return _empty(cols)
    i = 0 if ctx.lang == "id" else 1
    names = _unit_names(ctx)
    whole = ev["unit_code"].isna().to_numpy()
    code = ev["unit_code"].astype("string").fillna("")
    out = pd.DataFrame(
        {
            "date": ev["date"].to_numpy(),
            "stage": ev["stage"].astype("Int64").to_numpy(),
            "stage_name": ev["stage"].map(_stage_names(ctx.lang)).fillna("—").to_numpy(),
            "scope": code.map(lambda u: names.get(u, u)).where(~whole, t("whole_gov", ctx.lang)),
            "whole_gov": whole,
            "kind": ev["kind"].map(lambda k: fw.INTERVENTION_KINDS.get(k, (k, k))[i]).to_numpy(),
        }
    )
    return out[cols].reset_index(drop=True)


@memo_frame
def stage_progress_frame(ctx: ReportContext) -> pd.DataFrame:
    """The seven stages of culture strengthening: which the government has reached, and when.

    A stage is reached when at least one event (government-wide or in a unit) of
    that stage took place by the end of the report's wave.

    Returns
    -------
    pandas.DataFrame
        One row per stage of framework.STAGES in order: ``stage`` (number),
        ``stage_name``, ``reached`` (bool), ``reached_text`` (yes/no),
        ``first_date``, ``last_date`` (YYYY-MM-DD or "—"), ``events``,
        ``units_reached`` (units with an event of the stage), ``whole_gov``
        (a government-wide event of the stage).
    """
    cols = ["stage", "stage_name", "reached", "reached_text", "first_date", "last_date",
            "events", "units_reached", "whole_gov"]  # fmt: skip
    ev = _events(ctx)
    stages = pd.DataFrame({"stage": [s.number for s in fw.STAGES]})
    if ev is None:
        return _empty(cols)
    ev = ev[ev["stage"].notna()].assign(stage=lambda d: d["stage"].astype("int64"))
    agg = ev.groupby("stage").agg(
        first=("date", "min"),
        last=("date", "max"),
        events=("date", "size"),
        units_reached=("unit_code", "nunique"),
        whole_gov=("unit_code", lambda u: bool(u.isna().any())),
    )
    out = stages.merge(agg, left_on="stage", right_index=True, how="left")
    reached = out["events"].fillna(0).astype("int64") > 0
    fmt = lambda d: d.dt.strftime("%Y-%m-%d").fillna("—")  # noqa: E731
    out = out.assign(
        stage_name=out["stage"].map(_stage_names(ctx.lang)),
        reached=reached.to_numpy(),
        reached_text=[t("yes" if r else "no", ctx.lang) for r in reached],
        first_date=fmt(out["first"]),
        last_date=fmt(out["last"]),
        events=out["events"].fillna(0).astype("int64"),
        units_reached=out["units_reached"].fillna(0).astype("int64"),
        whole_gov=out["whole_gov"].fillna(False).astype(bool),
    )
    out = out[cols].reset_index(drop=True)
    out.attrs["hide"] = ["reached"]
    out.attrs["headers"] = {"stage": "col_stage_no", "reached": "col_reached_flag"}
    return out


@memo_frame
def programmes_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's culture programmes (events), oldest first.

    Reads the optional results table ``interventions`` (events carry no
    personal data).

    Returns
    -------
    pandas.DataFrame
        ``date, kind, stage, scope, hours, participants``.
    """
    cols = ["date", "kind", "stage", "scope", "hours", "participants"]
    ev = ctx.gov_rows("interventions")
    if ev is None:
        return _empty(cols)
    ev = ev.sort_values("date")
    i = 0 if ctx.lang == "id" else 1
    names = _unit_names(ctx)
    stages = {s.number: (s.name_id, s.name_en)[i] for s in fw.STAGES}
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(ev["date"]).dt.strftime("%Y-%m-%d"),
            "kind": ev["kind"].map(lambda k: fw.INTERVENTION_KINDS.get(k, (k, k))[i]),
            "stage": ev["stage"].map(
                lambda s: f"{int(s)}. {stages.get(int(s), '')}" if pd.notna(s) else "—"
            ),
            "scope": ev["unit_code"].map(
                lambda u: t("whole_gov", ctx.lang) if pd.isna(u) else names.get(str(u), str(u))
            ),
            "hours": ev["hours"].astype("float64"),
            "participants": ev["participants"],
        }
    )
    return out[cols].reset_index(drop=True)


@renamed(level="aggregation")
@memo_frame
def did_frame(
    ctx: ReportContext, aggregation: str = "overall", panel: str = "unit"
) -> pd.DataFrame:
    """Programme effects on the culture index, robust staggered estimator vs TWFE.

    Returns
    -------
    pandas.DataFrame
        ``estimator, aggregation, cohort, event_time, estimate, ci_low, ci_high, p_value,
        n`` (``aggregation``: "overall", "event_time" or "cohort", the rows kept);
        ``attrs["unit_clustered"]`` is True when the intervals are clustered by unit
        because there were too few governments (:func:`show` then says so).
    """
    cols = [
        "estimator",
        "aggregation",
        "cohort",
        "event_time",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
    ]
    d = ctx.table("did_effects", scope="all")
    if d is None:
        return _empty(cols)
    d = d[(d["aggregation"] == aggregation)]
    if "panel" in d:
        d = d[d["panel"] == panel]
    if "outcome" in d and len(d):
        d = d[d["outcome"] == d["outcome"].iloc[0]]
    if "preferred" in d and d["preferred"].fillna(False).astype(bool).any():
        # one row per estimate: the one to read (the wild cluster bootstrap with few governments)
        d = d[d["preferred"].fillna(False).astype(bool)]
    out = d[cols].reset_index(drop=True)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").round().astype("Int64")
    out.attrs["inference"] = sorted(set(d["inference"].dropna())) if "inference" in d else []
    # Government-wide programmes but too few governments to cluster on them: the reader
    # must be told that the intervals understate the uncertainty (see models.did).
    unit_clustered = panel == "unit" and "cluster" in d and bool((d["cluster"] == "unit").any())
    out.attrs["unit_clustered"] = unit_clustered
    return out


@memo_frame
def _n_governments(ctx: ReportContext) -> int:
    """Governments in the data the models were fitted on (every government in ``units``)."""
    units = ctx.table("units", scope="all")
    if units is not None and "gov_code" in units:
        return int(units["gov_code"].nunique())
    ci = ctx.table("culture_index", scope="all")
    if ci is None:
        return 0
    return int(ci.loc[ci["aggregation"] == "government", "gov_code"].nunique())


@memo_frame
def programme_effects_frame(ctx: ReportContext) -> pd.DataFrame:
    """The overall programme effects (staggered ATT and TWFE), labelled as pooled estimates.

    The effects are estimated over every government in the data, not for this
    government alone (one government's units are too few to compare treated and
    not-yet-treated years); the table says over how many, and ``n`` counts the
    unit-years each estimator used.

    Returns
    -------
    pandas.DataFrame
        ``estimator`` (code), ``estimator_name``, ``pooled`` (text: "pooled over N
        governments"), ``estimate, ci_low, ci_high, p_value, n``; ``attrs``:
        ``unit_clustered`` as in :func:`did_frame`, ``n_governments``, ``notes``
        (the pooled-effect and few-clusters caveats).
    """
    d = did_frame(ctx)
    g = _n_governments(ctx)
    names = {"staggered_att": t("est_staggered", ctx.lang), "twfe": t("est_twfe", ctx.lang)}
    out = d[["estimator", "estimate", "ci_low", "ci_high", "p_value", "n"]].copy()
    out.insert(1, "estimator_name", out["estimator"].map(names).fillna(out["estimator"]))
    out.insert(2, "pooled", t("pooled_over", ctx.lang, g=g))
    out.attrs["unit_clustered"] = d.attrs.get("unit_clustered", False)
    out.attrs["n_governments"] = g
    out.attrs["hide"] = ["estimator"]
    out.attrs["headers"] = {"estimator": "col_code", "estimate": "col_effect"}
    out.attrs["notes"] = [("pooled_note", {"g": g, "name": ctx.name})]
    if g < 20:  # the few-clusters rule of models.did (min_clusters=20)
        wild = "wild_cluster_bootstrap" in d.attrs.get("inference", [])
        out.attrs["notes"].append(("few_clusters_wild" if wild else "few_clusters_note", {"g": g}))
    return out


@memo_frame
def pretrend_frame(ctx: ReportContext) -> pd.DataFrame:
    """Pre-trend tests. Returns ``outcome, panel, statistic, df, p_value``."""
    p = ctx.table("did_pretrend", scope="all")
    return _empty(["outcome", "panel", "statistic", "df", "p_value"]) if p is None else p
