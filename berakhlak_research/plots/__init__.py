"""Figures the notebooks draw, one module per topic.

- :mod:`berakhlak_research.plots.culture`: value profile against peers, unit
  caterpillar of culture indices, IKM per element, answer distributions.
- :mod:`berakhlak_research.plots.did`: event-study plot, cohort effects, dose.
- :mod:`berakhlak_research.plots.value_chain`: unit effects from the multilevel
  model, importance-performance matrix, culture vs IKM scatter.
- :mod:`berakhlak_research.plots.programmes`: a government's programme
  timeline and the seven stages.
- :mod:`berakhlak_research.plots.mediation`: the path diagram programme ->
  work culture -> IKM with each path's estimate.
- :mod:`berakhlak_research.plots.priorities`: driver importance with its
  bootstrap interval against the equal share.
- :mod:`berakhlak_research.plots.trends`: the index and each value over the
  waves, with 95 % intervals.

Every function takes tidy results tables and returns a matplotlib Figure;
:func:`literal_text` makes a figure draw text from data as typed (no mathtext);
:func:`text_width` measures a label without drawing it (also used by ``reporting.charts``);
:data:`STAGE_COLOURS` (:mod:`.palette`) colours the programme stages in both.
"""

from berakhlak_research.plots._layout import literal_text, text_width
from berakhlak_research.plots.palette import STAGE_COLOURS

__all__ = [
    "culture",
    "did",
    "value_chain",
    "programmes",
    "mediation",
    "priorities",
    "trends",
    "literal_text",
    "text_width",
    "STAGE_COLOURS",
]
