"""Notebooks run wherever Jupyter starts them: paths resolve against the project root.

Each notebook is executed by real papermill and a real kernel with ``notebooks/``
as the working directory (what JupyterLab does), with ``results_dir`` given
relative to the project root, as its default ``demo/results`` is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import papermill
import pytest

from berakhlak_research import paths
from berakhlak_research.commands.demo import demo_plan
from berakhlak_research.paths import NOTEBOOKS_DIR, PROJECT_DIR, project_path
from tests._data.report import make_results

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _parameters(path: Path) -> dict:
    cell = nbformat.read(path, as_version=4).cells[0]
    scope: dict = {}
    exec(cell.source, {}, scope)  # literals only (test_report_notebooks checks)
    return scope


def test_project_path_is_cwd_independent(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_path("demo/results") == PROJECT_DIR / "demo" / "results"
    assert project_path(tmp_path / "x") == tmp_path / "x"
    assert project_path("~/r") == Path.home() / "r"


def test_notebooks_default_to_the_demo_outputs():
    # the folder `berakhlak demo` (make demo) writes its results to, with its default --out
    results_stage = {c: a for c, a, _ in demo_plan(Path("demo"), 1, None)}["measure"]
    demo_results = project_path(results_stage[results_stage.index("--out") + 1])
    assert demo_results == paths.DEMO_RESULTS
    for nb in NOTEBOOKS:
        assert project_path(_parameters(nb)["results_dir"]) == demo_results, nb.name


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("nbpaths") / "results", seed=11)["results"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_from_the_notebook_folder(path, results, demo_data, tmp_path):
    # relative to the project root, so it only resolves if the notebook does that
    rel = os.path.relpath(results, PROJECT_DIR)
    assert not (NOTEBOOKS_DIR / rel).exists()
    params = {"results_dir": rel}
    if "data_dir" in _parameters(path):  # exploration computes from the microdata too
        params["data_dir"] = os.path.relpath(demo_data, PROJECT_DIR)
    if "output_dir" in _parameters(path):
        params["output_dir"] = str(tmp_path / "out")
    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(path), str(out), parameters=params, cwd=str(NOTEBOOKS_DIR),
        kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False,
    )  # fmt: skip
    nb = json.loads(out.read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    assert any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
