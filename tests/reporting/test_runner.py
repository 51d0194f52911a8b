"""Tests of the report batch: rendering, HTML safety checks, failure isolation, resume, Dask.

The fixture results folder comes from tests/_data/report.py (a seeded test
fixture shaped like the results-store contract). Only a few governments are
rendered so the whole module stays quick on 2 cores.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.reporting import export, runner
from tests._data.report import MIN_GROUP, XSS_NAME, make_results

GOVS = ["35.75", "35.14", "32.73"]


class _Report(HTMLParser):
    """Collects what the checks need: input areas, tables (header + rows), images, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.input_areas = 0
        self.images = 0
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if re.search(
            r"jp-InputArea|input_area|jp-CodeMirror|highlight-ipython|jp-InputPrompt", cls
        ):
            self.input_areas += 1
        if tag == "img":
            self.images += 1
        if tag == "table":
            self.tables.append({"name": a.get("data-table") or a.get("id"), "head": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            t = self.tables[-1]
            if self._in_head:
                t["head"] = self._row
            else:
                t["rows"].append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def parse(path: Path) -> _Report:
    p = _Report()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    info = make_results(root / "results", seed=3)
    jobs = runner.plan_jobs(info["results"], GOVS, root / "out", lang="en", min_group=MIN_GROUP)
    result = runner.run_batch(jobs, n_jobs=2, progress=False)
    return {**info, "jobs": jobs, "result": result, "out": root / "out"}


def test_batch_renders_every_report(batch):
    res = batch["result"]
    assert [o.status for o in res.outcomes] == ["ok"] * len(GOVS), res.summary()
    for job in batch["jobs"]:
        out = Path(job.out_dir)
        assert out.name.startswith(job.gov_code + "-")
        for f in ("report.html", "report.ipynb", "manifest.json", "tables/tables.xlsx",
                  "tables/units.csv", "figures/value_profile.svg", "figures/unit_caterpillar.svg"):  # fmt: skip
            assert (out / f).exists(), f
        man = json.loads((out / "manifest.json").read_text())
        assert man["status"] == "ok" and man["input_hash"] == job.input_hash
        assert man["parameters"]["gov_code"] == job.gov_code
        assert man["parameters"]["figure_format"] == "svg"
        assert set(man["inputs"]["tables_sha256"]) >= {"culture_index", "ikm"}
        assert man["package_versions"]["pandas"] and man["git_commit"]
        assert man["timings"]["execute_s"] > 0 and man["timings"]["export_s"] > 0


def test_html_has_no_code_no_small_groups_no_identifiers(batch):
    ids = re.compile(r"RSP-\d{7}")
    n_headers = {"n", "Respondents"}
    for job in batch["jobs"]:
        path = Path(job.out_dir) / "report.html"
        page = path.read_text(encoding="utf-8")
        rep = parse(path)
        # no code: no input areas and none of the notebook's source text
        assert rep.input_areas == 0
        for snippet in ("views.open_report", "import views", "display(", "get_ipython", "%reset"):
            assert snippet not in page
        # no respondent identifiers (the fixture's ids all look like RSP-0000123)
        assert not ids.search(page)
        assert not (set(batch["respondent_ids"][:50]) & set(re.findall(r"RSP-\d+", page)))
        # no group under the threshold: every count shown in a table is >= min_group
        shown = [t for t in rep.tables if t["name"]]
        assert len(shown) >= 10
        for t in shown:
            for i, h in enumerate(t["head"]):
                if h in n_headers:
                    for row in t["rows"]:
                        cell = row[i].replace(",", "")
                        if cell.isdigit():
                            assert int(cell) >= MIN_GROUP, (job.gov_code, t["name"], row)
                        else:
                            assert cell in ("—", f"< {MIN_GROUP}"), cell
        # the fixture's small unit (U05, n = 4) is named nowhere in units or IKM tables
        units = next(t for t in shown if t["name"] == "units")
        assert all(r[0] != "U05" for r in units["rows"]) and len(units["rows"]) == 4
        # figures and tables rendered
        assert rep.images >= 4


def _page_figures(page: str) -> list[tuple[str, bytes]]:
    import base64

    return [
        (mime, base64.b64decode(b64))
        for mime, b64 in re.findall(r"src='data:([a-z/+]+);base64,([A-Za-z0-9+/=]+)'", page)
    ]


def test_figures_encoded_once_same_bytes_in_page_and_files(batch):
    for job in batch["jobs"]:
        out = Path(job.out_dir)
        page = (out / "report.html").read_text(encoding="utf-8")
        embedded = _page_figures(page)
        files = sorted((out / "figures").iterdir())
        # profile, units, priorities, event study, IKM, and the stage and timeline figures
        # where the government has programme events
        names = {f.stem for f in files}
        assert {"value_profile", "unit_caterpillar", "priorities", "event_study",
                "ikm_elements"} <= names  # fmt: skip
        assert len(embedded) == len(files) >= 5
        assert all(mime == "image/svg+xml" for mime, _ in embedded)
        assert sorted(data for _, data in embedded) == sorted(f.read_bytes() for f in files)
        # every figure has alternative text in the report's language
        assert len(re.findall(r"<img class='berakhlak-figure' alt='[^']+'", page)) == len(files)
        # the notebook keeps each figure once (no text/plain copy of the HTML)
        nb = nbformat.read(out / "report.ipynb", as_version=4)
        plain = [o["data"].get("text/plain", "") for c in nb.cells for o in c.get("outputs", [])
                 if "data" in o]  # fmt: skip
        assert plain and all(len(p) < 60 for p in plain)
    # the event study is the same national figure in every report
    studies = {
        (Path(j.out_dir) / "figures" / "event_study.svg").read_bytes() for j in batch["jobs"]
    }
    assert len(studies) == 1
    profiles = {
        (Path(j.out_dir) / "figures" / "value_profile.svg").read_bytes() for j in batch["jobs"]
    }
    assert len(profiles) == len(batch["jobs"])


def test_png_figures_on_request(batch, tmp_path):
    jobs = runner.plan_jobs(batch["results"], ["35.75"], tmp_path, lang="id", figure_format="png")
    assert jobs[0].parameters["figure_format"] == "png"
    assert jobs[0].input_hash != runner.plan_jobs(batch["results"], ["35.75"], tmp_path,
                                                  lang="id")[0].input_hash  # fmt: skip
    res = runner.run_batch(jobs, n_jobs=1, progress=False, index=False)
    assert res.outcomes[0].status == "ok", res.summary()
    out = Path(jobs[0].out_dir)
    embedded = _page_figures((out / "report.html").read_text(encoding="utf-8"))
    assert embedded and all(mime == "image/png" for mime, _ in embedded)
    assert sorted(d for _, d in embedded) == sorted(
        f.read_bytes() for f in (out / "figures").glob("*.png")
    )
    with pytest.raises(ParameterError, match="Figure format"):
        runner.plan_jobs(batch["results"], ["35.75"], tmp_path, figure_format="pdf")


def test_html_escapes_text_from_data(batch):
    page = (Path(batch["jobs"][0].out_dir) / "report.html").read_text(encoding="utf-8")
    assert XSS_NAME not in page and "<script" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;/script&gt; Dinas &amp;" in page


def test_index_page(batch):
    idx = batch["result"].index
    assert idx == batch["out"] / "2024" / "index.html"
    rep = parse(idx)
    govs = next(t for t in rep.tables if t["name"] == "governments")
    assert len(govs["rows"]) == len(batch["govs"])  # every government with results
    links = re.findall(r"href='([^']+)'", idx.read_text())
    assert sorted(links) == sorted(f"{Path(j.out_dir).name}/report.html" for j in batch["jobs"])
    counts = next(t for t in rep.tables if t["name"] == "category-counts")
    assert sum(int(r[1]) for r in counts["rows"]) == len(batch["govs"])
    missing = [r for r in govs["rows"] if r[-1] == "no report"]
    assert len(missing) == len(batch["govs"]) - len(GOVS)


def test_resume_skips_unchanged_and_reruns_changed(batch):
    jobs = batch["jobs"]
    again = runner.run_batch(jobs, n_jobs=2, resume=True, progress=False, index=False)
    assert [o.status for o in again.outcomes] == ["skipped"] * len(jobs)
    # a changed results table changes the input hash: nothing is skipped then
    from berakhlak_research import store

    store.write_table(
        batch["results"], "extra_table", store.read_table(batch["results"], "did_pretrend")
    )
    fresh = runner.plan_jobs(batch["results"], GOVS, batch["out"], lang="en", min_group=MIN_GROUP)
    assert all(a.input_hash != b.input_hash for a, b in zip(jobs, fresh, strict=True))
    assert not any(runner._unchanged(j) for j in fresh)


def test_failures_are_isolated_retried_and_summarised(batch, tmp_path):
    nb = nbformat.read(runner.GOVERNMENT_TEMPLATE, as_version=4)
    # a test-only template that fails for one government
    nb.cells.insert(
        2,
        nbformat.v4.new_code_cell(
            'if gov_code == "35.14":\n    raise RuntimeError("boom for 35.14")'
        ),
    )
    bad = tmp_path / "bad.ipynb"
    nbformat.write(nb, bad)
    jobs = runner.plan_jobs(
        batch["results"], ["35.75", "35.14"], tmp_path / "out", lang="id", template=bad
    )
    res = runner.run_batch(jobs, n_jobs=1, progress=False, index=False)
    by = {o.gov_code: o for o in res.outcomes}
    assert by["35.75"].status == "ok"
    assert by["35.14"].status == "failed" and by["35.14"].attempts == 2
    assert "boom for 35.14" in by["35.14"].error
    assert "FAILED 35.14 after 2 attempts" in res.summary()
    man = export.read_manifest(jobs[1].out_dir)
    assert man["status"] == "failed" and "boom" in man["error"]
    assert not (Path(jobs[1].out_dir) / "report.html").exists()
    # the Indonesian report of the other government rendered
    assert "Ringkasan" in (Path(jobs[0].out_dir) / "report.html").read_text(encoding="utf-8")


def test_parameters_are_validated_before_anything_runs(batch, tmp_path):
    with pytest.raises(ParameterError, match="99.99"):
        runner.plan_jobs(batch["results"], ["35.75", "99.99"], tmp_path)
    with pytest.raises(ParameterError, match="language"):
        runner.plan_jobs(batch["results"], ["35.75"], tmp_path, lang="xx")
    with pytest.raises(ParameterError, match="not a results folder"):
        runner.plan_jobs(tmp_path, ["35.75"], tmp_path)
    assert not list(tmp_path.iterdir())


def test_dask_local_cluster_with_real_workers(batch, tmp_path):
    from distributed import LocalCluster

    jobs = runner.plan_jobs(batch["results"], ["35.73", "33.74"], tmp_path, lang="en")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cl:
        res = runner.run_batch(jobs, scheduler=cl.scheduler_address, progress=False)
        pids = {export.read_manifest(j.out_dir)["worker"]["pid"] for j in jobs}
        workers = {n.pid for n in cl.workers.values()}
    assert [o.status for o in res.outcomes] == ["ok", "ok"], res.summary()
    assert pids <= workers
    assert (tmp_path / "2024" / "index.html").exists()
    assert parse(Path(jobs[0].out_dir) / "report.html").input_areas == 0


def test_cli_report(batch, tmp_path, capsys):
    from berakhlak_research.cli import main

    code = main(["report", "--results", str(batch["results"]), "--gov", "Kota Malang",
                 "--out", str(tmp_path), "--jobs", "1", "--no-progress",
                 "--figure-format", "png"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert f"Index page: {tmp_path / '2024' / 'index.html'}" in out
    figures = list(tmp_path.glob("2024/*/figures/*"))
    assert figures and all(f.suffix == ".png" for f in figures), figures
    assert all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in figures)
    assert main(["report", "--results", str(batch["results"]), "--gov", "35.75", "--lang", "fr",
                 "--out", str(tmp_path)]) == 2  # fmt: skip
    assert "language 'fr'" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")
def test_browser_index_to_report(batch):
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-extensions", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        try:
            page = browser.new_page()
            page.goto(batch["result"].index.as_uri())
            assert page.locator("#governments tbody tr").count() == len(batch["govs"])
            page.locator("#governments a").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/report.html")
            # every figure decoded to a real image, every report table has rows
            imgs = page.locator("img")
            assert imgs.count() >= 4
            widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert all(w > 100 for w in widths), widths
            tables = page.locator("table.berakhlak-table")
            assert tables.count() >= 10
            assert page.locator("table[data-table='units'] tbody tr").count() >= 1
            assert page.locator(".jp-InputArea").count() == 0
            assert "alert" not in (page.evaluate("() => window.__alerted || ''") or "")
        finally:
            browser.close()
