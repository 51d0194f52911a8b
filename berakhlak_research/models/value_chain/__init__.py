"""The public-sector service value chain: training -> culture -> citizen satisfaction.

The value-chain family:

* :func:`within_unit`, :func:`cross_level` — does culture move IKM? (per value
  and overall; :mod:`berakhlak_research.models.value_chain.culture_link`);
* :func:`mediation` — does training reach satisfaction *through* culture?
  (:mod:`berakhlak_research.models.value_chain.indirect`), and
  :func:`mediation_randomization`, its randomisation test over the
  governments' programme timing for few governments;
* :func:`key_drivers`, :func:`importance_performance` — which IKM elements
  matter most for satisfaction and which values for IKM, and what a city
  should act on first (:mod:`berakhlak_research.models.value_chain.drivers`);
* :func:`element_drivers`, :func:`value_drivers`, :func:`model_tables` —
  everything above plus the multilevel models, as the results-store tables
  written by ``berakhlak model`` (:mod:`.tables`).
"""

from berakhlak_research.models.value_chain.culture_link import (
    CULTURE_COLUMNS,
    CrossLevelResult,
    cross_level,
    satisfaction_scores,
    within_unit,
)
from berakhlak_research.models.value_chain.drivers import (
    QUADRANTS,
    importance_performance,
    key_drivers,
    key_drivers_bootstrap,
    shapley_from_corr,
    subset_r2,
)
from berakhlak_research.models.value_chain.indirect import (
    PATHS,
    PROGRAMME_PATHS,
    mediation,
    mediation_randomization,
)
from berakhlak_research.models.value_chain.tables import (
    ELEMENT_LABELS,
    TABLES,
    VALUE_LABELS,
    element_drivers,
    model_tables,
    value_drivers,
)

__all__ = [
    "within_unit",
    "cross_level",
    "CrossLevelResult",
    "satisfaction_scores",
    "mediation",
    "mediation_randomization",
    "key_drivers",
    "key_drivers_bootstrap",
    "importance_performance",
    "subset_r2",
    "shapley_from_corr",
    "element_drivers",
    "value_drivers",
    "model_tables",
    "CULTURE_COLUMNS",
    "PATHS",
    "PROGRAMME_PATHS",
    "QUADRANTS",
    "TABLES",
    "ELEMENT_LABELS",
    "VALUE_LABELS",
]
