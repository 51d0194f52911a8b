"""The report's table registry: name -> frame function, display, and saving what was shown."""

from __future__ import annotations

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._html import Html, _esc, _header, _html_table, note
from berakhlak_research.reporting.sections.context import ReportContext
from berakhlak_research.reporting.sections.culture import (
    demographics_frame,
    item_results_frame,
    published_frame,
    response_rates_frame,
    units_frame,
    value_profile_frame,
    weakest_behaviours_frame,
)
from berakhlak_research.reporting.sections.narrative import next_steps_frame, summary_text_frame
from berakhlak_research.reporting.sections.programmes import (
    did_frame,
    pretrend_frame,
    programme_effects_frame,
    programmes_frame,
    stage_progress_frame,
)
from berakhlak_research.reporting.sections.quality import (
    cfa_fit_frame,
    provenance_frame,
    reliability_frame,
    sample_adequacy_frame,
    suppression_frame,
)
from berakhlak_research.reporting.sections.satisfaction import (
    ikm_elements_frame,
    ikm_units_frame,
    link_frame,
    link_models_frame,
    priorities_frame,
    service_priorities_frame,
    value_chain_frame,
)
from berakhlak_research.reporting.sections.summary import (
    category_counts_frame,
    descriptives_frame,
    national_frame,
    summary_frame,
)
from berakhlak_research.reporting.sections.trends import (
    behaviour_changes_frame,
    changes_frame,
    trend_frame,
    unit_changes_frame,
)

__all__ = ["FRAMES", "TEXTS", "show", "text", "save_outputs"]

FRAMES = {
    "summary": summary_frame,
    "value_profile": value_profile_frame,
    "item_results": item_results_frame,
    "response_rates": response_rates_frame,
    "demographics": demographics_frame,
    "trend": trend_frame,
    "changes": changes_frame,
    "behaviour_changes": behaviour_changes_frame,
    "unit_changes": unit_changes_frame,
    "published": published_frame,
    "units": units_frame,
    "weakest_behaviours": weakest_behaviours_frame,
    "priorities": priorities_frame,
    "service_priorities": service_priorities_frame,
    "programmes": programmes_frame,
    "programme_effects": programme_effects_frame,
    "stage_progress": stage_progress_frame,
    "ikm_units": ikm_units_frame,
    "ikm_elements": ikm_elements_frame,
    "culture_ikm_link": link_frame,
    "culture_ikm_models": link_models_frame,
    "value_chain": value_chain_frame,
    "reliability": reliability_frame,
    "sample_adequacy": sample_adequacy_frame,
    "provenance": provenance_frame,
    "national": national_frame,
    "category_counts": category_counts_frame,
    "descriptives": descriptives_frame,
    "did_overall": did_frame,
    "did_event_time": lambda ctx: did_frame(ctx, aggregation="event_time"),
    "did_cohort": lambda ctx: did_frame(ctx, aggregation="cohort"),
    "did_pretrend": pretrend_frame,
    "cfa_fit": cfa_fit_frame,
    "suppression": suppression_frame,
}
"""Table name -> frame function; :func:`show` displays them."""


def show(ctx: ReportContext, name: str) -> Html:
    """Display one table of the report (and remember it for :func:`save_outputs`).

    Parameters
    ----------
    ctx : ReportContext
    name : str
        A key of :data:`FRAMES`.

    Returns
    -------
    Html
        An escaped HTML table with headers in the report's language, numbers
        rounded for display, and a note on withheld groups where any were.
    """
    try:
        fn = FRAMES[name]
    except KeyError as err:
        raise ParameterError(
            f"No report table named {name!r}; known: {', '.join(FRAMES)}."
        ) from err
    df = fn(ctx)
    if df is None or not len(df):
        return note(ctx, "no_data")
    notes = []
    if df.attrs.get("withheld"):
        notes.append(t("withheld", ctx.lang, k=df.attrs["withheld"], m=ctx.min_group))
    if df.attrs.get("unit_clustered"):
        notes.append(t("did_unit_clustered", ctx.lang))
    # further notes a frame asks for: (i18n key, fields) pairs
    notes += [t(key, ctx.lang, **fields) for key, fields in df.attrs.get("notes", [])]
    own = df.attrs.get("headers", {})
    heads = [t(own[c], ctx.lang) if c in own else _header(c, ctx.lang) for c in df.columns]
    # two columns under one header would break the exports: the second keeps its name too
    seen: set = set()
    for i, (c, h) in enumerate(zip(df.columns, heads, strict=True)):
        heads[i] = h if h not in seen else f"{h} ({c})"
        seen.add(heads[i])
    ctx.shown[name] = df.set_axis(heads, axis=1)
    return _html_table(df, ctx.lang, name, notes)


TEXTS = {
    "summary_text": summary_text_frame,
    "next_steps": next_steps_frame,
}
"""Text name -> frame of sentences (``text`` column); :func:`text` displays them."""


def text(ctx: ReportContext, name: str) -> Html:
    """Display generated sentences: the summary as a paragraph, the next steps as a list.

    Parameters
    ----------
    ctx : ReportContext
    name : str
        A key of :data:`TEXTS`.

    Returns
    -------
    Html
        ``<p>`` (summary) or ``<ol>`` (steps), escaped; the sentences are also
        kept for :func:`save_outputs`.
    """
    try:
        fn = TEXTS[name]
    except KeyError as err:
        raise ParameterError(f"No report text named {name!r}; known: {', '.join(TEXTS)}.") from err
    df = fn(ctx)
    if df is None or not len(df):
        return note(ctx, "no_data")
    ctx.shown[name] = df.rename(columns=lambda c: _header(c, ctx.lang))
    items = [_esc(x) for x in df["text"]]
    if "step" in df:
        body = "".join(f"<li>{x}</li>" for x in items)
        return Html(f"<ol class='berakhlak-steps' data-text='{_esc(name)}'>{body}</ol>")
    return Html(f"<p class='berakhlak-summary' data-text='{_esc(name)}'>{' '.join(items)}</p>")


def save_outputs(ctx: ReportContext) -> None:
    """Write the tables shown and the figures to ``output_dir`` (:func:`outputs.write_outputs`).

    Tables: a program CSV, a spreadsheet CSV in the report's locale and one
    formatted XLSX workbook with a notes sheet, headers in the report's
    language, full precision, formula-leading text neutralised. Figures:
    ``figures/<name>.svg`` or ``.png``, the very bytes shown in the report,
    each SVG checked inert. Nothing is written when the context has no
    ``output_dir``.
    """
    if ctx.output_dir is None:
        return None
    from berakhlak_research.reporting.outputs import write_outputs

    write_outputs(ctx.output_dir, ctx.shown, ctx.figures, ctx.lang, ctx.min_group)
    return None
    tdir, fdir = ctx.output_dir / "tables", ctx.output_dir / "figures"
    tdir.mkdir(parents=True, exist_ok=True)
    fdir.mkdir(parents=True, exist_ok=True)
    for name, df in ctx.shown.items():
        df.to_csv(tdir / f"{name}.csv", index=False)
    if ctx.shown:
        from berakhlak_research.reporting.xlsx import write_xlsx

        write_xlsx(tdir / "tables.xlsx", ctx.shown)
    for name, fmt, data in ctx.figures:
        (fdir / f"{name}.{fmt}").write_bytes(data)
    return None
