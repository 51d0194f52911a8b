"""berakhlak-research: BerAKHLAK work culture, culture programmes and public satisfaction (IKM).

Modules are imported on use (``from berakhlak_research import framework``);
nothing heavy happens at import time.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("berakhlak-research")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
