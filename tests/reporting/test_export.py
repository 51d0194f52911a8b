"""Tests of reporting.export.notebook_html: outputs only, escaped, self-contained."""

from __future__ import annotations

import base64

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from berakhlak_research.reporting import export, views


def _nb():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><text>x</text></svg>"
    cells = [
        new_code_cell("secret_code = 1  # never in the page", outputs=[]),
        new_markdown_cell("## A *markdown* heading"),
        new_code_cell(
            "display(...)",
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "text/html": "<p class='x'>kept &amp; as is</p>",
                        "text/plain": "<p>...</p>",
                    },
                ),  # fmt: skip
                new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
                new_output("display_data", data={"image/svg+xml": svg}),
                new_output("stream", name="stdout", text="<b>printed</b>\n"),
                new_output("stream", name="stderr", text="/home/x/views.py:1: UserWarning\n"),
                new_output("execute_result", data={"text/plain": "a < b"}, execution_count=3),
            ],
        ),
        new_raw_cell("RAW CELL TEXT"),
        new_code_cell(
            "1/0",
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=["\x1b[0;31mZeroDivisionError\x1b[0m: division by zero"],
                )
            ],
        ),  # fmt: skip
    ]
    return new_notebook(cells=cells)


def test_notebook_html_outputs_only_escaped_and_self_contained():
    page = export.notebook_html(_nb(), "Kota <Pasuruan>", lang="id")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="id">' in page
    assert "<title>Kota &lt;Pasuruan&gt;</title>" in page
    # no code, no raw cells, no scripts, no prompts
    for absent in ("secret_code", "display(", "RAW CELL TEXT", "<script", "jp-InputArea", "In ["):
        assert absent not in page, absent
    # HTML outputs as they are (the views escape data), text escaped
    assert "<p class='x'>kept &amp; as is</p>" in page
    assert "&lt;b&gt;printed&lt;/b&gt;" in page and "a &lt; b" in page
    assert "ZeroDivisionError: division by zero" in page and "\x1b" not in page
    # warnings (stderr, with file paths) stay in the notebook, not in the reader's page
    assert "UserWarning" not in page and "/home/x" not in page
    # images inline, SVG too (as an <img>, so its ids and styles stay its own)
    assert "src='data:image/png;base64," in page
    assert "src='data:image/svg+xml;base64," in page and "<svg" not in page
    assert "<h2" in page and "<em>markdown</em>" in page
    # the report's table styles are in the page; nbconvert's JupyterLab stylesheet is not
    assert ".berakhlak-table" in page and "--jp-" not in page
    assert len(page) < 10_000


def test_researcher_notes_stay_out_of_the_page():
    notes = new_markdown_cell(
        "**Parameters**: results_dir ...", metadata={"tags": [export.NOTES_TAG]}
    )
    nb = new_notebook(cells=[notes, new_markdown_cell("## Shown")])
    page = export.notebook_html(nb, "t")
    assert "Parameters" not in page and "results_dir" not in page and "Shown" in page


def test_views_html_becomes_the_page(tmp_path):
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                outputs=[
                    new_output(
                        "display_data",
                        data={"text/html": str(views.Html("<h2>S</h2>")), "text/plain": "<HTML>"},
                    )
                ],  # fmt: skip
            )
        ]
    )
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    page = export.notebook_html(nbformat.read(path, as_version=4), "t")
    assert "<h2>S</h2>" in page and "&lt;HTML&gt;" not in page
