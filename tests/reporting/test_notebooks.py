"""The report notebooks: thin (parameters + calls), outputs stripped, and they run."""

from __future__ import annotations

import ast

import nbformat
import pytest

from berakhlak_research.paths import NOTEBOOKS_DIR
from berakhlak_research.reporting import export, runner
from tests._data.report import make_results

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_all_six_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"government_report", "national_overview", "intervention_evaluation",
            "measurement_quality", "replication", "exploration"} <= names  # fmt: skip


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_stripped(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "code" and "parameters" in first.metadata.get("tags", [])
    for node in ast.parse(first.source).body:  # literals only
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node,
                (
                    ast.FunctionDef,
                    ast.ClassDef,
                    ast.Lambda,
                    ast.If,
                    ast.For,
                    ast.While,
                    ast.With,
                    ast.Try,
                    ast.ListComp,
                    ast.DictComp,
                ),  # fmt: skip
            ), (path.name, cell.source)


def test_national_notebooks_run(tmp_path, demo_data):
    info = make_results(tmp_path / "results", seed=7)
    worker = runner.kernel_worker()
    for stem in ("national_overview", "intervention_evaluation", "measurement_quality"):
        out = tmp_path / stem
        nb = worker.execute(str(NOTEBOOKS_DIR / f"{stem}.ipynb"),
                            {"results_dir": str(info["results"]), "output_dir": str(out),
                             "lang": "id", "wave": 0, "min_group": 10})  # fmt: skip
        page = export.notebook_html(nb, stem)
        assert "views." not in page and "<table" in page, stem
        assert (out / "tables" / "tables.xlsx").exists() and list((out / "tables").glob("*.csv"))
    nb = worker.execute(str(NOTEBOOKS_DIR / "exploration.ipynb"),
                        {"results_dir": str(info["results"]), "gov_code": "35.75",
                         "data_dir": str(demo_data)})  # fmt: skip
    assert any(
        o.get("output_type") == "execute_result" for c in nb.cells for o in c.get("outputs", [])
    )
