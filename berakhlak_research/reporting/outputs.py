"""A report's files for people and programs: tables (CSV, XLSX) and figures, made safe.

* :func:`write_tables`: every table shown as a program CSV, a spreadsheet CSV
  in the report's locale and one formatted XLSX workbook with a notes sheet;
  headers and codes in the report's language; text cells that a spreadsheet
  would read as a formula (= + - @ tab CR) neutralised (OWASP CSV injection).
* :func:`write_figures`: the figures, each SVG checked inert first
  (:func:`svg_problems`).

The report views call :func:`write_outputs` (``save_outputs``); this module
does not import the views.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pandas as pd

from berakhlak_research.exceptions import ReportError
from berakhlak_research.i18n import STRINGS, t
from berakhlak_research.reporting._cells import (
    _FLOAT,
    _PANDAS,
    _TEXT,
    _frame_table,
    _missing,
    _Table,
)
from berakhlak_research.reporting.xlsx import write_xlsx

__all__ = [
    "write_outputs",
    "write_tables",
    "write_figures",
    "svg_problems",
    "check_svg",
    "export_frame",
    "neutralise",
    "neutralise_frame",
    "notes_frame",
    "sheet_name",
    "FORMULA_LEADS",
    "EXCEL_CSV_DIR",
]

# ---------------------------------------------------------------------------
# safe, translated table exports
# ---------------------------------------------------------------------------

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""

_LEAD = re.compile(r"^[=+\-@\t\r]")

# raw column names a table can still carry after the report's own header mapping
_EXPORT_HEADERS = {
    "ci_low": "col_ci_low", "ci_high": "col_ci_high", "se": "col_se",
    "element": "col_element_code", "total": "col_total", "gov_code": "col_gov_code",
    "p_value": "col_p", "estimate": "col_estimate", "n": "col_n", "reached": "col_reached",
    "path_name": "col_path",
}  # fmt: skip
# codes in cells -> i18n key of their name
_EXPORT_VALUES = {"staggered_att": "export_est_staggered_att", "twfe": "export_est_twfe"}


def neutralise(text):
    """``text`` made inert for spreadsheets: a leading = + - @ tab or CR gets a ``'`` before it.

    OWASP's advice against CSV (formula) injection: the quote makes the
    spreadsheet show the text instead of evaluating it. Non-text values are
    returned unchanged.
    """
    if isinstance(text, str) and text[:1] in FORMULA_LEADS:
        return "'" + text
    return text


def _is_text(s: pd.Series) -> bool:
    """Whether ``s`` is a text column (its codes are replaced and its text neutralised)."""
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)


def _neutralise_series(s: pd.Series) -> pd.Series:
    """``s`` with its formula-leading text cells neutralised (text columns only)."""
    if not _is_text(s):
        return s
    text = s.map(lambda v: v if isinstance(v, str) else None).astype("string")
    hit = text.str.contains(_LEAD, na=False).to_numpy()
    if hit.any():
        s = s.astype(object).copy()
        s[hit] = "'" + text[hit].astype(str)
    return s


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`neutralise` (headers too)."""
    out = df.copy()
    for i in range(out.shape[1]):  # by position: headers may repeat
        s = out.iloc[:, i]
        new = _neutralise_series(s)
        if new is not s:
            out.isetitem(i, new)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _distinct(headers: list[str], lang: str) -> list[str]:
    # a frame may keep a code column beside its name column under one header
    # (estimator + estimator_name -> "Estimator"); the earlier ones are the codes
    last = {h: i for i, h in enumerate(headers)}
    code = t("col_code", lang)
    return [h if last[h] == i else f"{h} ({code})" for i, h in enumerate(headers)]


def _export_headers(df: pd.DataFrame, lang: str) -> list[str]:
    """The headers of :func:`export_frame`: raw names translated, then made distinct."""
    heads = [
        t(_EXPORT_HEADERS[c], lang) if c in _EXPORT_HEADERS and _EXPORT_HEADERS[c] in STRINGS
        else str(c)
        for c in df.columns
    ]  # fmt: skip
    return _distinct(heads, lang)


def _export_codes(lang: str) -> dict[str, str]:
    """Estimator code -> its name in ``lang``."""
    return {k: t(v, lang) for k, v in _EXPORT_VALUES.items()}


