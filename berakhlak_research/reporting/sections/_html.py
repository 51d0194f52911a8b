"""HTML building blocks of a report: escaped text, headings, notes, tables, display numbers."""

from __future__ import annotations

import html

import pandas as pd

from berakhlak_research.i18n import t
from berakhlak_research.reporting import numbers
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "Html",
    "synthetic_banner",
    "synthetic_banner_html",
    "title",
    "section",
    "subsection",
    "note",
    "generated",
    "display",
]


class Html(str):
    """A piece of (already escaped) HTML that Jupyter displays as HTML.

    Its plain-text form is a short placeholder: otherwise IPython would send
    the whole HTML (inline figures included) a second time as ``text/plain``
    with every output, doubling what the kernel sends and the notebook stores.
    """

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(f"<HTML, {len(self):,} characters>")


def display(*parts) -> None:
    """Show ``parts`` in a notebook as few outputs as possible: HTML pieces joined into one.

    A report cell shows a heading, tables, figures and notes; one output per
    piece made each report about 65 outputs, and every output is a message
    the kernel formats and sends and the runner receives and validates. Runs
    of consecutive :class:`Html` pieces go out as one output (the report page
    is the same: it joins a cell's outputs); anything else is shown on its own.
    """
    from IPython.display import display as _show

    run: list[str] = []
    for part in parts:
        if isinstance(part, Html):
            run.append(part)
            continue
        if run:
            _show(Html("".join(run)))
            run = []
        _show(part)
    if run:
        _show(Html("".join(run)))


