"""Hostile text end to end: unit names built to attack every output format.

The demo is simulated and ingested, then the work units of one government are
renamed in the processed inputs (``units.parquet``) to markup, spreadsheet
formulas and mathtext; measure, model and report (Indonesian and English,
with PDFs when Chromium is present) run on them as a user would. Every output
is then scanned: HTML (only inert elements and attributes, hostile markup
only escaped), CSV and XLSX (no cell a spreadsheet reads as a formula), SVG
(:func:`outputs.svg_problems` finds nothing, markup only as escaped text),
PDF (no actions or scripts; the names are there as text). Government names
come from the bundled Kemendagri reference, not from data, so only units carry
the attack. About a minute on 2 shared cores.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from berakhlak_research.cli import main
from berakhlak_research.reporting import export, outputs
from tests.conftest import DEMO_SEED

HOSTILE = [
    "<script>alert(1)</script> Dinas",
    '=HYPERLINK("http://evil.example","klik") Dinas',
    '"><img src=x onerror=alert(1)> Dinas',
    "' onmouseover='alert(1)' Dinas",
    "+SUM(1,2) Dinas",
    "-1+2 Dinas",
    "@cmd Dinas",
    "\tTab Dinas",
    "\rCR Dinas",
    "Biaya $5 dan $10 Dinas",
    "$\\frac{1}{$ Dinas",
    "]]><svg onload=alert(1)> Dinas",
    "<!-- Dinas --> <iframe src=javascript:alert(1)>",
    "javascript:alert(1) Dinas",
]
# the hostile names' markup as it would appear unescaped (escaped, it reads &lt;script&gt;...)
MARKUP = ["<script>alert", "<img src=x", "<svg onload", "<iframe", "<!-- Dinas"]
LEADS = tuple(outputs.FORMULA_LEADS)
# elements a report page may hold; the index page adds its own inline script and figure
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "div", "nav", "a", "p",
             "b", "i", "em", "strong", "span", "h1", "h2", "h3", "h4", "table", "thead", "tbody",
             "tr", "th", "td", "img", "pre", "code", "ul", "ol", "li", "br", "hr", "figure",
             "figcaption", "sup", "sub", "small", "blockquote"}  # fmt: skip
INDEX_TAGS = PAGE_TAGS | {"script", "svg", "rect", "line", "text"}


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw, data, results, out = root / "raw", root / "data", root / "results", root / "reports"
    assert main(["simulate", "--out", str(raw), "--scale", "demo", "--seed", str(DEMO_SEED)]) == 0
    assert main(["ingest", str(raw), "--out", str(data)]) in (0, 1)
    path = data / "processed" / "units.parquet"
    units = pd.read_parquet(path)
    gov = units["gov_code"].value_counts().index[0]
    mine = units.index[units["gov_code"] == gov]
    names = [f"{HOSTILE[i % len(HOSTILE)]} {i}" for i in range(len(mine))]
    units.loc[mine, "unit_name"] = pd.array(names, dtype=units["unit_name"].dtype)
    units.to_parquet(path, index=False)
    assert main(["measure", str(data), "--out", str(results)]) in (0, 1)
    assert main(["model", str(data), "--out", str(results)]) == 0
    args = ["report", "--results", str(results), "--gov", gov, "--out", str(out), "--jobs", "1",
            "--lang", "id,en", "--no-progress"]  # fmt: skip
    if export.find_chromium():
        args.append("--pdf")
    assert main(args) == 0
    return {"out": out, "gov": gov, "names": names}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _html_problems(path: Path, allowed: set) -> list[str]:
    text = path.read_text(encoding="utf-8")
    p = _Tags()
    p.feed(text)
    bad = []
    for tag, attrs in p.tags:
        if tag not in allowed:
            bad.append(f"<{tag}>")
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                bad.append(f"{k} on <{tag}>")
            if k in ("href", "src") and re.match(r"\s*(javascript|vbscript|data:text)", v, re.I):
                bad.append(f"{k}={v[:30]} on <{tag}>")
            if tag == "img" and k == "src" and not v.startswith("data:image/"):
                bad.append(f"img src {v[:30]}")
    bad += [f"raw {m!r}" for m in MARKUP if m in text]
    return bad


def _cell_problem(v) -> bool:
    """True when a spreadsheet would read ``v`` as a formula (a negative number is a number)."""
    if not isinstance(v, str) or not v.startswith(LEADS):
        return False
    for text in (v, v.replace(".", "").replace(",", ".")):  # decimal point or comma
        try:
            float(text)
            return False
        except ValueError:
            pass
    return True


def test_hostile_names_reach_every_output_only_as_inert_text(hostile_batch):
    out = hostile_batch["out"]
    files = sorted(p for p in out.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".html", ".csv", ".xlsx", ".svg"} <= kinds
    problems: list[str] = []
    seen = {"html": 0, "csv": 0, "xlsx": 0, "svg": 0, "pdf": 0}
    for f in files:
        rel = f.relative_to(out)
        if f.suffix == ".html":
            allowed = INDEX_TAGS if f.name.startswith("index") else PAGE_TAGS
            problems += [f"{rel}: {p}" for p in _html_problems(f, allowed)]
            seen["html"] += "&lt;script&gt;alert(1)&lt;/script&gt;" in f.read_text(encoding="utf-8")
        elif f.suffix == ".csv":
            raw = f.read_bytes()
            text = raw.decode("utf-8-sig")
            # excel/ files of the Indonesian (primary) report use ";", everything else ","
            sep = ";" if f.parent.name == "excel" and "en" not in rel.parts else ","
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
                for cell in row:
                    if _cell_problem(cell):
                        problems.append(f"{rel}: formula cell {cell[:30]!r}")
                    seen["csv"] += cell.startswith("'=HYPERLINK")
        elif f.suffix == ".xlsx":
            wb = openpyxl.load_workbook(f)
            for ws in wb.worksheets:
                if ws.title.startswith(LEADS):
                    problems.append(f"{rel}: sheet {ws.title!r}")
                for row in ws.iter_rows():
                    for c in row:
                        if c.data_type == "f" or _cell_problem(c.value):
                            problems.append(
                                f"{rel}!{ws.title}!{c.coordinate}: {str(c.value)[:30]!r}"
                            )
                        seen["xlsx"] += isinstance(c.value, str) and c.value.startswith(
                            "'=HYPERLINK"
                        )
        elif f.suffix == ".svg":
            data = f.read_bytes()
            problems += [f"{rel}: {p}" for p in outputs.svg_problems(data)]
            problems += [f"{rel}: raw {m!r}" for m in MARKUP if m.encode() in data]
            seen["svg"] += b"&lt;script&gt;alert(1)&lt;/script&gt;" in data
        elif f.suffix == ".pdf":
            from tests._data.pdf import pdf_text

            data = f.read_bytes()
            for action in (
                b"/JavaScript",
                b"/JS ",
                b"/JS(",
                b"/Launch",
                b"/SubmitForm",
                b"/EmbeddedFile",
            ):
                if action in data:
                    problems.append(f"{rel}: PDF action {action!r}")
            if b"javascript:" in data.lower():
                problems.append(f"{rel}: javascript: URI")
            seen["pdf"] += "<script>alert(1)</script> Dinas" in pdf_text(f)
    assert not problems, "\n".join(problems[:40])
    # the names did reach the outputs (escaped or neutralised), so the scan saw them
    assert seen["html"] >= 2 and seen["csv"] >= 2 and seen["xlsx"] >= 2 and seen["svg"] >= 2, seen
    if export.find_chromium():
        assert seen["pdf"] == 2, seen


def test_dollar_names_drawn_as_typed(hostile_batch):
    svgs = list(hostile_batch["out"].rglob("unit_caterpillar.svg"))
    assert len(svgs) == 2
    for f in svgs:
        texts = re.findall(rb"<text[^>]*>([^<]*)</text>", f.read_bytes())
        assert any(t.startswith(b"Biaya $5 dan $10 Dinas") for t in texts)


# ---------------------------------------------------------------------------
# the same demo batch, read for its language: no identifier reaches the reader
# ---------------------------------------------------------------------------

IDENT = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")  # snake_case: ci_low, staggered_att, n_cells
RAW_WORDS = {"twfe", "element", "total", "estimate", "outcome", "panel", "estimator", "value"}


class _Text(HTMLParser):
    """Visible text of a page; the provenance table (results file names, by design) left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._skip = 0
        self._tables: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "table":
            self._tables.append(dict(attrs).get("data-table"))

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "table" and self._tables:
            self._tables.pop()

    def handle_data(self, data):
        if not self._skip and "provenance" not in self._tables:
            self.text.append(data.strip())


