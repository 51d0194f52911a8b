"""Report figures: drawing, encoding (SVG or PNG) and inline display."""

from __future__ import annotations

import base64
import io

from berakhlak_research import store
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.i18n import t
from berakhlak_research.reporting import charts
from berakhlak_research.reporting.sections._html import Html, _esc, note
from berakhlak_research.reporting.sections.context import (
    FIGURE_FORMATS,
    ReportContext,
    check_figure_format,
)
from berakhlak_research.reporting.sections.culture import units_frame, value_profile_frame
from berakhlak_research.reporting.sections.programmes import (
    did_frame,
    programme_timeline_frame,
    stage_progress_frame,
)
from berakhlak_research.reporting.sections.satisfaction import (
    ikm_elements_frame,
    priorities_frame,
    service_priorities_frame,
    value_chain_frame,
)
from berakhlak_research.reporting.sections.summary import national_frame
from berakhlak_research.reporting.sections.trends import trend_frame

__all__ = [
    "FIGURES",
    "SVG_FIGURES",
    "FIGURE_FORMATS",
    "encode_figure",
    "figure",
    "check_figure_format",
]

# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------


def _fig_value_profile(ctx):
    from berakhlak_research.plots import culture

    return culture.value_profile(value_profile_frame(ctx), lang=ctx.lang)


def _fig_units(ctx):
    from berakhlak_research.plots import culture

    return culture.unit_caterpillar(units_frame(ctx), lang=ctx.lang)


def _fig_ikm_elements(ctx):
    from berakhlak_research.plots import culture

    return culture.ikm_elements(ikm_elements_frame(ctx), lang=ctx.lang)


def _fig_event_study(ctx):
    from berakhlak_research.plots import did

    d = did_frame(ctx, aggregation="event_time")
    return did.event_study_plot(d, lang=ctx.lang) if len(d) else None


def _fig_priorities(ctx):
    from berakhlak_research.plots import priorities

    return priorities.importance_intervals(priorities_frame(ctx), lang=ctx.lang)


def _fig_service_priorities(ctx):
    from berakhlak_research.plots import priorities

    return priorities.importance_intervals(service_priorities_frame(ctx), lang=ctx.lang)


def _fig_national(ctx):
    from berakhlak_research.plots import culture

    return culture.distribution(national_frame(ctx), lang=ctx.lang)


def _fig_timeline(ctx):
    from berakhlak_research.plots import programmes

    return programmes.timeline(programme_timeline_frame(ctx), lang=ctx.lang)


def _fig_stages(ctx):
    from berakhlak_research.plots import programmes

    f = stage_progress_frame(ctx)
    return programmes.stage_progress(f, lang=ctx.lang) if len(f) else None


def _fig_mediation(ctx):
    from berakhlak_research.plots import mediation

    return mediation.mediation_diagram(value_chain_frame(ctx), lang=ctx.lang)


def _fig_trends(ctx):
    from berakhlak_research.plots import trends

    return trends.value_trends(trend_frame(ctx), lang=ctx.lang)


_FIGURE_ALT = {
    "trends": "sec_trends",
    "service_priorities": "sec_service_priorities",
    "mediation": "sec_mediation",
    "programme_timeline": "sec_timeline",
    "stage_progress": "sec_stages",
    "value_profile": "sec_profile",
    "unit_caterpillar": "sec_units",
    "ikm_elements": "sec_ikm",
    "event_study": "sec_programmes",
    "priorities": "sec_culture_priorities",
    "national_distribution": "national_title",
}
_SHARED_FIGURES = {"event_study": "did_effects", "mediation": "value_chain_paths"}
"""Figures that do not depend on the government -> the results table they draw."""
_SHARED: dict = {}

FIGURES = {
    "value_profile": _fig_value_profile,
    "unit_caterpillar": _fig_units,
    "ikm_elements": _fig_ikm_elements,
    "event_study": _fig_event_study,
    "priorities": _fig_priorities,
    "national_distribution": _fig_national,
    "programme_timeline": _fig_timeline,
    "stage_progress": _fig_stages,
    "mediation": _fig_mediation,
    "service_priorities": _fig_service_priorities,
    "trends": _fig_trends,
}
"""Figure name -> function(ctx) returning a matplotlib Figure or None (no data)."""


def _svg(draw, frame_fn):
    def fig(ctx):
        return draw(frame_fn(ctx), lang=ctx.lang)

    return fig


