"""A report's parameters, its context and the per-worker caches of results tables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research import paths, regions, store
from berakhlak_research.exceptions import (
    AmbiguousRegionError,
    FileProblem,
    ParameterError,
    UnknownRegionError,
)
from berakhlak_research.i18n import check_lang
from berakhlak_research.vocabulary import renamed

__all__ = [
    "ReportContext",
    "validate_parameters",
    "latest_wave",
    "is_synthetic",
    "governments_with_results",
    "open_report",
    "check_figure_format",
    "FIGURE_FORMATS",
]

FIGURE_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
"""How :func:`figure` encodes a figure -> media type.

* ``"svg"``: vector, text kept as text (``svg.fonttype = "none"``, set in DejaVu
  Sans, the font matplotlib measures with, with sans-serif fallbacks). Sharp at
  any zoom and about three times cheaper to produce than a PNG: matplotlib
  3.11 rasterises text glyph by glyph, and a caterpillar of 70 unit names is
  thousands of glyphs. The government reports use it.
* ``"png"``: a raster at ``dpi`` (80 by default), for people who paste figures
  into documents that take no SVG.
"""


def check_figure_format(fmt: str) -> str:
    """Return ``fmt`` if it is a figure format, else raise :class:`ParameterError`."""
    if fmt not in FIGURE_FORMATS:
        raise ParameterError(
            f"Figure format {fmt!r} is not supported; use {' or '.join(map(repr, FIGURE_FORMATS))}."
        )
    return fmt


def _index_table(results_dir) -> pd.DataFrame:
    if not store.has_table(results_dir, "culture_index"):
        store.read_table(results_dir, "culture_index")  # raises the informative FileProblem
    full = _cached_table(Path(results_dir), "culture_index")
    if full is None:
        full = store.read_table(
            results_dir, "culture_index", columns=["aggregation", "gov_code", "wave"]
        )
    return full


_WAVES: dict = {}


def _waves(results_dir) -> dict:
    """Wave -> sorted codes of governments with a government-level index, per cached table.

    Every report validates its parameters against these lists; computing them
    from a national ``culture_index`` costs a scan of millions of rows, so a
    worker keeps them with the table they came from.
    """
    ci = _index_table(results_dir)
    hit = _WAVES.get(id(ci))
    if hit is None or hit[0] is not ci:
        g = ci.loc[ci["aggregation"] == "government", ["wave", "gov_code"]].dropna()
        by = {
            int(w): sorted(str(c) for c in codes.unique())
            for w, codes in g.groupby("wave")["gov_code"]
        }
        hit = _WAVES[id(ci)] = (ci, by, int(ci["wave"].max()) if len(ci) else None)
        if len(_WAVES) > 16:
            _WAVES.clear()
            _WAVES[id(ci)] = hit
    return {"by_wave": hit[1], "latest": hit[2]}


def is_synthetic(results_dir: str | os.PathLike) -> bool:
    """Whether a results folder was computed from simulated data (its ``data_origin`` table).

    A store without the table (written before it existed, or by hand) counts as
    not synthetic.
    """
    if not store.has_table(results_dir, "data_origin"):
        return False
    d = _cached_table(Path(results_dir), "data_origin")
    if d is None:
        d = store.read_table(results_dir, "data_origin")
    return bool(len(d)) and bool(d["synthetic"].fillna(False).astype(bool).any())


def latest_wave(results_dir: str | os.PathLike) -> int:
    """The latest culture wave in a results folder's ``culture_index`` table."""
    latest = _waves(results_dir)["latest"]
    if latest is None:
        raise ParameterError(f"The results folder {results_dir} holds no culture waves.")
    return latest


def governments_with_results(results_dir: str | os.PathLike, wave: int) -> list[str]:
    """Codes of the governments with a government-level culture index in ``wave``, sorted."""
    return list(_waves(results_dir)["by_wave"].get(int(wave), []))


