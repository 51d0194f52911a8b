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
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.io.headers import aliases, norm_header
from berakhlak_research.tables import TABLE_NAMES

__all__ = ["RawFrame", "read_raw", "sha256_of", "SUPPORTED_SUFFIXES", "where_of"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet", ".pq")
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
    encoding : str or None
        Text encoding a CSV was read in (``utf-8``, ``utf-16``, ``cp1252``...).
    notes : list of str
        What the reader decided that a user should know (an encoding guessed,
        title rows skipped, a two-row header joined, the sheet chosen); they
        go into the ingest log.
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
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

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
    if suffix in (".csv", ".txt", ".tsv"):
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


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


_SEP_HINT = re.compile(rb"^\s*sep=(.)\s*$")


def _decode(path: Path, data: bytes) -> tuple[bytes, str, list[str]]:
    """The file's text as UTF-8 bytes, the encoding it was in, and notes.

    UTF-8 (with or without BOM) and UTF-16 (Excel's "Unicode Text", with a BOM
    or recognisable by its zero bytes) are read as such. Anything else that is
    not valid UTF-8 is read as Windows-1252 (a superset of Latin-1 for the
    printable range; Excel's "CSV" on Indonesian Windows) with a note, since
    the guess cannot be verified.
    """
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise FileProblem(
                f"{path}: the file starts as UTF-16 text but byte {err.start} is not UTF-16. "
                "Save it again as 'CSV UTF-8'.",
                str(path),
            ) from err
        return text.encode("utf-8"), "utf-16", notes
    head = data[:4096]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc).encode("utf-8"), enc, notes
        except UnicodeDecodeError:
            pass
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise FileProblem(
            f"{path}: line {line} (byte {nul}) holds a NUL byte (rule nul_byte): the file is "
            "damaged or not a text file. Export it again from the application (CSV UTF-8).",
            str(path),
        )
    try:
        data.decode("utf-8")
        return data, "utf-8", notes
    except UnicodeDecodeError as err:
        bad_line = data[: err.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
            enc = "cp1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            enc = "latin-1"
        notes.append(
            f"not UTF-8 (first at byte {err.start}, line {bad_line}): read as {enc}. Check names "
            "with accents; save as 'CSV UTF-8' to be sure."
        )
        return text.encode("utf-8"), enc, notes


def _split_line(line: str, delim: str) -> list[str]:
    try:
        return next(csv.reader(_stdio.StringIO(line), delimiter=delim))
    except (StopIteration, csv.Error):
        return []


def _sniff(lines: list[str], suffix: str) -> tuple[int, str]:
    """(index of the header line, delimiter): the line and delimiter whose fields
    look most like known headers; title rows above the header are skipped."""
    delims = ("\t",) if suffix == ".tsv" else (";", ",", "\t")
    best = (0, -1, 0, _delimiter(lines[0]) if suffix != ".tsv" else "\t")
    for i, line in enumerate(lines[:_HEADER_SCAN_ROWS]):
        for d in delims:
            if d not in line:
                continue
            fields = _split_line(line, d)
            score = _header_score(tuple(fields))
            if score > best[1] or (score == best[1] and score >= 2 and len(fields) > best[2]):
                best = (i, score, len(fields), d)
    if best[1] < 2:
        return 0, best[3]
    return best[0], best[3]


def _read_csv(path: Path) -> RawFrame:
    raw_bytes = path.read_bytes()
    digest = hashlib.sha256(raw_bytes).hexdigest()
    if not raw_bytes.strip():
        raise FileProblem(f"{path}: the file is empty. Export the data again.", str(path))
    if raw_bytes[:4] == b"PK\x03\x04":
        raise FileProblem(
            f"{path}: this is an Excel workbook with a .csv name. Rename it to .xlsx.", str(path)
        )
    data, encoding, notes = _decode(path, raw_bytes)
    if not data.strip():
        raise FileProblem(f"{path}: the file is empty. Export the data again.", str(path))
    skip = 0
    delim = None
    hint = _SEP_HINT.match(data.split(b"\n", 1)[0])
    if hint:
        # Excel's "sep=;" first line names the delimiter.
        delim = hint.group(1).decode("utf-8")
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        skip = 1
        notes.append(f"line 1 'sep={delim}' names the delimiter")
    head_lines = [
        ln.decode("utf-8", "replace").rstrip("\r")
        for ln in data.split(b"\n", _HEADER_SCAN_ROWS + 1)[:_HEADER_SCAN_ROWS]
    ]
    h, sniffed = _sniff(head_lines, path.suffix.lower())
    delim = delim or sniffed
    if h:
        notes.append(f"{h} title line(s) above the header skipped; header on line {skip + h + 1}")
        data = data.split(b"\n", h)[h]
        skip += h
    decimal = "," if delim == ";" else "."
    frame, malformed = _csv_fast(data, delim)
    if frame is None:
        frame, malformed = _csv_slow(data, delim)
    rows = np.arange(len(frame), dtype=np.int64) + 2 + skip
    malformed = {r + skip: n for r, n in malformed.items()}
    frame, rows, blank = _drop_blank(frame, rows)
    malformed = {int(np.searchsorted(rows, r)): n for r, n in malformed.items() if r in rows}
    return RawFrame(
        path, None, frame, rows, 1 + skip, digest, blank, decimal, delim, malformed,
        encoding, notes,
    )  # fmt: skip


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
        # Cells as stored, never padded to the declared dimension (which may run
        # to XFD1048576): the same parser openpyxl's iter_rows uses, minus the padding.
        from openpyxl.worksheet._reader import WorkSheetParser

        from berakhlak_research.io.xlsx import dense_rows

        rows: list[dict] = []
        with ws._get_source() as src:
            parser = WorkSheetParser(
                src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
            )  # fmt: skip
            for idx, row in parser.parse():
                while len(rows) < idx - 1:
                    rows.append({})
                rows.append({c["column"] - 1: c["value"] for c in row if c["value"] is not None})
        return ws.title, dense_rows(rows)
    finally:
        wb.close()


def _sheet_rows(path: Path, sheet: str | None) -> tuple[str, list[tuple]]:
    import zipfile
    from xml.etree.ElementTree import ParseError

    from berakhlak_research.io.xlsx import XlsxFormatError, read_sheet

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
    return title, all_rows


def _best_header(all_rows: list[tuple]) -> tuple[int, int]:
    """(header row index, score) among the first rows."""
    scores = [_header_score(r) for r in all_rows[:_HEADER_SCAN_ROWS]]
    best = max(scores) if scores else 0
    return (scores.index(best) if scores else 0), best


def _other_sheets(path: Path) -> list[str]:
    try:
        from berakhlak_research.io.xlsx import sheet_names

        return sheet_names(path)[1:]
    except Exception:  # noqa: BLE001 - the first sheet was read; others are a bonus
        return []


def _read_xlsx(path: Path, sheet: str | None) -> RawFrame:
    digest = sha256_of(path)
    notes: list[str] = []
    title, all_rows = _sheet_rows(path, sheet)
    h, best = _best_header(all_rows)
    if sheet is None and best < 2:
        # The data is often on another sheet (a cover or instructions sheet first).
        for other in _other_sheets(path):
            t2, r2 = _sheet_rows(path, other)
            h2, b2 = _best_header(r2)
            if b2 > best:
                notes.append(f"sheet {title!r} holds no table; read sheet {t2!r} instead")
                title, all_rows, h, best = t2, r2, h2, b2
            if best >= 2:
                break
    where = where_of(path, title)
    if not any(any(v is not None and str(v).strip() for v in r) for r in all_rows):
        raise FileProblem(f"{where}: the sheet is empty. Export the data again.", str(path))
    if best < 2:
        # No known header: take the first non-empty row so the table check can say why.
        h = next(i for i, r in enumerate(all_rows) if any(v is not None for v in r))
    header = list(all_rows[h])
    first_data = h + 1
    # A two-row header (a merged group title over sub-headers, e.g. "Unsur
    # Pelayanan" above "U1".."U9"): the lower row's text wins where it has any.
    if best >= 1 and h + 1 < len(all_rows):
        lower = list(all_rows[h + 1])
        width2 = max(len(header), len(lower))
        up = header + [None] * (width2 - len(header))
        lo = lower + [None] * (width2 - len(lower))
        joined = [
            b if (b is not None and str(b).strip()) else a for a, b in zip(up, lo, strict=True)
        ]
        only_text = all(v is None or isinstance(v, str) for v in lo)
        if only_text and _header_score(tuple(joined)) > best:
            notes.append(f"two-row header (rows {h + 1}-{h + 2}) joined")
            header, first_data = joined, h + 2
    if h:
        notes.append(f"{h} row(s) above the header skipped; header on row {h + 1}")
    width = max((len(r) for r in all_rows[h:]), default=0)
    header += [None] * (width - len(header))
    # Drop trailing columns that have neither a header nor any value.
    body = all_rows[first_data:]
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
    rows = np.arange(len(frame), dtype=np.int64) + first_data + 1
    frame, rows, blank = _drop_blank(frame, rows)
    return RawFrame(path, title, frame, rows, h + 1, digest, blank, ".", notes=notes)


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
