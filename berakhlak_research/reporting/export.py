"""Report outputs: HTML without code, the manifest (provenance) and the index page.

* :func:`notebook_html` turns an executed notebook into one self-contained
  HTML page of its outputs only (inputs and prompts are never written, so no
  code reaches the HTML), with the report styles and no scripts.
* :func:`write_manifest` records per report: parameters, input hashes
  (results tables and template), package versions, git commit and timings;
  ``--resume`` compares :func:`input_hash` with the manifest's.
* :func:`build_index` writes ``<reports>/<wave>/index.html``: every government
  with results, its index, category, IKM, national rank and a link to its
  report, and the number of governments per category. Every piece of text from
  data is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research import regions, store
from berakhlak_research.exceptions import ReportError
from berakhlak_research.i18n import t
from berakhlak_research.reporting.xlsx import write_xlsx

__all__ = [
    "notebook_html",
    "input_hash",
    "package_versions",
    "git_commit",
    "write_manifest",
    "read_manifest",
    "build_index",
    "index_path",
    "write_xlsx",
    "MANIFEST",
    "NOTES_TAG",
    "REPORT_HTML",
    "REPORT_IPYNB",
    "REPORT_PDF",
    "write_pdf",
    "find_chromium",
]

MANIFEST = "manifest.json"
#: Tag of a notebook's markdown cells that guide the researcher; the exported page leaves them out.
NOTES_TAG = "notes"
REPORT_HTML = "report.html"
REPORT_IPYNB = "report.ipynb"

_PACKAGES = ("berakhlak-research", "pandas", "numpy", "pyarrow", "matplotlib", "scipy",
             "statsmodels", "papermill", "nbclient", "nbconvert", "ipykernel", "distributed")  # fmt: skip

_CSS = """
<style>
.berakhlak-table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
.berakhlak-table th, .berakhlak-table td { border-bottom: 1px solid #ddd; padding: 3px 8px;
  text-align: left; }
