"""The results store: tables computed once upstream, read in slices by the reports.

Layout: one Parquet file per table, ``<results_dir>/<name>.parquet``, and a
catalogue ``<results_dir>/catalog.json`` with each table's row count, columns,
SHA-256 and the time it was written. Producers (``berakhlak measure``,
``berakhlak model``) call :func:`write_table`; report notebooks call
:func:`read_table` with a government code and wave, which pushes the filter
down to Parquet so a report reads only its slice.

The tables and their columns are listed in ``docs/results_store.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.vocabulary import renamed

__all__ = ["write_table", "write_tables", "read_table", "has_table", "catalog", "file_sha256"]

CATALOG = "catalog.json"


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _path(results_dir: str | os.PathLike, name: str) -> Path:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Results table name {name!r} must be letters, digits and underscores.")
    return Path(results_dir) / f"{name}.parquet"


def write_table(results_dir: str | os.PathLike, name: str, df: pd.DataFrame) -> Path:
    """Write one results table (atomically) and record it in the catalogue.

    Parameters
    ----------
    results_dir : path
        The results folder; created if missing.
    name : str
        Table name, e.g. ``"culture_index"``.
    df : pandas.DataFrame
        The table; its index is dropped.

    Returns
    -------
    pathlib.Path
        The Parquet file written.
    """
    out = _path(results_dir, name)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".parquet.tmp")
    os.close(fd)
    df.reset_index(drop=True).to_parquet(tmp, index=False)
    os.replace(tmp, out)
    cat = catalog(results_dir)
    cat[name] = {
        "rows": len(df),
        "columns": [str(c) for c in df.columns],
        "sha256": file_sha256(out),
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_catalog(results_dir, cat)
    return out


def write_tables(
    results_dir: str | os.PathLike,
    tables: dict[str, pd.DataFrame],
    *,
    convert=None,
    threads: int = 2,
    progress: bool = False,
) -> list[Path]:
    """Write several results tables at once, on ``threads`` threads, one catalogue update.

    Parquet encoding and compression release the GIL, so two large tables are
    written in about the time of the larger one. Each file is still written
    atomically (a temporary file renamed into place).

    Parameters
    ----------
    results_dir : path
        The results folder; created if missing.
    tables : dict of str -> pandas.DataFrame
        Name -> table (indexes are dropped).
    convert : callable, optional
        Applied to each table in its thread before writing (e.g. categoricals to
        strings).
    threads : int, default 2
        Writer threads.
    progress : bool, default False
        Show a progress bar over the tables.

    Returns
    -------
    list of pathlib.Path
        The Parquet files written, in the order of ``tables``.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm.auto import tqdm

    for name in tables:
        _path(results_dir, name)  # a bad name fails before anything is written
    Path(results_dir).mkdir(parents=True, exist_ok=True)

    def one(item):
        name, df = item
        df = convert(df) if convert is not None else df
        out = _path(results_dir, name)
        fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".parquet.tmp")
        os.close(fd)
        df.reset_index(drop=True).to_parquet(tmp, index=False)
        os.replace(tmp, out)
        entry = {
            "rows": len(df),
            "columns": [str(c) for c in df.columns],
            "sha256": file_sha256(out),
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return name, out, entry

    # largest first, so the big tables do not end up queued behind each other
    order = sorted(tables.items(), key=lambda kv: -len(kv[1]))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        done = list(tqdm(pool.map(one, order), total=len(order), desc="write",
                         unit="table", disable=not progress))  # fmt: skip
    cat = catalog(results_dir)
    paths = {}
    for name, out, entry in done:
        cat[name] = entry
        paths[name] = out
    _write_catalog(results_dir, cat)
    return [paths[name] for name in tables]


def _write_catalog(results_dir: str | os.PathLike, cat: dict) -> None:
    path = Path(results_dir) / CATALOG
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(sorted(cat.items())), fh, indent=2)
    os.replace(tmp, path)


def catalog(results_dir: str | os.PathLike) -> dict:
    """The catalogue of a results folder: table name -> rows, columns, sha256, written."""
    path = Path(results_dir) / CATALOG
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def has_table(results_dir: str | os.PathLike, name: str) -> bool:
    """Whether the results folder holds table ``name``."""
    return _path(results_dir, name).exists()


def _check_written_by_this_version(path: Path, name: str) -> None:
    """Refuse a table written before the aggregation column was renamed ``aggregation``.

    Reads the Parquet footer only. Such a table is not read under the old name
    (no silent aliases, docs/CONVENTIONS.md): the stages that write it are
    deterministic, so re-running them gives the same figures under the new name.
    """
    names = pq.read_schema(path).names
    if "level" in names and "aggregation" not in names:
        raise FileProblem(
            f"Results table {name!r} in {path.parent} was written by an older version of "
            "berakhlak_research: its aggregation column is named 'level' (now 'aggregation'). "
            "Re-create the results folder: run `berakhlak measure` and `berakhlak model` "
            "again (they are deterministic, so the figures are the same).",
            str(path),
        )


@renamed(level="aggregation")
def read_table(
    results_dir: str | os.PathLike,
    name: str,
    gov_code: str | None = None,
    wave: int | None = None,
    columns: list[str] | None = None,
    wave_column: str = "wave",
    contiguous: bool = False,
    aggregation: str | None = None,
) -> pd.DataFrame:
    """Read a results table, or one government's and wave's slice of it.

    Parameters
    ----------
    results_dir : path
        The results folder.
    name : str
        Table name.
    gov_code : str, optional
        Keep rows of this government (``gov_code`` column) only.
    wave : int, optional
        Keep rows of this wave only (column ``wave_column``).
    columns : list of str, optional
        Columns to read.
    wave_column : str
        Name of the wave column (``"period"`` for IKM tables).
    aggregation : str, optional
        Keep rows of this aggregation only (``aggregation`` column: national,
        province, government, unit; overall, cohort, event_time, ... in the DiD
        tables). The former keyword ``level=`` raises a :class:`TypeError`.
    contiguous : bool
        Combine each column's Parquet row groups into one Arrow chunk (a
        one-off copy). Worth it for a table kept in memory and sliced many
        times: taking rows from a column of many chunks is about 100 times
        slower.

    Returns
    -------
    pandas.DataFrame
        The rows asked for, with the table's documented columns.

    Raises
    ------
    FileProblem
        The table is missing, or was written by an older version (an aggregation
        column named ``level``): re-run ``berakhlak measure`` and ``berakhlak model``.
    """
    path = _path(results_dir, name)
    if not path.exists():
        raise FileProblem(
            f"Results table {name!r} is missing from {results_dir}. "
            "Run `berakhlak measure` and `berakhlak model` first.",
            str(path),
        )
    _check_written_by_this_version(path, name)
    filters = []
    if gov_code is not None:
        filters.append(("gov_code", "=", gov_code))
    if wave is not None:
        filters.append((wave_column, "=", int(wave)))
    if aggregation is not None:
        filters.append(("aggregation", "=", aggregation))
    table = pq.read_table(path, columns=columns, filters=filters or None)
    if not contiguous:
        return table.to_pandas()
    # column by column, so that the copy adds one column's memory at a time, not a table's
    for i in range(table.num_columns):
        table = table.set_column(i, table.schema.field(i), table.column(i).combine_chunks())
    return table.to_pandas(split_blocks=True, self_destruct=True)