def _replace_codes(s: pd.Series, codes: dict[str, str]) -> pd.Series:
    """``s`` with estimator codes replaced by their names (text columns only)."""
    if not _is_text(s):
        return s
    if isinstance(s.dtype, pd.CategoricalDtype) and s.isin(list(codes)).any():
        # a name is no category of the column: replace in plain objects
        s = s.astype(object)
    return s.replace(codes)


def export_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A shown table ready to export: raw headers and codes translated, text neutralised.

    Parameters
    ----------
    df : pandas.DataFrame
        A table as the report shows it (headers already in ``lang`` where the
        report maps them).
    lang : {"id", "en"}

    Returns
    -------
    pandas.DataFrame
        The same rows and values (numbers at full precision), leftover raw
        column names (``ci_low``, ``ci_high``, ``element``, ...) and estimator
        codes in the report's language, headers distinct (a code column that
        shares its name column's header is marked "(Code)"), every text cell
        safe for spreadsheets.
    """
    out = df.copy()
    out.columns = _export_headers(df, lang)
    codes = _export_codes(lang)
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if _is_text(s):
            out.isetitem(i, _replace_codes(s, codes))
    return neutralise_frame(out)


def _export_table(df: pd.DataFrame, lang: str | None) -> _Table:
    """:func:`export_frame` (``lang``) or :func:`neutralise_frame` (None) as a :class:`_Table`.

    The same cells as the frame those return, computed on plain Python lists:
    a pandas call per table, not per column, for the usual dtypes (float64,
    integers, booleans, text); other columns go through the pandas code of
    :func:`export_frame`, so the two always agree.
    """
    tab = _frame_table(df)
    heads = _export_headers(df, lang) if lang else [str(c) for c in df.columns]
    tab.headers = [neutralise(h) for h in heads]
    codes = _export_codes(lang) if lang else {}
    for i, kind in enumerate(tab.kinds):
        if kind == _TEXT:
            cells = tab.cells[i]
            if codes:
                cells = [codes.get(v, v) if isinstance(v, str) else v for v in cells]
            tab.cells[i] = [neutralise(v) for v in cells]
        elif kind == _PANDAS and _is_text(tab.series[i]):
            s = _replace_codes(tab.series[i], codes) if codes else tab.series[i]
            tab.set_series(i, _neutralise_series(s))
    return tab


_CSV_OPTIONS = {"quoting": csv.QUOTE_MINIMAL, "quotechar": '"', "doublequote": True,
                "lineterminator": "\r\n"}  # fmt: skip
"""What ``DataFrame.to_csv`` hands the csv module (CRLF rows: see :func:`write_tables`)."""


def _pandas_cells(s: pd.Series, sep: str, decimal: str) -> list[str]:
    """The text ``DataFrame.to_csv`` writes for the cells of ``s``, read back from its CSV."""
    text = s.to_frame().to_csv(index=False, header=False, sep=sep, decimal=decimal,
                               lineterminator="\n")  # fmt: skip
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    return [row[0] if row else "" for row in rows]


def _csv_text(tab: _Table, sep: str, decimal: str) -> str:
    """``tab`` as ``DataFrame.to_csv(index=False, sep=sep, decimal=decimal)`` writes it.

    Cells go to the csv module as pandas hands them over: missing ones empty,
    float64 ones as their shortest round-trip text (``repr``, what numpy's
    ``astype(str)`` gives) with ``decimal`` for the first point, anything else
    as is (the csv module writes ``str``).
    """
    cols = []
    for i, (kind, cells) in enumerate(zip(tab.kinds, tab.cells, strict=True)):
        if kind == _FLOAT:
            if decimal == ".":  # the csv module writes a float as its repr
                cols.append(["" if v != v else v for v in cells])
            else:
                cols.append(["" if v != v else repr(v).replace(".", decimal, 1) for v in cells])
        elif kind == _PANDAS:
            cols.append(_pandas_cells(tab.series[i], sep, decimal))
        else:
            cols.append(["" if _missing(v) else v for v in cells])
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, **_CSV_OPTIONS)
    writer.writerow(tab.headers)
    writer.writerows(zip(*cols, strict=True) if cols else [()] * tab.nrows)
    return buf.getvalue()


def sheet_name(name: str, lang: str) -> str:
    """The XLSX sheet name of a report table (``sheet_<name>`` in the catalogue)."""
    key = f"sheet_{name}"
    return t(key, lang) if key in STRINGS else str(name).replace("_", " ").capitalize()


def notes_frame(lang: str, min_group: int, tables: dict | None = None) -> pd.DataFrame:
    """The "Catatan" / "Notes" sheet: definitions, suppression rule, what each table withheld.

    Returns
    -------
    pandas.DataFrame
        Columns (translated): term, definition.
    """
    terms = [
        (t("overall_index", lang), t("notes_index", lang)),
        (t("col_ci", lang), t("notes_ci", lang)),
        (t("col_p", lang), t("notes_p", lang)),
        (t("col_n", lang), t("notes_n", lang)),
        (t("col_ikm", lang), t("notes_ikm", lang)),
        (t("sheet_suppression", lang), t("notes_suppression", lang, m=min_group)),
    ]
    for name, df in (tables or {}).items():
        k = int(df.attrs.get("withheld", 0) or 0)
        if k:
            terms.append(
                (
                    sheet_name(name, lang),
                    t("notes_withheld", lang, sheet=sheet_name(name, lang), k=k, m=min_group),
                )
            )
    terms.append((t("sheet_notes", lang), t("notes_precision", lang)))
    return pd.DataFrame(terms, columns=[t("col_term", lang), t("col_definition", lang)])


EXCEL_CSV_DIR = "excel"
"""Subfolder of ``tables/`` holding the CSV files for spreadsheet programs."""


def write_tables(
    table_dir: str | os.PathLike, tables: dict, lang: str = "id", min_group: int = 10
) -> dict[str, Path]:
    """Write a report's tables as CSV (two flavours) and one formatted XLSX workbook.

    * ``<name>.csv``: for programs: UTF-8 without BOM, comma separator,
      decimal point, full precision, CRLF rows (RFC 4180).
    * ``excel/<name>.csv``: for spreadsheets in the report's locale: UTF-8
      with BOM (so Excel reads the encoding), and in Indonesian a semicolon
      separator with decimal comma (what Excel in an Indonesian locale
      expects), in English comma and decimal point.
    * ``tables.xlsx``: a sheet per table (sheet names in the report's
      language) plus a notes sheet ("Catatan" / "Notes") with definitions and
      the suppression rule; see :func:`write_xlsx` for the formatting.

    Headers and estimator codes are in the report's language, and every text
    cell that starts with = + - @ tab or CR is neutralised (:func:`neutralise`)
    in all three.

    Parameters
    ----------
    table_dir : path
        The report's ``tables/`` folder.
    tables : dict of str -> pandas.DataFrame
        Table name -> table as shown (``ReportContext.shown``).
    lang : {"id", "en"}
    min_group : int
        Smallest group shown (for the suppression note).

    Returns
    -------
    dict of str -> pathlib.Path
        ``"xlsx"`` and one entry per table (its program CSV).
    """
    tdir = Path(table_dir)
    (tdir / EXCEL_CSV_DIR).mkdir(parents=True, exist_ok=True)
    sep, dec = (";", ",") if lang == "id" else (",", ".")
    written, sheets = {}, {}
    for name, df in tables.items():
        # each table converted once to Python lists for all three files (the same
        # cells as export_frame(df, lang), written as DataFrame.to_csv would)
        out = _export_table(df, lang)
        prog = _csv_text(out, ",", ".")
        excel = prog if sep == "," and dec == "." else _csv_text(out, sep, dec)
        # CRLF rows (RFC 4180) for both: a CR inside a text cell is then quoted, not a row break
        (tdir / f"{name}.csv").write_bytes(prog.encode("utf-8"))
        (tdir / EXCEL_CSV_DIR / f"{name}.csv").write_bytes(excel.encode("utf-8-sig"))
        written[name] = tdir / f"{name}.csv"
        sheets[sheet_name(name, lang)] = out
    if tables:
        notes = t("sheet_notes", lang)
        sheets[notes] = _export_table(notes_frame(lang, min_group, tables), None)
        written["xlsx"] = write_xlsx(tdir / "tables.xlsx", sheets, lang=lang, wrap=(notes,))
    return written


# ---------------------------------------------------------------------------
# figure safety
# ---------------------------------------------------------------------------

# What matplotlib's SVG backend emits; anything else (script, foreignObject, a,
# animate/set, iframe...) has no business in a report figure.
_SVG_ELEMENTS = frozenset(
    "svg g defs path use text tspan clipPath rect style metadata title desc line polyline "
    "polygon circle ellipse image linearGradient radialGradient stop pattern mask "
    "RDF Work type format creator Agent date title description".split()
)
_SVG_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*$")
_CSS_BAD = re.compile(r"url\(\s*(?!['\"]?#)|@import|expression\s*\(|javascript:", re.I)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def svg_problems(data: bytes | str) -> list[str]:
    """What makes an SVG figure unsafe to open or embed; empty when it is inert.

    Inert means: only the elements matplotlib draws with (no ``script``,
    ``foreignObject``, links or animations), no event-handler attributes
    (``on*``), references only to fragments of the same file (``#id``) or
    to inline PNG/JPEG data, no external URLs in styles, no entity
    declarations. Text from data can then only be character data of
    ``<text>`` elements, which the XML parser has already unescaped once: it
    is shown, never interpreted.

    Returns
    -------
    list of str
        One line per problem found.
    """
    from xml.etree import ElementTree

    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    problems = []
    if b"<!ENTITY" in raw:
        problems.append("entity declaration")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as err:
        return [*problems, f"not well-formed XML: {err}"]
    metadata = {id(e) for m in root.iter() if _local(m.tag) == "metadata" for e in m.iter()}
    for el in root.iter():
        name = _local(el.tag)
        if name not in _SVG_ELEMENTS:
            problems.append(f"element <{name}>")
        if name == "style" and _CSS_BAD.search(el.text or ""):
            problems.append("external reference in <style>")
        for key, val in el.attrib.items():
            attr = _local(key)
            if attr.lower().startswith("on"):
                problems.append(f"event handler {attr} on <{name}>")
            elif attr == "href" and not (val.startswith("#") or _SVG_DATA_IMAGE.match(val)):
                problems.append(f"reference {val[:60]!r} on <{name}>")
            elif attr == "style" and _CSS_BAD.search(val):
                problems.append(f"external reference in the style of <{name}>")
            elif "://" in val and id(el) not in metadata:
                problems.append(f"URL in {attr} of <{name}>")
    return problems


def check_svg(data: bytes | str, name: str = "figure") -> bytes | str:
    """Return ``data`` when :func:`svg_problems` finds nothing, else raise :class:`ReportError`."""
    problems = svg_problems(data)
    if problems:
        raise ReportError(
            f"SVG {name} is not inert ({'; '.join(problems[:5])}); it was not written. "
            "Figures must be drawn by matplotlib from escaped text."
        )
    return data


def write_figures(figure_dir: str | os.PathLike, figures) -> dict[str, Path]:
    """Write a report's figures (``figures/<name>.<fmt>``), each SVG checked by :func:`check_svg`.

    Parameters
    ----------
    figure_dir : path
    figures : iterable of (name, fmt, bytes)
        ``ReportContext.figures``.

    Returns
    -------
    dict of str -> pathlib.Path

    Raises
    ------
    ReportError
        An SVG that is not inert (nothing of it is written).
    """
    fdir = Path(figure_dir)
    fdir.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, fmt, data in figures:
        if fmt == "svg":
            check_svg(data, name)
        path = fdir / f"{name}.{fmt}"
        path.write_bytes(data)
        out[name] = path
    return out


def write_outputs(
    output_dir: str | os.PathLike, tables: dict, figures, lang: str = "id", min_group: int = 10
) -> dict[str, Path]:
    """Write a report's tables (:func:`write_tables`) and figures (:func:`write_figures`).

    Returns
    -------
    dict of str -> pathlib.Path
        Every file written, by table or figure name (and ``"xlsx"``).
    """
    out = Path(output_dir)
    written = write_tables(out / "tables", tables, lang, min_group)
    written.update(write_figures(out / "figures", figures))
    return written
