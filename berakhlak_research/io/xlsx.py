"""A small, fast reader of the cell values stored in an .xlsx worksheet.

openpyxl builds an object per cell, which takes seconds for a survey export of
a few thousand rows. This reader parses the sheet's XML once (in C) and returns
plain Python values: shared and inline strings, numbers (int when whole),
booleans, error codes as text (``"#N/A"``), and dates for cells whose number
format is a date format. Formulas are never evaluated: a formula cell gives
the value Excel cached when it last saved the file (or nothing if there is
none). Any structure it does not understand raises :class:`XlsxFormatError`,
and the caller falls back to openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from xml.etree import ElementTree as ET

__all__ = ["read_sheet", "sheet_names", "dense_rows", "XlsxFormatError"]

_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


class XlsxFormatError(Exception):
    """The workbook uses a layout this reader does not handle."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem, name: str):
    return [c for c in elem if _local(c.tag) == name]


def _text_of(elem) -> str:
    """Concatenated <t> texts of a string item, skipping phonetic runs."""
    parts: list[str] = []
    for child in elem:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            for t in child:
                if _local(t.tag) == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def _workbook(z: zipfile.ZipFile) -> tuple[list[tuple[str, str]], bool]:
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheets = []
    date1904 = False
    for elem in wb.iter():
        tag = _local(elem.tag)
        if tag == "workbookPr":
            date1904 = elem.get("date1904") in ("1", "true")
        elif tag == "sheet":
            target = targets.get(elem.get(_R))
            if target is None:
                raise XlsxFormatError("sheet without a relationship")
            target = target.lstrip("/")
            path = target if target.startswith("xl/") else "xl/" + target
            sheets.append((elem.get("name"), path))
    if not sheets:
        raise XlsxFormatError("no sheets")
    return sheets, date1904


def sheet_names(path) -> list[str]:
    """Names of the worksheets, in workbook order."""
    with zipfile.ZipFile(path) as z:
        return [n for n, _ in _workbook(z)[0]]


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    try:
        data = z.read("xl/sharedStrings.xml")
    except KeyError:
        return []
    root = ET.fromstring(data)
    return [_text_of(si) for si in root if _local(si.tag) == "si"]


def _date_styles(z: zipfile.ZipFile) -> set[int]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    try:
        root = ET.fromstring(z.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for elem in root:
        tag = _local(elem.tag)
        if tag == "numFmts":
            for nf in elem:
                custom[int(nf.get("numFmtId"))] = nf.get("formatCode") or ""
        elif tag == "cellXfs":
            xfs = [int(xf.get("numFmtId") or 0) for xf in elem if _local(xf.tag) == "xf"]
    out = set()
    for i, fmt_id in enumerate(xfs):
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
        if is_date_format(code):
            out.add(i)
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _number(v: str):
    try:
        return int(v)
    except ValueError:
        return float(v)


def read_sheet(path, sheet: str | None = None) -> tuple[str, list[tuple], list[str]]:
    """Read one worksheet's stored values.

    Parameters
    ----------
    path : path-like
    sheet : str, optional
        Sheet name (default: the first sheet).

    Returns
    -------
    title : str
        The sheet's name.
    rows : list of tuple
        One tuple per sheet row from row 1 (empty rows as empty tuples).
    names : list of str
        All sheet names (for messages).

    Raises
    ------
    KeyError
        ``sheet`` is not in the workbook.
    XlsxFormatError
        A layout this reader does not handle (use openpyxl instead).
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    with zipfile.ZipFile(path) as z:
        sheets, date1904 = _workbook(z)
        names = [n for n, _ in sheets]
        if sheet is None:
            title, target = sheets[0]
        else:
            match = [s for s in sheets if s[0] == sheet]
            if not match:
                raise KeyError(sheet)
            title, target = match[0]
        strings = _shared_strings(z)
        dates = _date_styles(z)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        with z.open(target) as fh:
            root = ET.parse(fh).getroot()
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    row_tag, c_tag, v_tag, is_tag = ns + "row", ns + "c", ns + "v", ns + "is"
    data = root.find(ns + "sheetData")
    rows: list[tuple] = []
    if data is None:
        return title, rows, names
    for elem in data.iter(row_tag):
        r = elem.get("r")
        number = int(r) if r else len(rows) + 1
        while len(rows) < number - 1:
            rows.append({})
        cells: dict[int, object] = {}
        col = -1
        for c in elem.iter(c_tag):
            ref = c.get("r")
            if ref:
                m = _CELL_REF.match(ref)
                if not m:
                    raise XlsxFormatError(f"cell reference {ref!r}")
                col = _col_index(m.group(1))
            else:
                col += 1
            t = c.get("t", "n")
            v = None
            for child in c:
                if child.tag == v_tag:
                    v = child.text
                elif child.tag == is_tag:
                    v = _text_of(child)
            if v is None:
                continue
            if t == "s":
                value = strings[int(v)]
            elif t in ("inlineStr", "str", "e"):
                value = v
            elif t == "b":
                value = v.strip() in ("1", "true")
            elif t == "d":
                value = datetime.fromisoformat(v)
            else:
                value = _number(v)
                if dates and int(c.get("s") or 0) in dates:
                    value = from_excel(value, epoch)
            cells[col] = value
        rows.append(cells)
    return title, dense_rows(rows), names


_SPARSE_FROM = 1024


def dense_rows(rows: list) -> list[tuple]:
    """Rows as tuples over the columns that hold a value.

    The sheet's declared dimension (``<dimension ref="A1:XFD20000">``) and
    cells that carry only a style are ignored, so a stray cell at XFD1 or a
    used range running to the last column never allocates 16,384 columns per
    row: past :data:`_SPARSE_FROM` columns, the empty columns between used ones
    are dropped.
    """
    used: set[int] = set()
    for r in rows:
        if r:
            used.update(r)
    if not used:
        return [() for _ in rows]
    top = max(used) + 1
    if top <= _SPARSE_FROM:
        return [tuple(r.get(i) for i in range(max(r) + 1)) if r else () for r in rows]
    cols = sorted(used)
    pos = {c: i for i, c in enumerate(cols)}
    out = []
    for r in rows:
        if not r:
            out.append(())
            continue
        t = [None] * (max(pos[c] for c in r) + 1)
        for c, v in r.items():
            t[pos[c]] = v
        out.append(tuple(t))
    return out
