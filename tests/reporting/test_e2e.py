"""End to end on the real pipeline: simulate -> ingest -> measure -> model -> report.

The same stages `berakhlak demo` runs, on the demo scale, then two
governments' reports rendered and checked (no code, no small groups, no
respondent identifiers). About 20 s on 2 cores, so it runs in the default suite.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from berakhlak_research.cli import main
from tests.reporting.test_runner import parse


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    raw, data, results = root / "raw", root / "data", root / "results"
    assert main(["simulate", "--out", str(raw), "--scale", "demo", "--seed", "20230515"]) == 0
    assert main(["ingest", str(raw), "--out", str(data)]) in (0, 1)
    assert main(["measure", str(data), "--out", str(results)]) in (0, 1)
    assert main(["model", str(data), "--out", str(results)]) == 0
    return root


def test_reports_on_the_real_pipeline(pipeline):
    from berakhlak_research.reporting import views

    results, out = pipeline / "results", pipeline / "reports"
    wave = views.latest_wave(results)
    govs = views.governments_with_results(results, wave)[:2]
    code = main(["report", "--results", str(results), "--gov", *govs, "--out", str(out),
                 "--jobs", "2", "--lang", "en", "--no-progress"])  # fmt: skip
    assert code == 0
    ids = set(pd.read_parquet(pipeline / "data" / "processed" / "culture_responses.parquet",
                              columns=["respondent_id"])["respondent_id"].astype(str))  # fmt: skip
    index = out / str(wave) / "index.html"
    assert index.exists()
    for page in sorted((out / str(wave)).glob("*/report.html")):
        text = page.read_text(encoding="utf-8")
        rep = parse(page)
        assert rep.input_areas == 0 and "views.open_report" not in text
        tokens = set(re.findall(r"[A-Za-z0-9_\-]{6,}", text))
        assert not (tokens & ids)
        units = next(t for t in rep.tables if t["name"] == "units")
        n = units["head"].index("n")
        assert all(int(r[n].replace(",", "")) >= 10 for r in units["rows"])
        assert rep.images >= 3
    assert len(list((out / str(wave)).glob("*/report.html"))) == 2


#: table names each section of the government report shows (checked in both languages)
SECTION_TABLES = ["summary", "value_profile", "published", "changes", "behaviour_changes",
                  "unit_changes", "units", "item_results", "response_rates", "demographics",
                  "weakest_behaviours", "priorities", "stage_progress", "programme_effects",
                  "ikm_units", "service_priorities", "culture_ikm_link", "value_chain",
                  "sample_adequacy", "culture_ikm_models", "programmes"]  # fmt: skip


@pytest.fixture(scope="module")
def pasuruan(pipeline):
    """The demo report of Kota Pasuruan (35.75) in Indonesian and English, with the index pages."""
    results = pipeline / "results"
    pages = {}
    for lang in ("id", "en"):
        out = pipeline / f"reports-{lang}"
        code = main(["report", "--results", str(results), "--gov", "35.75", "--out", str(out),
                     "--jobs", "1", "--lang", lang, "--no-progress"])  # fmt: skip
        assert code == 0
        wave_dir = next(p for p in out.iterdir() if p.is_dir())
        pages[lang] = (next(wave_dir.glob("35.75*/report.html")), wave_dir / "index.html")
    return pages


@pytest.mark.parametrize("lang", ["id", "en"])
def test_demo_report_of_pasuruan(pipeline, pasuruan, lang):
    page, index = pasuruan[lang]
    text = page.read_text(encoding="utf-8")
    rep = parse(page)
    # synthetic data said on the report and on the index page, in the report's language
    word = "DATA SINTETIS" if lang == "id" else "SYNTHETIC DATA"
    assert "berakhlak-synthetic" in text and word in text
    assert "berakhlak-synthetic" in index.read_text(encoding="utf-8")
    # each section's table is there
    names = {t["name"] for t in rep.tables}
    assert set(SECTION_TABLES) <= names, set(SECTION_TABLES) - names
    # no raw identifiers: no respondent id, no code
    ids = set(pd.read_parquet(pipeline / "data" / "processed" / "culture_responses.parquet",
                              columns=["respondent_id"])["respondent_id"].astype(str))  # fmt: skip
    assert not (set(re.findall(r"[A-Za-z0-9_\-]{6,}", text)) & ids)
    assert rep.input_areas == 0 and "views." not in text
    # the summary in words and the next steps
    assert "data-text='summary_text'" in text and "data-text='next_steps'" in text
    # the seven stages, the timeline and the pooled programme effect
    stages = next(t for t in rep.tables if t["name"] == "stage_progress")
    assert len(stages["rows"]) == 7
    assert "pooled over 7" in text if lang == "en" else "gabungan 7" in text


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")
def test_browser_screenshots_the_demo_report_in_both_languages(pasuruan, tmp_path):
    """Both pages open in a real browser: banner and summary visible, figures decoded, shot taken."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-extensions", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        try:
            for lang, (page_path, _) in pasuruan.items():
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(page_path.as_uri())
                page.wait_for_load_state("load")
                assert page.locator(".berakhlak-synthetic").first.is_visible()
                assert page.locator("p.berakhlak-summary").is_visible()
                assert page.locator("ol.berakhlak-steps li").count() >= 2
                widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
                assert len(widths) >= 8 and all(w > 100 for w in widths), widths
                shot = tmp_path / f"report-{lang}.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 50_000
                page.close()
        finally:
            browser.close()
