"""Read a raw export (CSV, XLSX, Parquet) into a frame of raw values, nothing changed.

The reader keeps, for each data row, its row number as the user sees it in
the file (1-based, the header counted: the first data row under a header on
line 1 is row 2; in a workbook, the sheet's own row number). Fully blank rows
are skipped and counted. Spreadsheet formulas are never evaluated: the cached
value stored in the workbook is read, and text is text.
"""

from __future__ import annotations

import csv
import hashlib
import io as _stdio
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.io.headers import aliases, norm_header
from berakhlak_research.tables import TABLE_NAMES

__all__ = ["RawFrame", "read_raw", "sha256_of", "SUPPORTED_SUFFIXES", "where_of"]

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
_HEADER_SCAN_ROWS = 30


@dataclass
class RawFrame:
    """A file's data as read.

    Attributes
    ----------
    path : Path
    sheet : str or None
        Worksheet name for workbooks.
    frame : pandas.DataFrame
        One column per header, raw values, default RangeIndex.
    rows : numpy.ndarray
        Row number in the file of each frame row (as the user sees it).
    header_row : int
        Row number of the header.
    sha256 : str
        Checksum of the raw file's bytes.
    blank_rows : int
        Fully blank rows skipped.
    decimal : str
        "," for semicolon CSV (Indonesian decimal comma), "." otherwise.
    malformed : dict
        Frame position -> number of fields, for CSV lines that did not split
        into as many fields as the header has.
    """

    path: Path
    sheet: str | None
    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    sha256: str
    blank_rows: int = 0
    decimal: str = "."
    delimiter: str | None = None
    malformed: dict[int, int] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return where_of(self.path, self.sheet)


def where_of(path: Path | str, sheet: str | None = None) -> str:
    """How messages name a file (and sheet)."""
    return f"{path}" + (f" [sheet {sheet!r}]" if sheet else "")


def sha256_of(path: Path | str) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_raw(path: Path | str, sheet: str | None = None) -> RawFrame:
    """Read one raw export.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (comma or semicolon; UTF-8 with or without BOM), ``.xlsx``
        or ``.parquet`` file.
    sheet : str, optional
        Worksheet of a workbook (default: the first).

    Returns
    -------
    RawFrame

    Raises
    ------
    FileProblem
        The file does not exist, cannot be read, is empty, has no data rows, or
        the sheet is not in the workbook.
    """
    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"{path}: no such file. Check the path.", str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        raw = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _read_xlsx(path, sheet)
    elif suffix in (".parquet", ".pq"):
        raw = _read_parquet(path)
    elif suffix == ".xls":
        raise FileProblem(
            f"{path}: old Excel 97-2003 (.xls) workbooks are not read. Open it in Excel or "
            "LibreOffice and save it as .xlsx (or CSV UTF-8).",
            str(path),
        )
    else:
        raise FileProblem(
            f"{path}: unsupported file type {suffix!r}; use CSV, XLSX or Parquet.", str(path)
        )
    if len(raw.frame) == 0:
        raise FileProblem(
            f"{raw.where}: the file has a header but no data rows. Export the data again "
            "(or remove the file from the folder).",
            str(path),
        )
    return raw


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def _decode_check(path: Path, data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FileProblem(
            f"{path}: the file is not UTF-8 text (byte {err.start}, line {line}). Save it again "
            "as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8).",
            str(path),
        ) from err


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _read_csv(path: Path) -> RawFrame:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise FileProblem(f"{path}: the file is empty. Export the data again.", str(path))
    if data[:4] == b"PK\x03\x04":
        raise FileProblem(
            f"{path}: this is an Excel workbook with a .csv name. Rename it to .xlsx.", str(path)
        )
    _decode_check(path, data)
    first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    delim = _delimiter(first)
    decimal = "," if delim == ";" else "."
    frame, malformed = _csv_fast(data, delim)
    if frame is None:
        frame, malformed = _csv_slow(data, delim)
    rows = np.arange(len(frame), dtype=np.int64) + 2
    frame, rows, blank = _drop_blank(frame, rows)
    malformed = {int(np.searchsorted(rows, r)): n for r, n in malformed.items() if r in rows}
    return RawFrame(path, None, frame, rows, 1, digest, blank, decimal, delim, malformed)


def _csv_fast(data: bytes, delim: str):
    """pyarrow, all columns as text; None when some line does not split cleanly."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad: list[int] = []

    def handler(row):
        bad.append(row.actual_columns)
        return "skip"

    try:
        first = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        header = next(csv.reader(_stdio.StringIO(first), delimiter=delim))
    except StopIteration:
        return pd.DataFrame(), {}
    names = _unique_names(header)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                ignore_empty_lines=False,
                newlines_in_values=True,
                invalid_row_handler=handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None, {}
    if bad:
        return None, {}
    frame = table.to_pandas()
    # A trailing newline produces no row; an empty line is a row of empty strings.
    return frame, {}


def _csv_slow(data: bytes, delim: str):
    """Python's csv module: keeps lines that split into too many or too few fields."""
    text = data.decode("utf-8")
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except StopIteration:
        return pd.DataFrame(), {}
    names = _unique_names(header)
    width = len(names)
    records: list[list[str]] = []
    malformed: dict[int, int] = {}
    for rec in reader:
        if len(rec) != width and any(s.strip() for s in rec):
            malformed[len(records) + 2] = len(rec)
        records.append((rec + [""] * width)[:width])
    frame = pd.DataFrame(records, columns=names, dtype="str")
    return frame, malformed


def _unique_names(header: list[str]) -> list[str]:
    """Headers as written; blank ones named by position, repeats numbered."""
    out: list[str] = []
    for i, h in enumerate(header):
        h = str(h).strip() if h is not None else ""
        h = h or f"(column {i + 1})"
        base, k = h, 2
        while h in out:
            h = f"{base} ({k})"
            k += 1
        out.append(h)
    return out


def _drop_blank(frame: pd.DataFrame, rows: np.ndarray):
    if frame.shape[1] == 0 or len(frame) == 0:
        return frame, rows, 0
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
            empty = (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool, na_value=True)
        else:
            empty = s.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).to_numpy(
                dtype=bool
            ) | s.isna().to_numpy(dtype=bool)
        blank &= empty
        if not blank.any():
            break
    n = int(blank.sum())
    if n:
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return frame, rows, n


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _header_score(cells: tuple) -> int:
    texts = {norm_header(c) for c in cells if isinstance(c, str) and c.strip()}
    known = set().union(*(aliases(t) for t in TABLE_NAMES))
    return len(texts & known)


