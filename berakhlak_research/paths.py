"""Where things live: the one paths module (no work at import time beyond path arithmetic)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "PROJECT_DIR",
    "REFERENCE_DIR",
    "NOTEBOOKS_DIR",
    "GOVERNMENTS_CSV",
    "DEMO_DIR",
    "DEMO_RESULTS",
    "project_path",
]

PACKAGE_DIR = Path(__file__).resolve().parent
# The toolkit is installed in editable mode from its repository (make env), so
# the shipped reference data and notebooks sit beside the package.
PROJECT_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = PROJECT_DIR / "data" / "reference"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
GOVERNMENTS_CSV = REFERENCE_DIR / "governments.csv"
# ``berakhlak demo`` (``make demo``) writes here by default (commands/demo.py:
# --out demo, results in demo/results); the notebooks default to it.
DEMO_DIR = PROJECT_DIR / "demo"
DEMO_RESULTS = DEMO_DIR / "results"


def project_path(path: str | os.PathLike) -> Path:
    """Resolve a path given to a notebook or report: relative paths are taken from the project root.

    A Jupyter kernel's working directory is the notebook's folder (JupyterLab,
    ``jupyter nbconvert``), while papermill and the CLI run from wherever they
    were started; resolving against :data:`PROJECT_DIR` makes
    ``results_dir="demo/results"`` mean the same folder in every case.
    Absolute paths (the report runner always passes them) and ``~`` paths are
    kept as given.

    Parameters
    ----------
    path : str or os.PathLike
        Absolute, ``~``-prefixed, or relative to the project root.

    Returns
    -------
    pathlib.Path
        An absolute path (not required to exist).

    Examples
    --------
    >>> from berakhlak_research.paths import DEMO_RESULTS, project_path
    >>> project_path("demo/results") == DEMO_RESULTS
    True
    >>> project_path("/tmp/results").as_posix()
    '/tmp/results'
    """
    p = Path(path).expanduser()
    return p if p.is_absolute() else PROJECT_DIR / p
