"""The tables of a report as one XLSX workbook (:func:`write_xlsx`), formatted for people.

Its own module because both the report views (a report's ``tables.xlsx``) and
the export step use it, and the views must not import the export module (which
imports the views for the index page).
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from functools import lru_cache
from pathlib import Path

import pandas as pd

from berakhlak_research.i18n import t
from berakhlak_research.reporting._cells import (
    _FLOAT,
    _TEXT,
    _frame_table,
    _missing,
    _Table,
)

__all__ = ["write_xlsx"]


_XLSX_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "{sheets}</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
}

# Cell styles (index into <cellXfs>). Number formats are stored in the file's
# invariant notation ("#,##0.0"); the spreadsheet shows them with the reader's
# separators (2.391,0 in Indonesian Excel), so one workbook serves both.
_XF_TEXT, _XF_HEADER, _XF_INT, _XF_PLAIN_INT, _XF_1, _XF_2, _XF_3, _XF_P, _XF_WRAP = range(9)
_NUMFMT = {164: "#,##0.0", 165: "#,##0.00", 166: "0.000"}


def _styles_xml(lang: str) -> str:
    # p-values: a conditional format, so 0.0000182 shows "< 0,001" and keeps its value
    p_text = "< " + ("0,001" if lang == "id" else "0.001")
    fmts = {**_NUMFMT, 167: f'[<0.001]"{p_text}";0.000'}
    numfmts = "".join(
        f'<numFmt numFmtId="{k}" formatCode="{html.escape(v)}"/>' for k, v in fmts.items()
    )
    xf = '<xf numFmtId="{n}" fontId="{f}" fillId="{fill}" borderId="0" xfId="0"{extra}/>'
    num = ' applyNumberFormat="1"'
    xfs = [
        xf.format(n=0, f=0, fill=0, extra=""),
        xf.format(n=0, f=1, fill=2, extra=' applyFont="1" applyFill="1"'),
        xf.format(n=3, f=0, fill=0, extra=num),
        xf.format(n=1, f=0, fill=0, extra=num),
        xf.format(n=164, f=0, fill=0, extra=num),
        xf.format(n=165, f=0, fill=0, extra=num),
        xf.format(n=166, f=0, fill=0, extra=num),
        xf.format(n=167, f=0, fill=0, extra=num),
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
        '<alignment wrapText="1" vertical="top"/></xf>',
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="{len(fmts)}">{numfmts}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFF3F5F8"/><bgColor indexed="64"/>'
        "</patternFill></fill></fills>"
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# XML 1.0 forbids most control characters (all below U+0020 but tab, LF and CR)
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# ... and the characters that need any work at all (those, & < > and CR)
_XML_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f&<>]")
_INF = (float("inf"), float("-inf"))


def _xml_text(x) -> str:
    text = str(x)
    if not _XML_SPECIAL.search(text):  # most text: nothing to drop or escape
        return text
    # XML 1.0 forbids most control characters; drop them
    text = _XML_FORBIDDEN.sub("", text)
    # a literal CR would be read back as LF (XML end-of-line handling): keep it as a reference
    return html.escape(text, quote=False).replace("\r", "&#13;")


def _cell(ref: str, v, style: int = 0) -> str:
    if _missing(v):
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        s = f' s="{style}"' if style else ""
        if isinstance(v, float):
            if v in _INF:
                return f'<c r="{ref}" t="inlineStr"><is><t>{"∞" if v > 0 else "-∞"}</t></is></c>'
            return f'<c r="{ref}"{s}><v>{float(v)!r}</v></c>'
        return f'<c r="{ref}"{s}><v>{v}</v></c>'
    s = f' s="{style}"' if style in (_XF_HEADER, _XF_WRAP) else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(v)}</t></is></c>'


# Display decimals per column, by the column's raw name or the i18n key of its header
# (the tables a report shows arrive with translated headers).
_STYLE_BY_COLUMN = {
    "p_value": _XF_P, "col_p": _XF_P,
    "importance": _XF_2, "col_importance": _XF_2, "alpha": _XF_2, "col_alpha": _XF_2,
    "omega": _XF_2, "col_omega": _XF_2, "nrr": _XF_2, "col_nrr": _XF_2,
    "r_corrected": _XF_2, "share": _XF_3, "icc": _XF_3, "cfi": _XF_3, "tli": _XF_3,
    "rmsea": _XF_3, "srmr": _XF_3, "col_fit": _XF_3, "se": _XF_2, "col_se": _XF_2,
    "wave": _XF_PLAIN_INT, "year": _XF_PLAIN_INT, "period": _XF_PLAIN_INT,
    "cohort": _XF_PLAIN_INT, "col_cohort": _XF_PLAIN_INT, "first_wave": _XF_PLAIN_INT,
    "event_time": _XF_PLAIN_INT, "col_event_time": _XF_PLAIN_INT,
}  # fmt: skip


@lru_cache(maxsize=4)
def _header_keys(lang: str) -> dict[str, str]:
    """Translated header -> its i18n key (``col_*`` and the ``wave`` label)."""
    from berakhlak_research.i18n import STRINGS

    return {t(k, lang): k for k in STRINGS if k.startswith("col_") or k == "wave"}


def _column_style(header, dtype, lang: str) -> int:
    """The cell style of a column from its header and dtype (a Series works too)."""
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return _XF_TEXT
    key = _header_keys(lang).get(str(header), str(header))
    style = _STYLE_BY_COLUMN.get(key, _STYLE_BY_COLUMN.get(str(header)))
    if style is not None:
        return style
    return _XF_INT if pd.api.types.is_integer_dtype(dtype) else _XF_1


_DECIMALS = {_XF_INT: 0, _XF_PLAIN_INT: 0, _XF_1: 1, _XF_2: 2, _XF_3: 3, _XF_P: 3}


def _width(header, series: pd.Series, style: int) -> float:
    """Column width in characters: the longest header or cell as displayed, 6 to 60."""
    longest = len(str(header))
    if len(series):
        if style in _DECIMALS:
            big = pd.to_numeric(series, errors="coerce").abs().max()
            if pd.notna(big):
                longest = max(longest, len(f"{big:,.{_DECIMALS[style]}f}") + 1)
        else:
            lens = series.dropna().astype(str).str.len()
            if len(lens):
                longest = max(longest, int(lens.max()))
    return float(min(max(longest + 2, 6), 60))


def _width_of_cells(header, cells: list, style: int) -> float:
    """:func:`_width` of a column of plain cells (numbers or text), without pandas."""
    longest = len(str(header))
    if style in _DECIMALS:
        # the largest magnitude as shown sets the width (pandas' abs().max() skips NaN)
        nums = [abs(v) for v in cells if not _missing(v)]
        if nums:
            longest = max(longest, len(f"{max(nums):,.{_DECIMALS[style]}f}") + 1)
    else:
        lens = [len(str(v)) for v in cells if not _missing(v)]
        if lens:
            longest = max(longest, max(lens))
    return float(min(max(longest + 2, 6), 60))


def _column_cells(letter: str, kind: str, cells: list, style: int) -> list[str]:
    """The ``<c>`` elements of one column (rows from 2), as :func:`_cell` writes them."""
    s = f' s="{style}"' if style else ""
    if kind == _FLOAT:  # floats only: NaN empty, infinities as text (_cell)
        return [
            "" if v != v
            else _cell(f"{letter}{r}", v, style) if v in _INF
            else f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>'
            for r, v in enumerate(cells, start=2)
        ]  # fmt: skip
    if kind == _TEXT:  # str or missing cells only
        s = f' s="{style}"' if style in (_XF_HEADER, _XF_WRAP) else ""
        return [
            f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(v)}'
            "</t></is></c>" if isinstance(v, str) else ""
            for r, v in enumerate(cells, start=2)
        ]  # fmt: skip
    return [_cell(f"{letter}{r}", v, style) for r, v in enumerate(cells, start=2)]


def _table_xml(tab: _Table, lang: str, wrap: bool = False) -> str:
    """The worksheet XML of ``tab``: header row, styled cells, fitted widths, frozen pane."""
    cols = tab.headers
    # columns by position: headers may repeat
    styles = [
        _XF_WRAP if wrap else _column_style(c, d, lang)
        for c, d in zip(cols, tab.dtypes, strict=True)
    ]
    widths = [
        _width(c, tab.series[i], s) if i in tab.series else _width_of_cells(c, tab.cells[i], s)
        for i, (c, s) in enumerate(zip(cols, styles, strict=True))
    ]
    head = (
        '<row r="1">'
        + "".join(_cell(f"{_col(c)}1", str(h), _XF_HEADER) for c, h in enumerate(cols))
        + "</row>"
    )
    # the cells column by column (one comprehension each), then joined into rows
    xml = [
        _column_cells(_col(c), kind, cells, style)
        for c, (kind, cells, style) in enumerate(zip(tab.kinds, tab.cells, styles, strict=True))
    ]
    rows = zip(*xml, strict=True) if cols else [()] * tab.nrows
    body = "".join(f'<row r="{r}">{"".join(row)}</row>' for r, row in enumerate(rows, start=2))
    colxml = "".join(
        f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
        for c, w in enumerate(widths, start=1)
    )
    # the header row stays in view while scrolling (frozen pane below row 1)
    view = (
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{view}{'<cols>' + colxml + '</cols>' if cols else ''}"
        f"<sheetData>{head}{body}</sheetData></worksheet>"
    )


def _sheet_names(names) -> list[str]:
    """Valid, distinct sheet names: no []:*?/\\, at most 31 characters."""
    out: list[str] = []
    for k, name in enumerate(names, start=1):
        clean = "".join(ch for ch in str(name) if ch not in "[]:*?/\\").strip("'")[:31]
        clean = clean or f"Sheet{k}"
        base, i = clean, 2
        while clean.lower() in {o.lower() for o in out}:
            suffix = f" ({i})"
            clean, i = base[: 31 - len(suffix)] + suffix, i + 1
        out.append(clean)
    return out


def write_xlsx(path: str | os.PathLike, sheets: dict, lang: str = "en", wrap: tuple = ()) -> Path:
    """Write data frames to one XLSX workbook, a sheet each, formatted for people.

    Every sheet has a bold header row frozen in view and column widths fitted
    to the content; number cells keep full precision and show 1-3 decimals by
    column (counts grouped, years plain, p-values below 0.001 as "< 0.001").
    A small writer of the SpreadsheetML parts, because a report's dozen small
    tables take openpyxl longer than the rest of the report; openpyxl and
    spreadsheet programs read the result.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file.
    sheets : dict of str -> pandas.DataFrame
        Sheet name (cut to 31 characters, made distinct) -> table; the header
        row is the columns. ``outputs.write_tables`` passes the tables it has
        already converted for its CSV files (``_cells._Table``) instead.
    lang : {"id", "en"}
        Language of the headers (finds each column's display decimals) and
        of the "< 0.001" text.
    wrap : tuple of str
        Sheets whose cells wrap text (long notes).

    Returns
    -------
    pathlib.Path
    """
    # the report writer hands over tables it has already converted for its CSV files
    sheets = {k: v if isinstance(v, _Table) else _frame_table(v) for k, v in sheets.items()}
    path = Path(path)
    names = _sheet_names(sheets)
    parts = {
        f"xl/worksheets/sheet{k}.xml": _table_xml(tab, lang, wrap=name in wrap)
        for k, (name, tab) in enumerate(sheets.items(), start=1)
    }
    n = len(names)
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for k in range(1, n + 1)
    )
    parts["[Content_Types].xml"] = _XLSX_STATIC["[Content_Types].xml"].replace("{sheets}", over)
    parts["_rels/.rels"] = _XLSX_STATIC["_rels/.rels"]
    parts["xl/styles.xml"] = _styles_xml(lang)
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{html.escape(s)}" sheetId="{k}" r:id="rId{k}"/>'
            for k, s in enumerate(names, start=1)
        )
        + "</sheets></workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{k}.xml"/>'
            for k in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/styles.xml"):  # fmt: skip
            z.writestr(name, parts.pop(name))
        for name, text in parts.items():
            z.writestr(name, text)
    return path
