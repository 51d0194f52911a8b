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

import pandas as pd

from berakhlak_research import regions, store
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
    "write_xlsx",
    "MANIFEST",
    "NOTES_TAG",
    "REPORT_HTML",
    "REPORT_IPYNB",
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
</style>
"""

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


def notebook_html(nb, title: str, lang: str | None = None) -> str:
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

    Returns
    -------
    str
        The HTML document.
    """
    parts = []
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
        f"<title>{_e(title)}</title>{_CSS}{_PAGE_CSS}</head>\n"
        "<body><main class='berakhlak-report'>\n" + "\n".join(parts) + "\n</main></body></html>\n"
    )


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


def _num(x, digits: int = 1) -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x):.{digits}f}"


def build_index(
    wave_dir: str | os.PathLike,
    results_dir: str | os.PathLike,
    wave: int,
    lang: str = "id",
    min_group: int = 10,
) -> Path:
    """Write ``<wave_dir>/index.html`` listing every government with results in the wave.

    Each row: code, name, kind, overall index, category, IKM and band,
    national rank, and a link to ``<code>-<slug>/report.html`` when that
    report exists (its manifest's status otherwise). Above the list, the
    number of governments per category.

    Returns
    -------
    pathlib.Path
        The index page.
    """
    from berakhlak_research.reporting import views

    wave_dir = Path(wave_dir)
    wave_dir.mkdir(parents=True, exist_ok=True)
    ctx = views.open_report(results_dir, None, wave, lang, min_group)
    nat = views.national_frame(ctx)
    everyone = pd.DataFrame({"gov_code": views.governments_with_results(results_dir, wave)})
    gov = regions.governments().set_index("code")
    df = everyone.merge(nat.drop(columns=["government", "kind"]), on="gov_code", how="left")
    df["government"] = df["gov_code"].map(gov["name"])
    df["kind"] = df["gov_code"].map(gov["kind"])
    df["category"] = df["category"].fillna("—")
    df["band"] = df["band"].fillna("—")
    df = df.sort_values(["rank_national", "gov_code"], na_position="last")
    counts = df.groupby("category").size()

    rows = []
    for r in df.itertuples(index=False):  # one row per government (hundreds), string building only
        folder = regions.slug(r.gov_code)
        man = read_manifest(wave_dir / folder)
        if (wave_dir / folder / "report.html").exists():
            link = f"<a href='{_e(folder)}/report.html'>{_e(t('index_report', lang))}</a>"
        elif man and man.get("status") == "failed":
            link = _e(t("index_failed", lang))
        else:
            link = _e(t("index_missing", lang))
        rank = "—" if pd.isna(r.rank_national) else str(int(r.rank_national))
        rows.append(
            f"<tr><td>{_e(r.gov_code)}</td><td>{_e(r.government)}</td><td>{_e(r.kind)}</td>"
            f"<td>{_num(r.estimate)}</td><td>{_e(r.category)}</td><td>{_num(r.ikm)}</td>"
            f"<td>{_e(r.band)}</td><td>{rank}</td><td>{link}</td></tr>"
        )
    head = "".join(
        f"<th>{_e(t(k, lang))}</th>"
        for k in (
            "col_code",
            "col_government",
            "col_gov_kind",
            "overall_index",
            "col_category",
            "col_ikm",
            "col_band",
            "col_rank",
            "index_report",
        )  # fmt: skip
    )
    count_rows = "".join(f"<tr><td>{_e(c)}</td><td>{int(n)}</td></tr>" for c, n in counts.items())
    title = t("index_title", lang, wave=wave)
    banner = views.synthetic_banner_html(lang) if ctx.synthetic else ""
    page = f"""<!DOCTYPE html>
<html lang="{_e(lang)}"><head><meta charset="utf-8"><title>{_e(title)}</title>{_CSS}
<style>body {{ font-family: sans-serif; margin: 2em; }}</style></head>
<body>{banner}<h1>{_e(title)}</h1>
<h2>{_e(t("index_counts", lang))}</h2>
<table class="berakhlak-table" id="category-counts"><thead><tr><th>{_e(t("col_category", lang))}</th>
<th>{_e(t("col_count", lang))}</th></tr></thead><tbody>{count_rows}</tbody></table>
<table class="berakhlak-table" id="governments"><thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="berakhlak-note">{_e(t("scoring_note", lang))}</p>
</body></html>
"""
    out = wave_dir / "index.html"
    out.write_text(page, encoding="utf-8")
    return out
