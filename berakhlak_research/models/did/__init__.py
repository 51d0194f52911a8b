"""Did the culture programmes work? Difference-in-differences for staggered roll-outs.

The public face of the intervention models:

* :func:`staggered_att` - group-time average treatment effects (Callaway and
  Sant'Anna 2021) aggregated overall, by cohort and by event time, with
  multiplier-bootstrap simultaneous bands and a pre-trend test;
* :func:`twfe` and :func:`event_study` - two-way fixed effects, kept for
  comparison (biased under staggered adoption with heterogeneous effects);
* :func:`dose_response` - effect by training hours or stage reached;
* :func:`model_tables` - every outcome of the unit and government panels into
  the results-store tables ``did_effects``, ``did_pretrend``, ``did_dose``
  and ``did_excluded`` (see ``docs/results_store.md``).

Modules: :mod:`.staggered` (group-time ATT), :mod:`.two_way` (TWFE and event
study), :mod:`.dose` (dose response), :mod:`.tables` (results-store tables).
The simulator of staggered panels is :mod:`berakhlak_research.simulate.did`.
"""

from berakhlak_research.models.did.dose import DOSE_COLUMNS, dose_response
from berakhlak_research.models.did.staggered import (
    EXCLUDED_COLUMNS,
    TABLE_COLUMNS,
    StaggeredResult,
    staggered_att,
)
from berakhlak_research.models.did.tables import (
    DEFAULT_OUTCOMES,
    EFFECTS_COLUMNS,
    PRETREND_COLUMNS,
    model_tables,
)
from berakhlak_research.models.did.two_way import event_study, twfe

__all__ = [
    "staggered_att",
    "StaggeredResult",
    "twfe",
    "event_study",
    "dose_response",
    "model_tables",
    "DEFAULT_OUTCOMES",
    "EFFECTS_COLUMNS",
    "PRETREND_COLUMNS",
    "TABLE_COLUMNS",
    "EXCLUDED_COLUMNS",
    "DOSE_COLUMNS",
]