def _sheet_not_found(path: Path, sheet: str, names: list[str]) -> FileProblem:
    return FileProblem(
        f"{path}: sheet {sheet!r} not found; the workbook has "
        + ", ".join(repr(n) for n in names)
        + ". Give one of these with --sheet.",
        str(path),
    )


def _openpyxl_rows(path: Path, sheet: str | None) -> tuple[str, list[tuple]]:
    import zipfile

    import openpyxl

    try:
        # data_only: the values Excel stored, never the formulas themselves.
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise FileProblem(
            f"{path}: cannot open the workbook ({type(err).__name__}: {err}). Is it a real .xlsx "
            "file? Open it in Excel or LibreOffice and save it again as .xlsx.",
            str(path),
        ) from err
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise _sheet_not_found(path, sheet, names)
        ws = wb.worksheets[0] if sheet is None else wb[sheet]
        return ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _read_xlsx(path: Path, sheet: str | None) -> RawFrame:
    import zipfile
    from xml.etree.ElementTree import ParseError

    from berakhlak_research.io.xlsx import XlsxFormatError, read_sheet

    digest = sha256_of(path)
    try:
        title, all_rows, _names = read_sheet(path, sheet)
    except KeyError as err:
        if sheet is not None and err.args == (sheet,):
            from berakhlak_research.io.xlsx import sheet_names

            raise _sheet_not_found(path, sheet, sheet_names(path)) from err
        title, all_rows = _openpyxl_rows(path, sheet)
    except zipfile.BadZipFile as err:
        raise FileProblem(
            f"{path}: cannot open the workbook ({type(err).__name__}: {err}). Is it a real .xlsx "
            "file? Open it in Excel or LibreOffice and save it again as .xlsx.",
            str(path),
        ) from err
    except (XlsxFormatError, ParseError, ValueError, IndexError):
        title, all_rows = _openpyxl_rows(path, sheet)
    where = where_of(path, title)
    if not any(any(v is not None and str(v).strip() for v in r) for r in all_rows):
        raise FileProblem(f"{where}: the sheet is empty. Export the data again.", str(path))
    scores = [_header_score(r) for r in all_rows[:_HEADER_SCAN_ROWS]]
    best = max(scores) if scores else 0
    if best >= 2:
        h = scores.index(best)
    else:
        # No known header: take the first non-empty row so the table check can say why.
        h = next(i for i, r in enumerate(all_rows) if any(v is not None for v in r))
    header = list(all_rows[h])
    width = max((len(r) for r in all_rows[h:]), default=0)
    header += [None] * (width - len(header))
    # Drop trailing columns that have neither a header nor any value.
    body = all_rows[h + 1 :]
    while (
        width
        and header[width - 1] is None
        and not any(len(r) >= width and r[width - 1] is not None for r in body)
    ):
        width -= 1
    names = _unique_names([("" if v is None else str(v)) for v in header[:width]])
    records = [(tuple(r) + (None,) * width)[:width] for r in body]
    frame = (
        pd.DataFrame.from_records(records, columns=names)
        if records
        else pd.DataFrame(columns=names)
    )
    frame = frame.astype(object)
    rows = np.arange(len(frame), dtype=np.int64) + h + 2
    frame, rows, blank = _drop_blank(frame, rows)
    return RawFrame(path, title, frame, rows, h + 1, digest, blank, ".")


# --------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------


def _read_parquet(path: Path) -> RawFrame:
    import pyarrow as pa

    digest = sha256_of(path)
    try:
        frame = pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as err:
        raise FileProblem(
            f"{path}: cannot read the Parquet file ({type(err).__name__}: {err}). Is it "
            "complete? Write it again.",
            str(path),
        ) from err
    frame = frame.reset_index(drop=True)
    frame.columns = _unique_names([str(c) for c in frame.columns])
    rows = np.arange(len(frame), dtype=np.int64) + 2
    return RawFrame(path, None, frame, rows, 1, digest, 0, ".")
