"""Methods and data-quality sections: reliability, sample adequacy, CFA fit, suppression, provenance."""

from __future__ import annotations

import pandas as pd

from berakhlak_research import store
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _empty,
    _unit_names,
    _value_names,
    memo_frame,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "reliability_frame",
    "sample_adequacy_frame",
    "cfa_fit_frame",
    "suppression_frame",
    "provenance_frame",
]


@memo_frame
def reliability_frame(ctx: ReportContext) -> pd.DataFrame:
    """Reliability of the seven value scales in the government (all data if absent).

    Returns
    -------
    pandas.DataFrame
        ``value_name, alpha, omega, n``.
    """
    cols = ["value_name", "alpha", "omega", "n"]
    rel = ctx.table("reliability", scope="wave")
    if rel is None:
        return _empty(cols)
    r = rel[rel["gov_code"] == ctx.gov_code] if ctx.gov_code else rel.iloc[0:0]
    if not len(r):
        r = rel[rel["gov_code"].isna()]
    r = r[pd.to_numeric(r["n"], errors="coerce") >= ctx.min_group]
    r = r.assign(value_name=r["value"].map(_value_names(ctx.lang)).fillna(r["value"]))
    return r[cols].reset_index(drop=True)


@memo_frame
def sample_adequacy_frame(ctx: ReportContext) -> pd.DataFrame:
    """SKM respondents (service users) against the Krejcie-Morgan minimum per unit.

    Respondent counts under ``min_group`` are shown as "< min_group". Where the
    unit's service population is unknown, the minimum cannot be judged: the
    population reads "unknown" and adequacy "unknown" (not "no").

    Returns
    -------
    pandas.DataFrame
        ``unit_name, population, required, respondents, adequate``;
        ``attrs["notes"]`` says the table concerns SKM respondents.
    """
    cols = ["unit_name", "population", "required", "respondents", "adequate"]
    sa = ctx.table("sample_adequacy")
    if sa is None:
        return _empty(cols)
    names = _unit_names(ctx)
    resp = sa["respondents"].astype("Int64")
    small = resp < ctx.min_group
    pop = pd.to_numeric(sa["population"], errors="coerce")
    known = pop.notna().to_numpy()
    unknown = t("unknown", ctx.lang)
    out = sa.assign(
        unit_name=sa["unit_code"].astype(str).map(names).fillna(sa["unit_code"].astype(str)),
        population=[f"{int(p):,}" if k else t("population_unknown", ctx.lang)
                    for p, k in zip(pop, known, strict=True)],
        required=[f"{int(r):,}" if k else "—" for r, k in zip(sa["required"], known, strict=True)],
        respondents=[
            f"< {ctx.min_group}" if s else f"{int(r):,}" for r, s in zip(resp, small, strict=True)
        ],
        adequate=[
            t("yes" if a else "no", ctx.lang) if k else unknown
            for a, k in zip(sa["adequate"].fillna(False), known, strict=True)
        ],
    )  # fmt: skip
    out = out[cols].reset_index(drop=True)
    out.attrs["notes"] = [("sample_adequacy_note", {})]
    return out


@memo_frame
def cfa_fit_frame(ctx: ReportContext) -> pd.DataFrame:
    """Confirmatory factor analysis fit (seven correlated factors), national and per government."""
    f = ctx.table("cfa_fit", scope="wave")
    cols = ["gov_code", "chi2", "df", "cfi", "tli", "rmsea", "srmr", "n"]
    if f is None:
        return _empty(cols)
    if ctx.gov_code:
        f = f[(f["gov_code"] == ctx.gov_code) | f["gov_code"].isna()]
    return f[[c for c in cols if c in f]].reset_index(drop=True)


@memo_frame
def suppression_frame(ctx: ReportContext) -> pd.DataFrame:
    """Counts of withheld groups per table and aggregation. Returns ``table, aggregation, count``."""
    s = ctx.table("suppression", scope="all")
    if s is None or not len(s):
        return _empty(["table", "aggregation", "count"])
    if "wave" in s:
        s = s[s["wave"] == ctx.wave]
    counts = s.groupby(["table", "aggregation"], as_index=False).size()
    return counts.rename(columns={"size": "count"})


def provenance_frame(ctx: ReportContext) -> pd.DataFrame:
    """The results tables behind the report: rows, SHA-256 prefix and when written.

    Returns
    -------
    pandas.DataFrame
        ``table, rows, sha256, written``.
    """
    cat = store.catalog(ctx.results_dir)
    return pd.DataFrame(
        [
            {
                "table": k,
                "rows": int(v["rows"]),
                "sha256": v["sha256"][:12],
                "written": v["written"],
            }
            for k, v in sorted(cat.items())
        ],
        columns=["table", "rows", "sha256", "written"],
    )
