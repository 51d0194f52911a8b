"""What the report notebooks call: a government's slice of the results store, made display-ready.

A notebook opens a :class:`ReportContext` with :func:`open_report` (which
validates its parameters), then shows sections with :func:`section`,
tables with :func:`show` and figures with :func:`figure` (shown together
with :func:`display`, one output per cell), and ends with
:func:`save_outputs` (tables as CSV and XLSX, figures as SVG or PNG). All logic
lives here, so the notebooks hold calls only.

Rules every view keeps:

* No group with fewer than ``min_group`` respondents is shown: unit rows that
  are flagged ``suppressed`` upstream or have ``n < min_group`` are dropped
  (and counted in a note); they still count in their government's figures,
  which come from upstream.
* No respondent-level table is ever read, so no respondent identifier can
  reach a report.
* Text that comes from data (unit names, service names) is HTML-escaped.
* Numbers are rounded only when displayed; exported tables keep full precision.

The data frames behind the tables are returned by the ``*_frame`` functions
(tidy, with language-neutral column names) and are what the tests check.

The code lives in :mod:`berakhlak_research.reporting.sections`, one module per
report section (``context``, ``summary``, ``culture``, ``programmes``,
``satisfaction``, ``quality``, ``figures``, plus the ``tables`` registry); this
module is the stable face the notebooks and tests call (``views.<name>``).
"""

from __future__ import annotations

from berakhlak_research.reporting.sections import (
    SCORING,
    Html,
    display,
    generated,
    note,
    section,
    subsection,
    synthetic_banner,
    synthetic_banner_html,
    title,
)
from berakhlak_research.reporting.sections import context as _context
from berakhlak_research.reporting.sections import figures as _figures
from berakhlak_research.reporting.sections.context import (
    FIGURE_FORMATS,
    ReportContext,
    check_figure_format,
    governments_with_results,
    is_synthetic,
    latest_wave,
    open_report,
    validate_parameters,
)
from berakhlak_research.reporting.sections.culture import (
    demographics_frame,
    item_results_frame,
    published_frame,
    response_rates_frame,
    units_frame,
    value_profile_frame,
    weakest_behaviours_frame,
)
from berakhlak_research.reporting.sections.figures import (
    FIGURES,
    SVG_FIGURES,
    encode_figure,
    figure,
)
from berakhlak_research.reporting.sections.narrative import next_steps_frame, summary_text_frame
from berakhlak_research.reporting.sections.programmes import (
    did_frame,
    pretrend_frame,
    programme_effects_frame,
    programme_timeline_frame,
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
    PRIMARY_LINK_MODEL,
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
from berakhlak_research.reporting.sections.tables import (
    FRAMES,
    TEXTS,
    save_outputs,
    show,
    text,
)
from berakhlak_research.reporting.sections.trends import (
    behaviour_changes_frame,
    change_test,
    changes_frame,
    trend_frame,
    unit_changes_frame,
)

# the worker caches (the same objects), reachable here so tests can inspect and clear them
_TABLES = _context.TABLE_CACHE
_SHARED = _figures.FIGURE_CACHE
_cached_table = _context.cached_table
_gov_slice = _context.gov_slice

__all__ = [
    "SCORING",
    "ReportContext",
    "Html",
    "display",
    "validate_parameters",
    "latest_wave",
    "is_synthetic",
    "synthetic_banner",
    "synthetic_banner_html",
    "governments_with_results",
    "open_report",
    "title",
    "section",
    "subsection",
    "note",
    "generated",
    "descriptives_frame",
    "show",
    "text",
    "TEXTS",
    "summary_text_frame",
    "next_steps_frame",
    "figure",
    "encode_figure",
    "check_figure_format",
    "FIGURE_FORMATS",
    "save_outputs",
    "FRAMES",
    "FIGURES",
    "SVG_FIGURES",
    "summary_frame",
    "value_profile_frame",
    "item_results_frame",
    "response_rates_frame",
    "demographics_frame",
    "trend_frame",
    "change_test",
    "changes_frame",
    "behaviour_changes_frame",
    "unit_changes_frame",
    "published_frame",
    "units_frame",
    "weakest_behaviours_frame",
    "priorities_frame",
    "service_priorities_frame",
    "programmes_frame",
    "programme_timeline_frame",
    "stage_progress_frame",
    "programme_effects_frame",
    "ikm_units_frame",
    "ikm_elements_frame",
    "link_frame",
    "PRIMARY_LINK_MODEL",
    "link_models_frame",
    "value_chain_frame",
    "reliability_frame",
    "sample_adequacy_frame",
    "provenance_frame",
    "national_frame",
    "category_counts_frame",
    "did_frame",
    "pretrend_frame",
    "cfa_fit_frame",
    "suppression_frame",
]