def _esc(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


# inline style: the banner must show wherever the HTML lands (report page, index, notebook)
_BANNER_STYLE = (
    "background:#fff3cd;border:2px solid #b8860b;color:#5c4400;padding:0.5em 0.8em;"
    "margin:0.5em 0 1em;font-weight:bold;"
)


def synthetic_banner_html(lang: str) -> Html:
    """The "synthetic data" banner in ``lang`` (for pages made from simulated data)."""
    return Html(
        f"<div class='berakhlak-synthetic' role='note' style='{_BANNER_STYLE}'>"
        f"{_esc(t('synthetic_banner', lang))}</div>"
    )


def synthetic_banner(ctx: ReportContext) -> Html:
    """The "synthetic data" banner when the report's results come from the simulator, else ""."""
    return synthetic_banner_html(ctx.lang) if ctx.synthetic else Html("")


def title(ctx: ReportContext, key: str = "report_title") -> Html:
    """The report's heading: the synthetic-data banner when it applies, title, government, wave."""
    who = ctx.name if ctx.gov_code is None else f"{ctx.name} ({ctx.gov_code})"
    return Html(
        f"{synthetic_banner(ctx)}<h1>{_esc(t(key, ctx.lang))}</h1>"
        f"<p class='berakhlak-sub'><b>{_esc(who)}</b> &middot; "
        f"{_esc(t('wave', ctx.lang))} {ctx.wave}</p>"
    )


def section(ctx: ReportContext, key: str) -> Html:
    """A section heading in the report's language."""
    return Html(f"<h2>{_esc(t(key, ctx.lang))}</h2>")


def subsection(ctx: ReportContext, key: str) -> Html:
    """A subsection heading in the report's language."""
    return Html(f"<h3>{_esc(t(key, ctx.lang))}</h3>")


def generated(ctx: ReportContext) -> Html:
    """The closing line: which version of the toolkit produced the report."""
    from berakhlak_research import __version__

    return note(ctx, "generated", version=__version__)


def note(ctx: ReportContext, key: str, **fields) -> Html:
    """A short paragraph in the report's language."""
    return Html(f"<p class='berakhlak-note'>{_esc(t(key, ctx.lang, **fields))}</p>")


def _fmt(x, digits: int = 1, lang: str = "en", column: str | None = None) -> str:
    # numbers as the report's language writes them (reporting.numbers)
    return numbers.value(x, lang, digits, column)


# display digits per column
_DIGITS = {"p_value": 3, "importance": 3, "share": 3, "alpha": 2, "omega": 2, "r_corrected": 2,
           "nrr": 2, "cfi": 3, "tli": 3, "rmsea": 3, "srmr": 3, "icc": 3}  # fmt: skip

# column -> i18n key for headers
_HEADERS = {
    "value_name": "col_value", "value": "col_code", "text": "col_text", "driver": "col_code",
    "estimate": "col_estimate", "ci": "col_ci", "n": "col_n",
    "peer_median": "col_peer_median", "peer_q75": "col_peer_q75", "category": "col_category",
    "unit_name": "col_unit", "unit_code": "col_unit_code", "behaviour": "col_code",
    "behaviour_text": "col_behaviour", "priority": "col_priority", "importance": "col_importance",
    "performance": "col_performance", "date": "col_date", "kind": "col_kind",
    "stage": "col_stage", "hours": "col_hours", "participants": "col_participants",
    "scope": "col_scope", "estimator": "col_estimator", "effect": "col_effect",
    "p_value": "col_p", "ikm": "col_ikm", "band": "col_band", "element_name": "col_element",
    "nrr": "col_nrr", "nrr_x25": "col_nrr25", "path": "col_path", "alpha": "col_alpha",
    "omega": "col_omega", "required": "col_required", "respondents": "col_respondents",
    "population": "col_population", "adequate": "col_adequate", "table": "col_table",
    "rows": "col_rows", "sha256": "col_sha", "written": "col_written", "item": "item",
    "government": "col_government", "rank_national": "col_rank", "count": "col_count",
    "statistic": "col_statistic", "aggregation": "col_aggregation", "event_time": "col_event_time",
    "cohort": "col_cohort", "fit": "col_fit", "census": "col_census",
    "estimator_name": "col_estimator", "pooled": "col_pooled", "stage_name": "col_stage",
    "reached_text": "col_reached", "first_date": "col_first_date", "last_date": "col_last_date",
    "events": "col_events", "units_reached": "col_units_reached", "whole_gov": "col_whole_gov",
    "topic": "col_topic", "step": "col_step", "published": "col_published",
    "difference": "col_difference", "published_n": "col_published_n",
    "item_name": "col_item", "previous_wave": "col_previous_wave", "previous": "col_previous",
    "change": "col_change", "decision": "col_decision", "unfavourable": "col_unfavourable",
    "neutral": "col_neutral", "favourable": "col_favourable", "headcount": "col_headcount",
    "rate": "col_rate", "dimension_name": "col_dimension", "group_name": "col_group",
    "element": "col_code", "total": "col_total",
}  # fmt: skip


def _header(col: str, lang: str) -> str:
    return t(_HEADERS[col], lang) if col in _HEADERS else col


def _display_frame(df: pd.DataFrame, lang: str = "id", ci_digits: int = 1) -> pd.DataFrame:
    """Join ``ci_low``/``ci_high`` into one ``ci`` text column for display.

    Rows flagged ``census`` (every member of staff responded) say "no sampling
    error" instead of a zero-width interval; the flag itself is not displayed.
    """
    census = df["census"].fillna(False).astype(bool).tolist() if "census" in df else None
    if census is not None:
        df = df.drop(columns="census")
    if {"ci_low", "ci_high"} <= set(df.columns):
        ci = [
            numbers.interval(lo, hi, lang, ci_digits)
            for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)
        ]
        if census is not None:
            word = t("census_ci", lang)
            ci = [word if c else x for x, c in zip(ci, census, strict=True)]
        pos = list(df.columns).index("ci_low")
        df = df.drop(columns=["ci_low", "ci_high"])
        df.insert(pos, "ci", ci)
    return df


def _html_table(df: pd.DataFrame, lang: str, name: str, notes: list[str]) -> Html:
    # columns a frame keeps for export and tests but does not display (codes, flags)
    # a frame may ask for more digits than the column default (slopes: attrs["digits"])
    digits = {**_DIGITS, **df.attrs.get("digits", {})}
    d = _display_frame(
        df.drop(columns=df.attrs.get("hide", []), errors="ignore"), lang, digits.get("ci", 1)
    )
    cols = list(d.columns)
    own = df.attrs.get("headers", {})  # a frame may name a column for its own table
    head = "".join(
        f"<th>{_esc(t(own[c], lang) if c in own else _header(c, lang))}</th>" for c in cols
    )
    # yes/no in the report's language rather than Python's True/False
    yes_no = {True: t("yes", lang), False: t("no", lang)}
    cells = {
        c: [yes_no[bool(v)] for v in d[c].tolist()]
        if d[c].dtype == bool
        else [_fmt(v, digits.get(c, 1), lang, c) for v in d[c].tolist()]
        for c in cols
    }
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(cells[c][i])}</td>" for c in cols) + "</tr>"
        for i in range(len(d))
    )
    foot = "".join(f"<p class='berakhlak-note'>{_esc(n)}</p>" for n in notes)
    return Html(
        f"<table class='berakhlak-table' data-table='{_esc(name)}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{foot}"
    )
