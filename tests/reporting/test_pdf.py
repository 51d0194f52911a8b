"""PDF reports (reporting.export.write_pdf, ``berakhlak report --pdf``) printed by headless Chromium.

The PDF's text is read back with a small reader of Chromium's output
(tests/_data/pdf.py): every page carries the report's title and "page / pages",
pages are A4, and the PDF holds the same sections as the HTML page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from berakhlak_research.exceptions import ReportError
from berakhlak_research.reporting import export, runner
from tests._data.pdf import pdf_pages
from tests._data.report import MIN_GROUP, make_results

pytestmark = pytest.mark.skipif(export.find_chromium() is None, reason="needs Chromium")

A4 = (595.28, 841.89)  # points


def _long_page(tmp_path: Path) -> Path:
    rows = "".join(f"<tr><td>Baris {i}</td><td>{i * 1.5:.1f}</td></tr>" for i in range(120))
    html = f"<h2>Bagian satu</h2><table class='berakhlak-table'>{rows}</table><h2>Bagian dua</h2>"
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"text/html": html})])]
    )
    page = export.notebook_html(
        nb, 'Kota "Uji" <b> - BerAKHLAK 2024', "id", links=[("PDF", "report.pdf")]
    )
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_a4_pages_with_title_and_page_numbers(tmp_path):
    pdf = export.write_pdf(_long_page(tmp_path))
    assert pdf == tmp_path / "report.pdf" and pdf.read_bytes().startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert boxes and all(abs(float(w) - A4[0]) < 1 and abs(float(h) - A4[1]) < 1 for w, h in boxes)
    pages = pdf_pages(pdf)
    n = len(pages)
    assert n >= 2
    for i, text in enumerate(pages, start=1):
        assert 'Kota "Uji" <b> - BerAKHLAK 2024' in text  # the header, as text
        assert re.search(rf"\b{i}\s*/\s*{n}\b", text), text[:200]
    body = "".join(pages)
    assert "Bagian satu" in body and "Bagian dua" in body and "Baris 119" in body
    assert "report.pdf" not in body  # the links above the report are not printed
    assert "file://" not in body  # no browser footer with the file's path


def test_missing_browser_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="Chromium"):
        export.write_pdf(_long_page(tmp_path), browser=str(tmp_path / "no-such-browser"))


def test_batch_writes_a_pdf_per_report_with_the_same_content(tmp_path):
    info = make_results(tmp_path / "results", seed=5)
    jobs = runner.plan_jobs(info["results"], ["35.75"], tmp_path / "out", lang="en",
                            min_group=MIN_GROUP, pdf=True)  # fmt: skip
    res = runner.run_batch(jobs, n_jobs=1, progress=False)
    assert [o.status for o in res.outcomes] == ["ok"], res.summary()
    out = Path(jobs[0].out_dir)
    pdf = out / "report.pdf"
    assert pdf.exists()
    man = json.loads((out / "manifest.json").read_text())
    assert man["timings"]["pdf_s"] > 0 and man["parameters"]["gov_code"] == "35.75"
    text = "".join(pdf_pages(pdf))
    html = (out / "report.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert len(headings) >= 5
    for h in headings:
        assert h.replace("&amp;", "&") in text
    assert "Kota Pasuruan" in text
    # the index links the PDF
    assert "35.75-kota-pasuruan/report.pdf" in res.index.read_text(encoding="utf-8")
    # resume needs the PDF too
    pdf.unlink()
    again = runner.run_batch(jobs, n_jobs=1, progress=False, resume=True)
    assert [o.status for o in again.outcomes] == ["ok"] and pdf.exists()
