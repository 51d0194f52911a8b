"""One module per report section; :mod:`berakhlak_research.reporting.views` is the public facade.

Modules: :mod:`.context` (the report context: parameters, cached results-store
tables, the government's slice), :mod:`.summary` (headline index, national
overview, descriptives), :mod:`.culture` (values, units, behaviours),
:mod:`.programmes` (programme events and their effects), :mod:`.trends` (every wave and the change since the last), :mod:`.satisfaction`
(IKM, the culture-IKM link, priorities), :mod:`.quality` (reliability, CFA,
sample adequacy, suppression, provenance), :mod:`.figures` (the report's
figures), :mod:`.narrative` (the summary in words and the next steps), :mod:`.tables`
(the registry of shown tables and texts, and the outputs writer).
The private ``_html`` and ``_common`` hold the HTML pieces and the helpers the
sections share; the names the facade needs are re-exported here.
:mod:`.trends` holds every wave in the store and the change since the previous wave.
"""

from __future__ import annotations

from berakhlak_research.reporting.sections._common import SCORING
from berakhlak_research.reporting.sections._html import (
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

__all__ = [
    "SCORING",
    "Html",
    "display",
    "generated",
    "note",
    "section",
    "subsection",
    "synthetic_banner",
    "synthetic_banner_html",
    "title",
]