def _svg_stages(ctx):
    f = stage_progress_frame(ctx)
    return charts.stage_progress(f, lang=ctx.lang) if len(f) else None


SVG_FIGURES = {
    "value_profile": _svg(charts.value_profile, value_profile_frame),
    "unit_caterpillar": _svg(charts.unit_caterpillar, units_frame),
    "ikm_elements": _svg(charts.ikm_elements, ikm_elements_frame),
    "priorities": _svg(charts.importance_intervals, priorities_frame),
    "service_priorities": _svg(charts.importance_intervals, service_priorities_frame),
    "programme_timeline": _svg(charts.timeline, programme_timeline_frame),
    "stage_progress": _svg_stages,
    "trends": _svg(charts.value_trends, trend_frame),
}
"""Figure name -> function(ctx) returning SVG bytes or None: the figures drawn for each
government, written directly as SVG (:mod:`reporting.charts`, about a hundred times
cheaper than through matplotlib). The PNG format and the figures shared by every
report (drawn once per worker) go through :data:`FIGURES`."""

# SVG: text as <text> (the browser draws it), fixed ids (the same figure gives the
# same bytes) and one short font list instead of matplotlib's long default.
_SVG_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "berakhlak",
    "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Arial", "Helvetica"],
}


def encode_figure(fig, fmt: str = "svg", dpi: int = 80) -> bytes:
    """The bytes of a matplotlib Figure as SVG or PNG (see :data:`FIGURE_FORMATS`).

    The figure is drawn once, with the margins the plot set (no
    ``bbox_inches="tight"``, which draws it twice).
    """
    import matplotlib

    from berakhlak_research.plots import literal_text

    check_figure_format(fmt)
    literal_text(fig)  # names from data are drawn as typed, never as mathtext
    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context(_SVG_RC):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def figure(ctx: ReportContext, name: str, dpi: int = 80, fmt: str | None = None) -> Html:
    """Draw a figure, keep its bytes for :func:`save_outputs`, and return it for display.

    Parameters
    ----------
    ctx : ReportContext
    name : str
        A key of :data:`FIGURES`.
    dpi : int
        Resolution of a PNG.
    fmt : {"svg", "png"}, optional
        Encoding; default ``ctx.figure_format``.

    Returns
    -------
    Html
        An ``<img>`` holding the encoded figure (drawn once: the same bytes are
        displayed and saved) with alternative text, or a "no data" note.
        Figures that are the same in every government's report
        (:data:`_SHARED_FIGURES`) are drawn once per process and results table;
        in SVG the government's own figures come from :data:`SVG_FIGURES`.
    """
    try:
        fn = FIGURES[name]
    except KeyError as err:
        raise ParameterError(
            f"No report figure named {name!r}; known: {', '.join(FIGURES)}."
        ) from err
    fmt = check_figure_format(fmt or ctx.figure_format)
    shared = _SHARED_FIGURES.get(name)
    key = None
    if shared is not None:
        # the same figure in every government's report: draw it once per process
        entry = store.catalog(ctx.results_dir).get(shared, {})
        key = (name, str(ctx.results_dir), entry.get("sha256"), ctx.lang, fmt, dpi)
    data = _SHARED.get(key) if key else None
    if data is None and fmt == "svg" and name in SVG_FIGURES:
        data = SVG_FIGURES[name](ctx)
        if data is None:
            return note(ctx, "no_data")
    elif data is None:
        fig = fn(ctx)
        if fig is None:
            return note(ctx, "no_data")
        data = encode_figure(fig, fmt, dpi)
        if key:
            _SHARED[key] = data
    ctx.figures.append((name, fmt, data))
    # an <img> with the figure inline: displayed as HTML, so no image formatter runs in
    # the kernel, the exported page carries alternative text, and an SVG stays isolated
    # from the page (its ids and styles cannot clash with another figure's)
    alt = _esc(t(_FIGURE_ALT.get(name, "sec_summary"), ctx.lang))
    b64 = base64.b64encode(data).decode("ascii")
    return Html(
        f"<img class='berakhlak-figure' alt='{alt}' src='data:{FIGURE_FORMATS[fmt]};base64,{b64}'/>"
    )


# Public handle on the per-process figure cache (the same object), for the views facade.
FIGURE_CACHE = _SHARED
