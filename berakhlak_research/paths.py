"""Where things live: the one paths module (no work at import time beyond path arithmetic)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "PROJECT_DIR", "REFERENCE_DIR", "NOTEBOOKS_DIR", "GOVERNMENTS_CSV"]

PACKAGE_DIR = Path(__file__).resolve().parent
# The toolkit is installed in editable mode from its repository (make env), so
# the shipped reference data and notebooks sit beside the package.
PROJECT_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = PROJECT_DIR / "data" / "reference"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
GOVERNMENTS_CSV = REFERENCE_DIR / "governments.csv"
