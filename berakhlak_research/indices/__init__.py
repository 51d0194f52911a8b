"""BerAKHLAK and IKM indices: scoring, categories, ranks, benchmarks, change tests, suppression.

The public surface is re-exported here, so ``from berakhlak_research import
indices; indices.ikm(...)`` works; the implementation lives in small modules:
:mod:`.ikm` (PermenPANRB 14/2017 and Krejcie-Morgan), :mod:`.culture`
(culture indices with design-based intervals), :mod:`.benchmarks` (ranks,
peer quartiles, change since the previous wave), :mod:`.items` (answer shares per
behaviour, the index by demographic group) and :mod:`.suppression`.
"""

from berakhlak_research.indices._common import (
    MIN_GROUP,
    MIN_GROUP_FLOOR,
    check_min_group,
    n_threads,
)
from berakhlak_research.indices.benchmarks import change_test, culture_benchmarks
from berakhlak_research.indices.culture import (
    LEVELS,
    SCORINGS,
    culture_index,
    culture_tables,
    item_scores,
)
from berakhlak_research.indices.ikm import (
    KM_INFINITE,
    ikm,
    ikm_elements_table,
    krejcie_morgan,
    sample_adequacy,
)
from berakhlak_research.indices.items import (
    DEMOGRAPHICS,
    demographic_index,
    item_shares,
    item_tables,
)
from berakhlak_research.indices.suppression import suppression_table

__all__ = [
    "n_threads",
    "item_shares",
    "item_tables",
    "demographic_index",
    "DEMOGRAPHICS",
    "MIN_GROUP",
    "MIN_GROUP_FLOOR",
    "check_min_group",
    "LEVELS",
    "SCORINGS",
    "culture_index",
    "culture_tables",
    "item_scores",
    "KM_INFINITE",
    "ikm",
    "ikm_elements_table",
    "krejcie_morgan",
    "sample_adequacy",
    "change_test",
    "culture_benchmarks",
    "suppression_table",
]
