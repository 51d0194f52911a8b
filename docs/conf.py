"""Sphinx configuration of the berakhlak-research documentation site (``make docs``).

Built with warnings as errors (``-W --keep-going -n``). Everything builds
offline: no intersphinx, and the tutorials are executed by papermill before
the build (``scripts/build_docs.py``), so myst-nb only renders them.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

_meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
project = "berakhlak-research"
author = "berakhlak-research contributors"
copyright = "2026, berakhlak-research contributors"  # noqa: A001 (Sphinx's name)
release = version = _meta["version"]

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "apipages",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
# The tutorials list is included by tutorials.md, not a page of its own.
exclude_patterns = [
    "_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "_generated/tutorials_toc.md",
]  # fmt: skip

# Tutorials are rendered as papermill executed them (scripts/build_docs.py);
# executing again here would need the demo data at build time twice.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# The API reference: one page per public module, written by _ext/apipages.py.
autosummary_generate = False
autodoc_default_options = {"members": True, "member-order": "bysource"}
# Types are in the numpydoc Parameters sections; signatures stay short and
# make no references to pandas or numpy classes that an offline build cannot resolve.
autodoc_typehints = "none"
autoclass_content = "class"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Section headers, parameter lists and return sections are checked by
# numpydoc's own parser when rendering; the full style validation (summary
# punctuation, every parameter described) is not switched on (see
# docs/changelog.md and the test of the docs build).
numpydoc_validation_checks: set[str] = set()

nitpicky = True
# Names from outside the project cannot be resolved offline (no intersphinx).
nitpick_ignore_regex = [
    (r"py:.*", r"(pandas|pd|numpy|np|scipy|statsmodels|matplotlib|pyarrow|dask|distributed|argparse|pathlib|os|collections|typing|datetime|concurrent|multiprocessing|nbformat|inspect|functools|dataclasses|json|re|tomllib)\..*"),
    (r"py:class", r"(optional|default.*|array-like|array_like|callable|sequence|iterable|mapping|path|path-like|scalar)"),
]  # fmt: skip

html_theme = "furo"
html_title = f"berakhlak-research {release}"
html_static_path: list[str] = []
html_show_sourcelink = False

os.environ.setdefault("BERAKHLAK_THREADS", "1")