def validate_parameters(
    gov_code: str,
    wave: int = 0,
    lang: str = "id",
    min_group: int = 10,
    results_dir: str | os.PathLike = "results",
    results_root: str | os.PathLike | None = None,
) -> dict:
    """Check a report's parameters before anything runs.

    Parameters
    ----------
    gov_code : str
        Government code or name; resolved with :func:`regions.resolve`.
    wave : int
        Survey year; 0 means the latest wave in the results folder.
    lang : {"id", "en"}
        Report language.
    min_group : int
        Smallest group shown (>= 1).
    results_dir : path
        The results folder the report reads.
    results_root : path, optional
        When given, ``results_dir`` must lie inside it.

    Returns
    -------
    dict
        ``gov_code`` (canonical), ``wave`` (resolved year), ``lang``,
        ``min_group``, ``results_dir`` (absolute path as str).

    Raises
    ------
    ParameterError
        Unknown or ambiguous government, bad language, bad threshold, a
        results path outside ``results_root`` or without a results store, or
        a government without results in the wave.
    """
    check_lang(lang)
    try:
        code = regions.resolve(gov_code)
    except (UnknownRegionError, AmbiguousRegionError) as err:
        raise ParameterError(f"Report parameter gov_code={gov_code!r}: {err}") from err
    try:
        min_group = int(min_group)
        wave = int(wave)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"Report parameters wave={wave!r} and min_group={min_group!r} must be whole numbers."
        ) from err
    if min_group < 1:
        raise ParameterError(f"min_group={min_group} must be at least 1 (10 is the convention).")
    path = Path(results_dir).resolve()
    if results_root is not None:
        root = Path(results_root).resolve()
        if not path.is_relative_to(root):
            raise ParameterError(
                f"Report parameter results_dir={str(results_dir)!r} is outside the results "
                f"folder {root}; reports may only read their own results store."
            )
    if not (path / store.CATALOG).exists():
        raise ParameterError(
            f"{path} is not a results folder (no {store.CATALOG}). "
            "Run `berakhlak measure DATA --out RESULTS` first and pass RESULTS."
        )
    try:
        wave = wave or latest_wave(path)
        known = governments_with_results(path, wave)
    except FileProblem as err:
        raise ParameterError(f"Results folder {path}: {err}") from err
    if code not in known:
        raise ParameterError(
            f"Government {code} ({regions.name_of(code)}) has no results for wave {wave} in "
            f"{path}; {len(known)} governments do."
        )
    return {
        "gov_code": code,
        "wave": wave,
        "lang": lang,
        "min_group": min_group,
        "results_dir": str(path),
    }


_TABLES: dict = {}
_GOV_ROWS: dict = {}
# A national store's largest table (culture_behaviour) is about 150 MB of Parquet
# and well under 1 GB in memory; a worker keeps it rather than re-reading it per
# report, which cost about 0.5 s a report at national scale.
_CACHE_MAX_BYTES = 512 * 2**20


def _cached_table(
    results_dir: Path, name: str, aggregation: str | None = None
) -> pd.DataFrame | None:
    """A whole results table kept in memory across reports, or None for large files.

    A report worker renders many governments from the same store; reading each
    table once per process (keyed by path, size and modification time, so a
    rewritten table is read again) saves a Parquet read per table per report.
    The table is read with contiguous columns (one Arrow chunk each): taking a
    government's rows from a column split into dozens of chunks cost about
    0.25 s per table per report at national scale, from one chunk 2 ms. With
    ``aggregation``, only the rows of that aggregation are read and kept. Files over
    ``_CACHE_MAX_BYTES`` are read per report with filters instead.
    """
    path = Path(results_dir) / f"{name}.parquet"
    st = path.stat()
    if st.st_size > _CACHE_MAX_BYTES:
        return None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, aggregation)
    if key not in _TABLES:
        if len(_TABLES) > 64:
            _TABLES.clear()
            _GOV_ROWS.clear()
        try:
            _TABLES[key] = store.read_table(
                results_dir, name, aggregation=aggregation, contiguous=True
            )
        except Exception:  # noqa: BLE001 - no ``aggregation`` column: the whole table
            if aggregation is None:
                raise
            _TABLES[key] = store.read_table(results_dir, name, contiguous=True)
    return _TABLES[key]


