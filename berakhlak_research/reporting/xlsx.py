"""The tables of a report as one XLSX workbook (:func:`write_xlsx`).

Its own module because both the report views (a report's ``tables.xlsx``) and
the export step use it, and the views must not import the export module (which
imports the views for the index page).
"""

from __future__ import annotations

import html
import os
import zipfile
from pathlib import Path

import pandas as pd

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
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _xml_text(x) -> str:
    # XML 1.0 forbids most control characters; drop them
    text = "".join(ch for ch in str(x) if ch in "\t\n\r" or ord(ch) >= 32)
    return html.escape(text, quote=False)


def _cell(ref: str, v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{repr(float(v)) if isinstance(v, float) else v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_text(v)}</t></is></c>'


def write_xlsx(path: str | os.PathLike, sheets: dict) -> Path:
    """Write data frames to one XLSX workbook, a sheet each (values only, no styling).

    A small writer of the SpreadsheetML parts, because a report's dozen small
    tables take openpyxl longer than the rest of the report; openpyxl and
    spreadsheet programs read the result.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file.
    sheets : dict of str -> pandas.DataFrame
        Sheet name (cut to 31 characters) -> table; the header row is the columns.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    names, parts = [], {}
    for k, (name, df) in enumerate(sheets.items(), start=1):
        clean = "".join(ch for ch in str(name) if ch not in "[]:*?/\\")[:31] or f"Sheet{k}"
        names.append(clean)
        rows = [list(df.columns)] + df.astype(object).to_numpy().tolist()
        body = "".join(
            f'<row r="{r + 1}">'
            + "".join(_cell(f"{_col(c)}{r + 1}", v) for c, v in enumerate(row))
            + "</row>"
            for r, row in enumerate(rows)
        )
        parts[f"xl/worksheets/sheet{k}.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>"
        )
    n = len(names)
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for k in range(1, n + 1)
    )
    parts["[Content_Types].xml"] = _XLSX_STATIC["[Content_Types].xml"].replace("{sheets}", over)
    parts["_rels/.rels"] = _XLSX_STATIC["_rels/.rels"]
    parts["xl/styles.xml"] = _XLSX_STATIC["xl/styles.xml"]
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
