"""Programme section: the government's culture programmes and their estimated effects."""

from __future__ import annotations

import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _empty,
    _unit_names,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = ["programmes_frame", "did_frame", "programme_effects_frame", "pretrend_frame"]


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
    ev = ctx.table("interventions", scope="all")
    if ev is None:
        return _empty(cols)
    ev = ev[ev["gov_code"] == ctx.gov_code].sort_values("date")
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


def did_frame(ctx: ReportContext, level: str = "overall", panel: str = "unit") -> pd.DataFrame:
    """Programme effects on the culture index, robust staggered estimator vs TWFE.

    Returns
    -------
    pandas.DataFrame
        ``estimator, level, cohort, event_time, estimate, ci_low, ci_high, p_value, n``;
        ``attrs["unit_clustered"]`` is True when the intervals are clustered by unit
        because there were too few governments (:func:`show` then says so).
    """
    cols = [
        "estimator",
        "level",
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
    d = d[(d["level"] == level)]
    if "panel" in d:
        d = d[d["panel"] == panel]
    if "outcome" in d and len(d):
        d = d[d["outcome"] == d["outcome"].iloc[0]]
    out = d[cols].reset_index(drop=True)
    # Government-wide programmes but too few governments to cluster on them: the reader
    # must be told that the intervals understate the uncertainty (see models.did).
    unit_clustered = panel == "unit" and "cluster" in d and bool((d["cluster"] == "unit").any())
    out.attrs["unit_clustered"] = unit_clustered
    return out


def programme_effects_frame(ctx: ReportContext) -> pd.DataFrame:
    """The overall programme effects (staggered ATT and TWFE) shown in a government report.

    Returns
    -------
    pandas.DataFrame
        ``estimator, estimate, ci_low, ci_high, p_value, n``; ``attrs["unit_clustered"]``
        as in :func:`did_frame`.
    """
    d = did_frame(ctx)
    out = d[["estimator", "estimate", "ci_low", "ci_high", "p_value", "n"]]
    out.attrs["unit_clustered"] = d.attrs.get("unit_clustered", False)
    return out


def pretrend_frame(ctx: ReportContext) -> pd.DataFrame:
    """Pre-trend tests. Returns ``outcome, panel, statistic, df, p_value``."""
    p = ctx.table("did_pretrend", scope="all")
    return _empty(["outcome", "panel", "statistic", "df", "p_value"]) if p is None else p
