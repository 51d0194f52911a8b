"""The index pages of a bilingual batch with PDFs, and the browser walk of the issue's acceptance.

A batch renders two governments in Indonesian and English with PDFs (the
seeded results fixture of tests/_data/report.py). The browser test opens the
index, a report, the report in the other language and its PDF, for both
governments, with a screenshot at each step kept under the test's tmp_path
(the paths are printed; ``pytest -s`` shows them).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from berakhlak_research.reporting import export, runner
from tests._data.report import GOVS, MIN_GROUP, make_results
from tests.reporting.test_runner import parse

TWO = ("35.75", "35.14")
CHROMIUM = export.find_chromium()


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    root = tmp_path_factory.mktemp("bilingual")
    info = make_results(root / "results", seed=11)
    pdf = CHROMIUM is not None
    jobs = runner.plan_jobs(info["results"], list(TWO), root / "out", lang="id,en",
                            min_group=MIN_GROUP, pdf=pdf)  # fmt: skip
    res = runner.run_batch(jobs, n_jobs=2, progress=False)
    assert [o.status for o in res.outcomes] == ["ok"] * 4, res.summary()
    return {**info, "jobs": jobs, "result": res, "wave_dir": root / "out" / "2024", "pdf": pdf}


def _hrefs(page: Path) -> list[str]:
    return re.findall(r"href='([^']+)'", page.read_text(encoding="utf-8"))


def test_jobs_per_language_and_folders(bilingual):
    jobs = bilingual["jobs"]
    assert [(j.gov_code, j.lang) for j in jobs] == [(g, lg) for g in TWO for lg in ("id", "en")]
    for j in jobs:
        folder = bilingual["wave_dir"] / Path(j.out_dir).relative_to(bilingual["wave_dir"]).parts[0]
        assert Path(j.out_dir) == (folder if j.lang == "id" else folder / "en")
        assert (Path(j.out_dir) / "report.html").exists()
        assert (Path(j.out_dir) / "tables" / "tables.xlsx").exists()
    with pytest.raises(Exception, match="'fr'"):
        runner.languages("id,fr")
    assert runner.languages("en, id,en") == ("en", "id")


def test_index_pages_in_both_languages(bilingual):
    wd = bilingual["wave_dir"]
    assert bilingual["result"].index == wd / "index.html"
    assert (wd / "index.html").read_text() == (wd / "index_id.html").read_text()
    for lang, other in (("id", "en"), ("en", "id")):
        page = wd / f"index_{lang}.html"
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in text
        assert f"index_{other}.html" in _hrefs(page)
        rep = parse(page)
        govs = next(t for t in rep.tables if t["name"] == "governments")
        assert len(govs["rows"]) == len(GOVS)
        head = govs["head"]
        est, ci = (
            head.index("Indeks BerAKHLAK" if lang == "id" else "BerAKHLAK index"),
            head.index("Selang kepercayaan 95%" if lang == "id" else "95% confidence interval"),
        )
        dec = "," if lang == "id" else "."
        for r in govs["rows"]:
            if r[est] != "—":
                assert re.fullmatch(rf"\d+\{dec}\d", r[est]), r[est]
                assert re.fullmatch(rf"\d+\{dec}\d - \d+\{dec}\d", r[ci]), r[ci]
                lo, hi = (float(x.replace(",", ".")) for x in r[ci].split(" - "))
                assert lo <= float(r[est].replace(",", ".")) <= hi
        counts = next(t for t in rep.tables if t["name"] == "category-counts")
        assert sum(int(r[1]) for r in counts["rows"]) == len(GOVS)
        # reports of this language (and their PDFs) are linked; the rest say "no report"
        sub = "" if lang == "id" else "en/"
        links = {h for h in _hrefs(page) if h.endswith(("report.html", "report.pdf"))}
        want = {
            f"{Path(j.out_dir).relative_to(wd).parts[0]}/{sub}report.html"
            for j in bilingual["jobs"]
        }
        if bilingual["pdf"]:
            want |= {w.replace(".html", ".pdf") for w in want}
        assert links == want
        for h in links:
            assert (wd / h).exists()
        assert "<svg id='overview'" in text and "data-selected='35.75'" in text


def test_report_pages_link_the_other_language_pdf_and_index(bilingual):
    for j in bilingual["jobs"]:
        page = Path(j.out_dir) / "report.html"
        hrefs = _hrefs(page)
        assert len(hrefs) == (3 if bilingual["pdf"] else 2)
        for h in hrefs:
            target = (page.parent / h).resolve()
            assert target.exists(), (page, h)
        other = next(h for h in hrefs if h.endswith("report.html"))
        assert (page.parent / other).resolve().parent != page.parent
        assert f"index_{j.lang}.html" in " ".join(hrefs)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")
def test_browser_index_report_other_language_pdf(bilingual, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = tmp_path / "screenshots"
    shots.mkdir()
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-extensions", "--no-first-run"]  # fmt: skip
    taken = []

    def shot(page, name):
        path = shots / f"{len(taken):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=False)
        taken.append(path)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for code in TWO:
                page.goto((bilingual["wave_dir"] / "index_id.html").as_uri())
                assert page.locator("#governments tbody tr").count() == len(GOVS)
                # sortable: the index column ascending, then descending
                page.locator("#governments th").nth(3).click()
                vals = page.eval_on_selector_all(
                    "#governments tbody tr td:nth-child(4)",
                    "els => els.map(e => e.getAttribute('data-sort')).filter(v => v !== '')",
                )
                nums = [float(v) for v in vals]
                assert nums == sorted(nums) and len(nums) >= 2
                page.locator("#governments th").nth(3).click()
                vals = page.eval_on_selector_all(
                    "#governments tbody tr td:nth-child(4)",
                    "els => els.map(e => e.getAttribute('data-sort')).filter(v => v !== '')",
                )
                assert [float(v) for v in vals] == sorted(nums, reverse=True)
                # selecting a row moves the marker of the overview figure
                row = page.locator(f"#governments tr[data-code='{code}']")
                row.click()
                assert page.locator("#overview-marker").get_attribute("visibility") == "visible"
                est = float(row.get_attribute("data-est"))
                x0 = float(page.locator("#overview").get_attribute("data-x0"))
                w = float(page.locator("#overview").get_attribute("data-w"))
                assert float(page.locator("#overview-marker").get_attribute("x1")) == pytest.approx(
                    x0 + w * est / 100
                )
                assert page.locator("#selected-name").inner_text() == row.get_attribute("data-name")
                shot(page, f"{code}-index-id")
                # index -> report (Indonesian)
                row.locator("a", has_text="laporan").click()
                page.wait_for_load_state("load")
                assert page.url.endswith("/report.html") and "/en/" not in page.url
                assert page.locator("html").get_attribute("lang") == "id"
                assert page.locator("h2").count() >= 5
                shot(page, f"{code}-report-id")
                # report -> the other language
                page.locator("nav a", has_text="English version").click()
                page.wait_for_load_state("load")
                assert page.url.endswith("/en/report.html")
                assert page.locator("html").get_attribute("lang") == "en"
                assert page.locator("h2").first.inner_text() == "Summary"
                shot(page, f"{code}-report-en")
                # the PDF link: a real PDF beside the English report
                href = page.locator("nav a", has_text="Download PDF").get_attribute("href")
                pdf = Path(unquote(urlparse(urljoin(page.url, href)).path))
                assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
                # and back to the English index
                page.locator("nav a", has_text="All reports").click()
                page.wait_for_load_state("load")
                assert page.url.endswith("/index_en.html")
                assert page.locator("html").get_attribute("lang") == "en"
                shot(page, f"{code}-index-en")
        finally:
            browser.close()
    for path in taken:
        assert path.stat().st_size > 5000
        print(f"screenshot: {path}")
    assert len(taken) == 4 * len(TWO)