def _raw(texts) -> list[str]:
    out = []
    for x in texts:
        x = str(x or "")
        out += IDENT.findall(x)
        if x.strip() in RAW_WORDS:  # raw names are lower case; "Value" is English
            out.append(x)
    return sorted(set(out))


def _lang(rel: Path) -> str:
    return "en" if "en" in rel.parts or rel.name == "index_en.html" else "id"


def test_exports_speak_the_readers_language(hostile_batch):
    """CSV headers (both flavours), XLSX headers and sheet names, figure text: no identifiers."""
    from berakhlak_research.i18n import STRINGS

    out = hostile_batch["out"]
    bad = []
    for f in sorted(out.rglob("*.csv")):
        rel = f.relative_to(out)
        sep = ";" if f.parent.name == "excel" and _lang(rel) == "id" else ","
        head = next(
            csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"), newline=""), delimiter=sep)
        )
        bad += [f"{rel}: {x}" for x in _raw(head)]
    books = sorted(out.rglob("*.xlsx"))
    assert len(books) == 2
    for f in books:
        rel, lang = f.relative_to(out), _lang(f.relative_to(out))
        sheets = {v[0 if lang == "id" else 1] for k, v in STRINGS.items() if k.startswith("sheet_")}
        wb = openpyxl.load_workbook(f)
        assert wb.sheetnames[-1] == ("Catatan" if lang == "id" else "Notes")
        bad += [
            f"{rel}: sheet {s!r} not in the catalogue" for s in wb.sheetnames if s not in sheets
        ]
        for ws in wb.worksheets:
            bad += [f"{rel}!{ws.title}: {x}" for x in _raw(c.value for c in ws[1])]
    import html

    svgs = sorted(out.rglob("*.svg"))
    assert len(svgs) >= 6
    for f in svgs:
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", f.read_text(encoding="utf-8"))
        bad += [f"{f.relative_to(out)}: {x}" for x in _raw(html.unescape(t) for t in texts)]
    assert not bad, "\n".join(bad)


@pytest.mark.xfail(
    strict=True,
    reason="the value_chain table shows its raw header path_name in the HTML "
    "(sections/_html.py _HEADERS has no entry for it); drop this mark when it is mapped",
)
def test_html_speaks_the_readers_language(hostile_batch):
    out = hostile_batch["out"]
    bad = []
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 5  # two reports, index + index_id + index_en
    for f in pages:
        p = _Text()
        p.feed(f.read_text(encoding="utf-8"))
        bad += [f"{f.relative_to(out)}: {x}" for x in _raw(p.text)]
    assert not bad, "\n".join(bad)
