"""berakhlak-research: BerAKHLAK work culture, culture programmes and public satisfaction (IKM).

Modules are imported on use (``from berakhlak_research import framework``);
nothing heavy happens at import time.

Domain and data contract
    :mod:`.framework` (values, behaviours, IKM elements, bands, stages),
    :mod:`.tables` (canonical tables and columns), :mod:`.regions`
    (governments and region codes), :mod:`.periods` (SKM periods),
    :mod:`.schemas` (validation), :mod:`.keys` (the government-unit key),
    :mod:`.vocabulary` (one argument vocabulary for every public statistic),
    :mod:`.exceptions`, :mod:`.paths`.
Data and statistics
    :mod:`.io` (read, validate and ingest raw exports), :mod:`.simulate`
    (synthetic data with known truth), :mod:`.survey` and
    :mod:`.survey_levels` (weights and design-based uncertainty),
    :mod:`.indices` (culture and IKM indices, benchmarks, suppression),
    :mod:`.psychometrics` (alpha, omega, CFA), :mod:`.models` (DiD, value
    chain, multilevel, power).
Pipeline and reports
    :mod:`.pipeline` (the measure and model stages), :mod:`.store` (the
    results store), :mod:`.i18n` (report text), :mod:`.plots`,
    :mod:`.reporting`, :mod:`.commands` and :mod:`.cli` (the ``berakhlak``
    command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("berakhlak-research")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

# Submodule names resolve on use (``from berakhlak_research import *`` imports them).
__all__ = [
    "__version__",
    "framework",
    "tables",
    "regions",
    "periods",
    "schemas",
    "keys",
    "vocabulary",
    "exceptions",
    "paths",
    "io",
    "simulate",
    "survey",
    "survey_levels",
    "indices",
    "psychometrics",
    "models",
    "pipeline",
    "store",
    "i18n",
    "plots",
    "reporting",
    "commands",
    "cli",
]