def _gov_slice(full: pd.DataFrame, gov: str) -> pd.DataFrame:
    """Rows of one government, through a row index built once per cached table.

    A boolean mask over a national table costs a full scan per table per report;
    the index makes a report's slice proportional to its own size.
    """
    key = id(full)
    hit = _GOV_ROWS.get(key)
    if hit is None or hit[0] is not full:
        codes, uniques = pd.factorize(full["gov_code"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        hit = _GOV_ROWS[key] = (full, pd.Index(uniques), order, bounds)
    _, index, order, bounds = hit
    if gov not in index:
        return full.iloc[:0]
    i = index.get_loc(gov)
    rows = order[bounds[i] : bounds[i + 1]]
    if len(rows) and rows[-1] - rows[0] == len(rows) - 1:  # one run of rows: a view
        return full.iloc[rows[0] : rows[-1] + 1]
    return full.iloc[rows]


@dataclass
class ReportContext:
    """One report's parameters, its cached table slices and what it has shown.

    Attributes
    ----------
    results_dir : pathlib.Path
    gov_code, name, kind : str
        Government code, official name, kind (provinsi/kabupaten/kota).
    wave : int
    lang : {"id", "en"}
    min_group : int
    output_dir : pathlib.Path or None
        Where :func:`save_outputs` writes ``tables/`` and ``figures/``.
    figure_format : {"svg", "png"}
        How :func:`figure` encodes figures (see :data:`FIGURE_FORMATS`).
    synthetic : bool
        The results come from simulated data (:func:`is_synthetic`); every page
        then carries a banner saying so.
    shown : dict
        Table name -> exported frame (localised headers, full precision).
    figures : list
        ``(name, format, bytes)`` of every figure drawn, in order.
    """

    results_dir: Path
    gov_code: str | None
    wave: int
    lang: str
    min_group: int
    output_dir: Path | None
    name: str = ""
    kind: str = ""
    figure_format: str = "png"
    synthetic: bool = False
    shown: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False)
    # frames and helper results computed once per report (sections._common.memo_frame):
    # the summary text, next steps, figures and tables share e.g. the stage progress
    _frames: dict = field(default_factory=dict, repr=False)

    @renamed(level="aggregation")
    def table(
        self, name: str, scope: str = "gov", aggregation: str | None = None
    ) -> pd.DataFrame | None:
        """A results table, or None if absent.

        ``scope``: "gov" (this government and wave), "wave" (this wave), "all".
        ``aggregation``: keep rows of this ``aggregation`` only (e.g. "government"); the
        worker then caches just those rows, so the national ``culture_behaviour``
        (millions of unit rows) costs seconds less to load and a gigabyte less
        to keep when only its government rows are shown.
        """
        key = (name, scope, aggregation)
        if key not in self._cache:
            if not store.has_table(self.results_dir, name):
                self._cache[key] = None
            else:
                wave_col = (
                    "period" if name in ("ikm", "ikm_elements", "sample_adequacy") else "wave"
                )
                gov = self.gov_code if scope == "gov" else None
                wave = self.wave if scope in ("gov", "wave") else None
                full = _cached_table(self.results_dir, name, aggregation)
                if full is not None and gov is not None and "gov_code" in full:
                    full = _gov_slice(full, gov)
                if full is None:  # a large table: let Parquet filter it
                    try:
                        full = store.read_table(
                            self.results_dir, name, gov_code=gov, wave=wave, wave_column=wave_col,
                            aggregation=aggregation,
                        )  # fmt: skip
                    except Exception:  # noqa: BLE001 - a table without the key columns
                        full = store.read_table(self.results_dir, name)
                if gov is not None and "gov_code" in full:
                    full = full[full["gov_code"] == gov]
                if wave is not None and wave_col in full:
                    full = full[full[wave_col] == wave]
                if aggregation is not None and "aggregation" in full:
                    full = full[full["aggregation"] == aggregation]
                self._cache[key] = full
        return self._cache[key]

    def gov_rows(self, name: str, aggregation: str | None = None) -> pd.DataFrame | None:
        """This government's rows of a table in every wave: ``table(name, "all", aggregation)``
        masked by ``gov_code``, or None if the table is absent.

        The same rows, in the same order and with the same index as that mask, but
        taken through the worker's row index (:func:`gov_slice`) rather than by
        comparing every ``gov_code`` of a national table, which cost a few
        milliseconds per table per call.
        """
        key = (name, "gov_rows", aggregation)
        if key not in self._cache:
            full = None
            if isinstance(self.gov_code, str) and store.has_table(self.results_dir, name):
                full = _cached_table(self.results_dir, name, aggregation)
            if full is not None and "gov_code" in full:
                rows = _gov_slice(full, self.gov_code)
                if aggregation is not None and "aggregation" in rows:
                    rows = rows[rows["aggregation"] == aggregation]
            else:  # a national context or a table too large to cache: the plain mask
                rows = self.table(name, scope="all", aggregation=aggregation)
                if rows is not None:
                    rows = rows[rows["gov_code"] == self.gov_code]
            self._cache[key] = rows
        return self._cache[key]


def open_report(
    results_dir: str | os.PathLike,
    gov_code: str | None = None,
    wave: int = 0,
    lang: str = "id",
    min_group: int = 10,
    output_dir: str | os.PathLike = "",
    figure_format: str = "png",
) -> ReportContext:
    """Validate a notebook's parameters and open its context.

    ``gov_code=None`` (or "") opens a national context (national overview,
    quality and replication notebooks). ``figure_format`` ("png" or "svg",
    see :data:`FIGURE_FORMATS`) is how :func:`figure` encodes the figures; the
    government report notebook asks for "svg". Relative ``results_dir`` and
    ``output_dir`` are taken from the project root
    (:func:`berakhlak_research.paths.project_path`), so a notebook opened in
    JupyterLab (working directory ``notebooks/``) finds ``demo/results``.
    """
    check_figure_format(figure_format)
    # relative paths are from the project root, whatever the kernel's cwd
    results_dir = paths.project_path(results_dir)
    output_dir = paths.project_path(output_dir) if output_dir else ""
    if gov_code:
        p = validate_parameters(gov_code, wave, lang, min_group, results_dir)
        code, wave = p["gov_code"], p["wave"]
        name, kind = regions.name_of(code), regions.kind_of(code)
    else:
        check_lang(lang)
        if not (Path(results_dir) / store.CATALOG).exists():
            raise ParameterError(f"{results_dir} is not a results folder (no {store.CATALOG}).")
        code, name, kind = None, "Indonesia", ""
        wave = int(wave) or latest_wave(results_dir)
    return ReportContext(
        results_dir=Path(results_dir).resolve(),
        gov_code=code,
        wave=int(wave),
        lang=lang,
        min_group=int(min_group),
        output_dir=Path(output_dir) if output_dir else None,
        name=name,
        kind=kind,
        figure_format=figure_format,
        synthetic=is_synthetic(results_dir),
    )


# Public handles on the worker caches (the same objects), for the views facade and
# the tests that inspect and clear them.
TABLE_CACHE = _TABLES
cached_table = _cached_table
gov_slice = _gov_slice
