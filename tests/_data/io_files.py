"""Shared helpers for the data-layer tests (fixture paths, hashing, small writers)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "io"
CLEAN = FIXTURES / "clean"
BAD = FIXTURES / "bad"
FORMATS = ("csv", "semicolon", "xlsx", "parquet")


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def clean_frame(table: str) -> pd.DataFrame:
    """The clean comma-CSV fixture of ``table`` as raw text (Indonesian headers)."""
    return pd.read_csv(CLEAN / "csv" / f"{table}.csv", dtype=str, keep_default_na=False)


def write_xlsx(df: pd.DataFrame, path: Path, title_rows: int = 0) -> None:
    """Write a workbook with ``title_rows`` rows of title text above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"Judul laporan {i + 1}"] if i == 0 else [])
    ws.append(list(df.columns))
    for rec in df.itertuples(index=False):
        ws.append([None if v == "" else v for v in rec])
    wb.save(path)
