"""One module per report section; :mod:`berakhlak_research.reporting.views` is the public facade.

The private helpers (``_common``, ``_html``) are private to this package; the
names the facade needs are re-exported here, so nothing outside imports them
(``tests/test_architecture.py``).
"""

from berakhlak_research.reporting.sections._common import SCORING
from berakhlak_research.reporting.sections._html import (
    Html,
    generated,
    note,
    section,
    synthetic_banner,
    synthetic_banner_html,
    title,
)

__all__ = [
    "SCORING",
    "Html",
    "generated",
    "note",
    "section",
    "synthetic_banner",
    "synthetic_banner_html",
    "title",
]