.berakhlak-table th { background: #f3f5f8; }
.berakhlak-note { color: #555; font-size: 0.85em; }
</style>
"""


_PAGE_CSS = """
<style>
body { font-family: "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; color: #222;
  line-height: 1.4; margin: 0; background: #fff; }
.berakhlak-report { max-width: 1100px; margin: 0 auto; padding: 1.5em 2em 3em; }
h1 { font-size: 1.7em; margin: 0.2em 0; }
h2 { font-size: 1.3em; margin: 1.4em 0 0.4em; border-bottom: 1px solid #ddd; padding-bottom: 0.15em; }
.berakhlak-sub { margin-top: 0; }
.berakhlak-figure { display: block; max-width: 100%; height: auto; margin: 0.6em 0; }
.berakhlak-output pre { white-space: pre-wrap; font-size: 0.85em; background: #f7f7f7;
  padding: 0.4em 0.6em; }
.berakhlak-output { overflow-x: auto; }
.berakhlak-nav { font-size: 0.9em; margin-bottom: 0.6em; }
.berakhlak-nav a { margin-right: 1.2em; }
@media print {
  .berakhlak-nav { display: none; }
  .berakhlak-report { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .berakhlak-figure, .berakhlak-table tr { break-inside: avoid; }
}
</style>
"""

# A4 pages with the report's title at the top and "page / pages" at the bottom
# (CSS page-margin boxes, printed by Chromium); the title is a CSS string.
_PRINT_CSS = """
<style>
@page {{ size: A4; margin: 18mm 14mm 16mm 14mm;
  @top-left {{ content: {title}; font: 8pt "DejaVu Sans", sans-serif; color: #555; }}
  @bottom-right {{ content: counter(page) " / " counter(pages);
    font: 8pt "DejaVu Sans", sans-serif; color: #555; }} }}
</style>
"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " .,-()/&":
            out.append(ch)
        else:  # quotes, backslashes, < and control characters as CSS escapes
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _pre(text, cls: str = "") -> str:
    if isinstance(text, list):
        text = "".join(text)
    extra = f" class='{cls}'" if cls else ""
    return f"<pre{extra}>{html.escape(_ANSI.sub('', str(text)), quote=False)}</pre>"


def _joined(x) -> str:
    return "".join(x) if isinstance(x, list) else str(x)


def _output_html(out) -> str:
    """One notebook output as HTML: rich outputs as their richest HTML form, text escaped."""
    kind = out.get("output_type")
    if kind == "stream":
        if (
            out.get("name") == "stderr"
        ):  # warnings (with file paths) are for researchers: in the .ipynb
            return ""
        return _pre(out.get("text", ""), f"berakhlak-{out.get('name', 'stream')}")
    if kind == "error":
        return _pre("\n".join(out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]))
    data = out.get("data", {})
    if "text/html" in data:  # our views' HTML, escaped where it holds data
        return _joined(data["text/html"])
    for mime in ("image/svg+xml", "image/png", "image/jpeg", "image/gif"):
        if mime in data:
            raw = _joined(data[mime])
            if mime == "image/svg+xml":
                raw = base64.b64encode(raw.encode("utf-8")).decode("ascii")
            raw = raw.replace("\n", "")
            return f"<img class='berakhlak-figure' alt='' src='data:{mime};base64,{raw}'/>"
    if "text/markdown" in data:
        return _markdown(_joined(data["text/markdown"]))
    if "text/plain" in data:
        return _pre(data["text/plain"])
    return ""


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html_mistune

    return markdown2html_mistune(text)


def notebook_html(nb, title: str, lang: str | None = None, links=()) -> str:
    """Export an executed notebook to a self-contained HTML page with no code.

    Only outputs are written, in order: HTML outputs as they are (the views
    escape every piece of text from data), images inline, text outputs
    escaped in ``<pre>``; markdown cells are rendered, except those tagged
    ``notes`` (:data:`NOTES_TAG`: a notebook's guide for researchers in
    JupyterLab, its parameters and how to read it); code, prompts and raw
    cells never are. The page carries the report styles and no scripts, so it
    opens offline. A few milliseconds per report, against 0.1-0.3 s for
    nbconvert's HTMLExporter with the JupyterLab template (whose 300 kB of
    stylesheet every report also carried).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page title (escaped here).
    lang : str, optional
        The page language (``<html lang=...>``), e.g. "id" or "en".
    links : sequence of (text, href)
        Links shown above the report (the other language, the PDF, the
        index), not printed; both are escaped.

    Returns
    -------
    str
        The HTML document, with print styles for A4 pages carrying the title
        and page numbers (:func:`write_pdf`).
    """
    parts = []
    if links:
        nav = "".join(f"<a href='{_e(href)}'>{_e(text)}</a>" for text, href in links)
        parts.append(f"<nav class='berakhlak-nav'>{nav}</nav>")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if NOTES_TAG in cell.get("metadata", {}).get("tags", []):
                continue
            parts.append(f"<div class='berakhlak-output'>{_markdown(_joined(cell.source))}</div>")
        elif cell.cell_type == "code":
            body = "".join(_output_html(o) for o in cell.get("outputs", []))
            if body:
                parts.append(f"<div class='berakhlak-output'>{body}</div>")
    head_lang = f' lang="{_e(lang)}"' if lang else ""
    return (
        f'<!DOCTYPE html>\n<html{head_lang}><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>{_CSS}{_PAGE_CSS}"
        f"{_PRINT_CSS.format(title=_css_string(title))}</head>\n"
        "<body><main class='berakhlak-report'>\n" + "\n".join(parts) + "\n</main></body></html>\n"
    )


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

REPORT_PDF = "report.pdf"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The headless browser that prints PDFs (Debian's ``/usr/bin/chromium`` first), or None."""
    import shutil

    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(
    html_path: str | os.PathLike,
    pdf_path: str | os.PathLike | None = None,
    browser: str | None = None,
    timeout: float = 120,
) -> Path:
    """Print a report page to an A4 PDF with headless Chromium.

    The page's print styles (:func:`notebook_html`) set A4, the report's
    title at the top of every page and "page / pages" at the bottom;
    Chromium's own header and footer (which would print the file's path) are
    off. Each call uses a private, temporary browser profile, so parallel
    workers do not share one. About a second per report (a browser start),
    so PDFs are opt-in (``berakhlak report --pdf``); see
    ``benchmarks/results/reports.md``.

    Parameters
    ----------
    html_path : path
        The report page.
    pdf_path : path, optional
        Default: ``report.pdf`` beside the page.
    browser : str, optional
        The Chromium executable (default :func:`find_chromium`).
    timeout : float
        Seconds before the browser is given up on.

    Returns
    -------
    pathlib.Path
        The PDF.

    Raises
    ------
    ReportError
        No browser, or it failed or wrote no PDF.
    """
    import tempfile

    html_path = Path(html_path).resolve()
    pdf = Path(pdf_path) if pdf_path else html_path.with_name(REPORT_PDF)
    browser = browser or find_chromium()
    if browser is None:
        raise ReportError(
            "PDF reports need Chromium (Debian: apt-get install chromium); none was found."
        )
    tmp = pdf.with_name(pdf.name + ".part")
    with tempfile.TemporaryDirectory(prefix="berakhlak-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-extensions", "--disable-background-networking", "--no-first-run",
               "--no-default-browser-check", "--mute-audio", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={tmp}", html_path.as_uri()]  # fmt: skip
        try:
            done = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "HOME": profile},  # fmt: skip
            )
        except (OSError, subprocess.SubprocessError) as err:
            raise ReportError(f"Chromium could not print {html_path}: {err}") from err
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise ReportError(
            f"Chromium wrote no PDF for {html_path} (exit {done.returncode}): {' | '.join(tail)}"
        )
    tmp.replace(pdf)
    return pdf


def input_hash(
    results_dir: str | os.PathLike, template: str | os.PathLike, parameters: dict
) -> str:
    """One SHA-256 over everything a report depends on.

    The template's bytes, the parameters (sorted JSON, output folder
    excluded) and the SHA-256 of every table in the results catalogue.

    Returns
    -------
    str
        Hex digest.
    """
    h = hashlib.sha256()
    h.update(Path(template).read_bytes())
    params = {k: v for k, v in sorted(parameters.items()) if k != "output_dir"}
    h.update(json.dumps(params, sort_keys=True, default=str).encode())
    for name, entry in sorted(store.catalog(results_dir).items()):
        h.update(f"{name}:{entry['sha256']}".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a report depends on."""
    out = {"python": platform.python_version()}
    for p in _PACKAGES:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The project's git commit (with ``+dirty`` when the tree has changes), or "unknown"."""
    from berakhlak_research.paths import PROJECT_DIR

    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (sha + ("+dirty" if dirty else "")) or "unknown"


def write_manifest(out_dir: str | os.PathLike, record: dict) -> Path:
    """Write ``manifest.json`` in a report folder (adding versions and the time written)."""
    path = Path(out_dir) / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dict(record)
    data.setdefault("package_versions", package_versions())
    data["written"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return path


def read_manifest(out_dir: str | os.PathLike) -> dict | None:
    """The manifest of a report folder, or None when missing or unreadable."""
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


_INDEX_JS = """
<script>
// sortable table: click a header; numbers sort by data-sort, text by locale
(function () {
  var table = document.getElementById('governments');
  var body = table.tBodies[0];
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
        h.removeAttribute('aria-sort');
      });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (r) {
        var c = r.cells[col];
        var v = c.getAttribute('data-sort');
        return v === null ? c.textContent : v;
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var d;
        if (x === '' || y === '') { d = (x === '') - (y === ''); return d; }
        d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  // the overview figure marks the selected government (a row click or #code in the address)
  var svg = document.getElementById('overview');
  var marker = document.getElementById('overview-marker');
  var label = document.getElementById('selected-name');
  var x0 = parseFloat(svg.getAttribute('data-x0')), w = parseFloat(svg.getAttribute('data-w'));
  function select(row) {
    var est = parseFloat(row.getAttribute('data-est'));
    Array.prototype.forEach.call(body.rows, function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    label.textContent = row.getAttribute('data-name');
    if (isNaN(est)) { marker.setAttribute('visibility', 'hidden'); return; }
    var x = x0 + w * est / 100;
    marker.setAttribute('x1', x); marker.setAttribute('x2', x);
    marker.setAttribute('visibility', 'visible');
  }
  Array.prototype.forEach.call(body.rows, function (r) {
    r.addEventListener('click', function () { select(r); });
  });
  var want = decodeURIComponent(location.hash.slice(1)) || svg.getAttribute('data-selected');
  Array.prototype.forEach.call(body.rows, function (r) {
    if (want && r.getAttribute('data-code') === want) { select(r); }
  });
})();
</script>
"""

_INDEX_CSS = """
<style>
body { font-family: "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; margin: 2em; color: #222; }
#governments th[aria-sort="ascending"]::after { content: " \\25B2"; }
#governments th[aria-sort="descending"]::after { content: " \\25BC"; }
#governments tbody tr:hover { background: #f7f9fc; }
#governments tbody tr.selected { background: #fde8e8; }
#governments td.num { text-align: right; white-space: nowrap; }
.berakhlak-nav { margin-bottom: 1em; }
</style>
"""


def _overview_svg(estimates, lang: str, selected: str = "") -> str:
    """Histogram of the governments' indices (bins of 2.5 points) with the category limits.

    Only numbers and catalogue text go into the drawing; the selected
    government's line is placed by the page's script.
    """
    from berakhlak_research import framework as fw
    from berakhlak_research.reporting import numbers

    est = np.asarray(pd.to_numeric(pd.Series(estimates), errors="coerce").dropna(), float)
    counts, edges = np.histogram(np.clip(est, 0, 100), bins=np.arange(0, 100.01, 2.5))
    W, H, x0, y0, top = 640, 210, 40, 180, 12  # pixels: plot from x0 to W-10, y0 up to top
    w, h = W - 10 - x0, y0 - top
    peak = max(int(counts.max()) if len(counts) else 0, 1)
    bars = "".join(
        f"<rect x='{x0 + w * lo / 100:.1f}' y='{y0 - h * c / peak:.1f}' "
        f"width='{w * 2.5 / 100 - 1:.1f}' height='{h * c / peak:.1f}' fill='#1f5a96'/>"
        for lo, c in zip(edges[:-1], counts, strict=True)
        if c
    )
    limits = "".join(
        f"<line x1='{x0 + w * b.lower / 100:.1f}' x2='{x0 + w * b.lower / 100:.1f}' y1='{top}' "
        f"y2='{y0}' stroke='#8c8c8c' stroke-dasharray='2,3'/>"
        f"<text x='{x0 + w * b.lower / 100 + 3:.1f}' y='{top + 8}' font-size='9' "
        f"fill='#8c8c8c'>{_e(b.code)}</text>"
        for b in fw.CULTURE_CATEGORIES
        if 0 < b.lower < 100
    )
    ticks = "".join(
        f"<text x='{x0 + w * v / 100:.1f}' y='{y0 + 14}' font-size='10' text-anchor='middle'>"
        f"{v}</text>"
        for v in range(0, 101, 10)
    )
    yticks = (
        f"<text x='{x0 - 4}' y='{y0}' font-size='10' text-anchor='end'>0</text>"
        f"<text x='{x0 - 4}' y='{top + 8}' font-size='10' text-anchor='end'>"
        f"{_e(numbers.integer(peak, lang))}</text>"
    )
    return (
        f"<svg id='overview' role='img' aria-label='{_e(t('overall_index', lang))}' "
        f"xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' viewBox='0 0 {W} {H}' "
        f"data-x0='{x0}' data-w='{w}' data-selected='{_e(selected)}' "
        f"font-family='DejaVu Sans, sans-serif'>"
        f"<line x1='{x0}' x2='{x0 + w}' y1='{y0}' y2='{y0}' stroke='#444'/>"
        f"{bars}{limits}{ticks}{yticks}"
        f"<text x='{x0 + w / 2}' y='{H - 2}' font-size='10' text-anchor='middle'>"
        f"{_e(t('overall_index', lang))}</text>"
        f"<line id='overview-marker' x1='0' x2='0' y1='{top}' y2='{y0}' stroke='#c0392b' "
        "stroke-width='2' visibility='hidden'/></svg>"
    )


def index_path(lang: str) -> str:
    """The index page of one language: ``index_id.html`` / ``index_en.html``."""
    return f"index_{lang}.html"


def build_index(
    wave_dir: str | os.PathLike,
    results_dir: str | os.PathLike,
    wave: int,
    lang: str = "id",
    min_group: int = 10,
    languages: tuple = (),
    marked: tuple = (),
) -> Path:
    """Write the index page of a wave's reports in one language.

    Each row: code, name, kind, overall index with its 95% interval,
    category, IKM and band, national rank, and links to the report (and its
    PDF) when they exist (the manifest's status otherwise); numbers as the
    language writes them. The table sorts by any column (a small inline
    script, no network). Above it: a link to the index in the other
    language(s), the number of governments per category, and the
    distribution of every government's index with the selected government
    marked (a row click selects; ``#<code>`` in the address or the first of
    ``marked`` is selected at first). Every piece of text from data is
    HTML-escaped.

    Parameters
    ----------
    wave_dir : path
        ``<out>/<wave>``.
    results_dir : path
    wave : int
    lang : {"id", "en"}
        This page's language.
    min_group : int
    languages : tuple of str
        The batch's languages, the primary first (default: ``(lang,)``).
        The primary's reports are ``<folder>/report.html``, another's
        ``<folder>/<lang>/report.html``.
    marked : tuple of str
        Codes of the governments of the batch (the first is selected).

    Returns
    -------
    pathlib.Path
        ``index.html`` for the primary language (also written as
        ``index_<lang>.html``), ``index_<lang>.html`` for another.
    """
    from berakhlak_research.reporting import numbers, views

    languages = tuple(languages) or (lang,)
    wave_dir = Path(wave_dir)
    wave_dir.mkdir(parents=True, exist_ok=True)
    ctx = views.open_report(results_dir, None, wave, lang, min_group)
    nat = views.national_frame(ctx)
    everyone = pd.DataFrame({"gov_code": views.governments_with_results(results_dir, wave)})
    gov = regions.governments().set_index("code")
    df = everyone.merge(nat.drop(columns=["government", "kind"]), on="gov_code", how="left")
    df["government"] = df["gov_code"].map(gov["name"]).fillna(df["gov_code"])
    df["kind"] = df["gov_code"].map(gov["kind"]).fillna("")
    df["category"] = df["category"].fillna("—")
    if "band" not in df:
        df["band"] = "—"
    df["band"] = df["band"].fillna("—")
    df = df.sort_values(["rank_national", "gov_code"], na_position="last").reset_index(drop=True)
    counts = df.groupby("category", sort=False).size()

    # links: one listing of the wave folder, not a stat per government
    present = {str(p.relative_to(wave_dir)) for p in wave_dir.glob("*/**/report.*")}
    folders = df["gov_code"].map(regions.slug)
    rel = REPORT_HTML if lang == languages[0] else f"{lang}/{REPORT_HTML}"
    html_rel = folders + "/" + rel
    pdf_rel = html_rel.str.slice(0, -len(REPORT_HTML)) + REPORT_PDF
    has_html, has_pdf = html_rel.isin(present), pdf_rel.isin(present)
    mdir = folders if lang == languages[0] else folders + "/" + lang
    failed = pd.Series(False, index=df.index)
    for i in np.flatnonzero(~has_html.to_numpy()):  # only reports without a page: rare
        failed.iloc[i] = (read_manifest(wave_dir / mdir.iloc[i]) or {}).get("status") == "failed"
    esc = lambda s: s.astype(str).map(_e)  # noqa: E731 - a column-wise html.escape
    link = np.where(
        has_html,
        "<a href='" + esc(html_rel) + "'>" + _e(t("index_report", lang)) + "</a>",
        np.where(failed, _e(t("index_failed", lang)), _e(t("index_missing", lang))),
    )
    link = link + np.where(
        has_pdf, " <a href='" + esc(pdf_rel) + "'>" + _e(t("index_pdf", lang)) + "</a>", ""
    )

    def num(col, digits=1):
        v = pd.to_numeric(df[col], errors="coerce")
        text = v.map(lambda x: numbers.number(x, lang, digits))
        return "<td class='num' data-sort='" + v.map(lambda x: "" if pd.isna(x) else repr(float(x))) + "'>" + text + "</td>"  # fmt: skip

    rank = pd.to_numeric(df["rank_national"], errors="coerce")
    ci = [
        numbers.interval(lo, hi, lang) for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)
    ]
    est = pd.to_numeric(df["estimate"], errors="coerce")
    rows = (
        "<tr data-code='" + esc(df["gov_code"]) + "' data-name='" + esc(df["government"])
        + "' data-est='" + est.map(lambda x: "" if pd.isna(x) else repr(float(x))) + "'>"
        + "<td>" + esc(df["gov_code"]) + "</td><td>" + esc(df["government"]) + "</td><td>"
        + esc(df["kind"]) + "</td>" + num("estimate")
        + "<td class='num' data-sort='" + est.map(lambda x: "" if pd.isna(x) else repr(float(x)))
        + "'>" + pd.Series(ci, dtype=object).map(_e) + "</td><td>" + esc(df["category"]) + "</td>"
        + num("ikm") + "<td>" + esc(df["band"]) + "</td>"
        + "<td class='num' data-sort='" + rank.map(lambda x: "" if pd.isna(x) else str(int(x)))
        + "'>" + rank.map(lambda x: numbers.integer(x, lang)) + "</td>"
        + "<td>" + pd.Series(link, dtype=object) + "</td></tr>"
    )  # fmt: skip
    head = "".join(
        f"<th>{_e(t(k, lang))}</th>"
        for k in (
            "col_code",
            "col_government",
            "col_gov_kind",
            "overall_index",
            "col_ci",
            "col_category",
            "col_ikm",
            "col_band",
            "col_rank",
            "index_report",
        )  # fmt: skip
    )
    count_rows = "".join(
        f"<tr><td>{_e(c)}</td><td class='num'>{_e(numbers.integer(n, lang))}</td></tr>"
        for c, n in counts.items()
    )
    others = "".join(
        f"<a href='{_e(index_path(o))}' hreflang='{_e(o)}'>{_e(t('index_lang', o))}</a> "
        for o in languages
        if o != lang
    )
    nav = f"<nav class='berakhlak-nav'>{others}</nav>" if others else ""
    n_est = int(est.notna().sum())
    title = t("index_title", lang, wave=wave)
    banner = views.synthetic_banner_html(lang) if ctx.synthetic else ""
    page = f"""<!DOCTYPE html>
<html lang="{_e(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>{_CSS}{_INDEX_CSS}</head>
<body>{banner}{nav}<h1>{_e(title)}</h1>
<h2>{_e(t("index_counts", lang))}</h2>
<table class="berakhlak-table" id="category-counts"><thead><tr><th>{_e(t("col_category", lang))}</th>
<th>{_e(t("col_count", lang))}</th></tr></thead><tbody>{count_rows}</tbody></table>
<figure>{_overview_svg(est, lang, marked[0] if marked else "")}
<figcaption class="berakhlak-note">{_e(t("index_figure", lang, n=numbers.integer(n_est, lang)))}
<b>{_e(t("index_selected", lang))}:</b> <span id="selected-name">—</span></figcaption></figure>
<p class="berakhlak-note">{_e(t("index_sort", lang))}</p>
<table class="berakhlak-table" id="governments"><thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="berakhlak-note">{_e(t("scoring_note", lang))}</p>
{_INDEX_JS}</body></html>
"""
    out = wave_dir / index_path(lang)
    out.write_text(page, encoding="utf-8")
    if lang == languages[0]:
        (wave_dir / "index.html").write_text(page, encoding="utf-8")
        return wave_dir / "index.html"
    return out
