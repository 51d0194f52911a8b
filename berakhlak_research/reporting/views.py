"""What the report notebooks call: a government's slice of the results store, made display-ready.

A notebook opens a :class:`ReportContext` with :func:`open_report` (which
validates its parameters), then shows sections with :func:`section`,
tables with :func:`show` and figures with :func:`figure`, and ends with
:func:`save_outputs` (tables as CSV and XLSX, figures as SVG or PNG). All logic
lives here, so the notebooks hold calls only.

Rules every view keeps:

* No group with fewer than ``min_group`` respondents is shown: unit rows that
  are flagged ``suppressed`` upstream or have ``n < min_group`` are dropped
  (and counted in a note); they still count in their government's figures,
  which come from upstream.
* No respondent-level table is ever read, so no respondent identifier can
  reach a report.
* Text that comes from data (unit names, service names) is HTML-escaped.
* Numbers are rounded only when displayed; exported tables keep full precision.

The data frames behind the tables are returned by the ``*_frame`` functions
(tidy, with language-neutral column names) and are what the tests check.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research import paths, regions, store
from berakhlak_research.exceptions import (
    AmbiguousRegionError,
    FileProblem,
    ParameterError,
    UnknownRegionError,
)
from berakhlak_research.i18n import check_lang, t

__all__ = [
    "ReportContext",
    "Html",
    "validate_parameters",
    "latest_wave",
    "governments_with_results",
    "open_report",
    "title",
    "section",
    "note",
    "generated",
    "descriptives_frame",
    "show",
    "figure",
    "encode_figure",
    "check_figure_format",
    "FIGURE_FORMATS",
    "save_outputs",
    "FRAMES",
    "FIGURES",
    "summary_frame",
    "value_profile_frame",
    "units_frame",
    "weakest_behaviours_frame",
    "priorities_frame",
    "programmes_frame",
    "programme_effects_frame",
    "ikm_units_frame",
    "ikm_elements_frame",
    "link_frame",
    "value_chain_frame",
    "reliability_frame",
    "sample_adequacy_frame",
    "provenance_frame",
    "national_frame",
    "category_counts_frame",
    "did_frame",
    "pretrend_frame",
    "cfa_fit_frame",
    "suppression_frame",
]

SCORING = "favourable"
"""Scoring shown in reports: percent favourable (top two boxes), the convention of FEVS and the
UK People Survey and the closest a Likert instrument comes to the percentages the official index
publishes. The models use the rescaled mean (see the programme-effect note)."""


# ---------------------------------------------------------------------------
# parameters and context
# ---------------------------------------------------------------------------


def _index_table(results_dir) -> pd.DataFrame:
    if not store.has_table(results_dir, "culture_index"):
        store.read_table(results_dir, "culture_index")  # raises the informative FileProblem
    full = _cached_table(Path(results_dir), "culture_index")
    if full is None:
        full = store.read_table(results_dir, "culture_index", columns=["level", "gov_code", "wave"])
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
        g = ci.loc[ci["level"] == "government", ["wave", "gov_code"]].dropna()
        by = {
            int(w): sorted(str(c) for c in codes.unique())
            for w, codes in g.groupby("wave")["gov_code"]
        }
        hit = _WAVES[id(ci)] = (ci, by, int(ci["wave"].max()) if len(ci) else None)
        if len(_WAVES) > 16:
            _WAVES.clear()
            _WAVES[id(ci)] = hit
    return {"by_wave": hit[1], "latest": hit[2]}


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


def _cached_table(results_dir: Path, name: str, level: str | None = None) -> pd.DataFrame | None:
    """A whole results table kept in memory across reports, or None for large files.

    A report worker renders many governments from the same store; reading each
    table once per process (keyed by path, size and modification time, so a
    rewritten table is read again) saves a Parquet read per table per report.
    The table is read with contiguous columns (one Arrow chunk each): taking a
    government's rows from a column split into dozens of chunks cost about
    0.25 s per table per report at national scale, from one chunk 2 ms. With
    ``level``, only the rows of that level are read and kept. Files over
    ``_CACHE_MAX_BYTES`` are read per report with filters instead.
    """
    path = Path(results_dir) / f"{name}.parquet"
    st = path.stat()
    if st.st_size > _CACHE_MAX_BYTES:
        return None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, level)
    if key not in _TABLES:
        if len(_TABLES) > 64:
            _TABLES.clear()
            _GOV_ROWS.clear()
        try:
            _TABLES[key] = store.read_table(results_dir, name, level=level, contiguous=True)
        except Exception:  # noqa: BLE001 - no ``level`` column: the whole table
            if level is None:
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
    shown: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False)

    def table(self, name: str, scope: str = "gov", level: str | None = None) -> pd.DataFrame | None:
        """A results table, or None if absent.

        ``scope``: "gov" (this government and wave), "wave" (this wave), "all".
        ``level``: keep rows of this ``level`` only (e.g. "government"); the
        worker then caches just those rows, so the national ``culture_behaviour``
        (millions of unit rows) costs seconds less to load and a gigabyte less
        to keep when only its government rows are shown.
        """
        key = (name, scope, level)
        if key not in self._cache:
            if not store.has_table(self.results_dir, name):
                self._cache[key] = None
            else:
                wave_col = (
                    "period" if name in ("ikm", "ikm_elements", "sample_adequacy") else "wave"
                )
                gov = self.gov_code if scope == "gov" else None
                wave = self.wave if scope in ("gov", "wave") else None
                full = _cached_table(self.results_dir, name, level)
                if full is not None and gov is not None and "gov_code" in full:
                    full = _gov_slice(full, gov)
                if full is None:  # a large table: let Parquet filter it
                    try:
                        full = store.read_table(
                            self.results_dir, name, gov_code=gov, wave=wave, wave_column=wave_col,
                            level=level,
                        )  # fmt: skip
                    except Exception:  # noqa: BLE001 - a table without the key columns
                        full = store.read_table(self.results_dir, name)
                if gov is not None and "gov_code" in full:
                    full = full[full["gov_code"] == gov]
                if wave is not None and wave_col in full:
                    full = full[full[wave_col] == wave]
                if level is not None and "level" in full:
                    full = full[full["level"] == level]
                self._cache[key] = full
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
    )


# ---------------------------------------------------------------------------
# HTML building blocks
# ---------------------------------------------------------------------------


class Html(str):
    """A piece of (already escaped) HTML that Jupyter displays as HTML.

    Its plain-text form is a short placeholder: otherwise IPython would send
    the whole HTML (inline figures included) a second time as ``text/plain``
    with every output, doubling what the kernel sends and the notebook stores.
    """

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(f"<HTML, {len(self):,} characters>")


def _esc(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def title(ctx: ReportContext, key: str = "report_title") -> Html:
    """The report's heading: title, government, wave."""
    who = ctx.name if ctx.gov_code is None else f"{ctx.name} ({ctx.gov_code})"
    return Html(
        f"<h1>{_esc(t(key, ctx.lang))}</h1>"
        f"<p class='berakhlak-sub'><b>{_esc(who)}</b> &middot; "
        f"{_esc(t('wave', ctx.lang))} {ctx.wave}</p>"
    )


def section(ctx: ReportContext, key: str) -> Html:
    """A section heading in the report's language."""
    return Html(f"<h2>{_esc(t(key, ctx.lang))}</h2>")


def generated(ctx: ReportContext) -> Html:
    """The closing line: which version of the toolkit produced the report."""
    from berakhlak_research import __version__

    return note(ctx, "generated", version=__version__)


def note(ctx: ReportContext, key: str, **fields) -> Html:
    """A short paragraph in the report's language."""
    return Html(f"<p class='berakhlak-note'>{_esc(t(key, ctx.lang, **fields))}</p>")


def _fmt(x, digits: int = 1) -> str:
    if x is None or x is pd.NA:
        return "—"
    if isinstance(x, (bool, np.bool_)):
        return str(x)
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if isinstance(x, (float, np.floating)):
        if math.isnan(x):
            return "—"
        return f"{x:,.{digits}f}"
    return str(x)


# display digits per column
_DIGITS = {"p_value": 3, "importance": 3, "share": 3, "alpha": 2, "omega": 2, "r_corrected": 2,
           "nrr": 2, "cfi": 3, "tli": 3, "rmsea": 3, "srmr": 3, "icc": 3}  # fmt: skip

# column -> i18n key for headers
_HEADERS = {
    "value_name": "col_value", "value": "col_code", "text": "col_text", "driver": "col_code",
    "estimate": "col_estimate", "ci": "col_ci", "n": "col_n",
    "peer_median": "col_peer_median", "peer_q75": "col_peer_q75", "category": "col_category",
    "unit_name": "col_unit", "unit_code": "col_unit_code", "behaviour": "col_code",
    "behaviour_text": "col_behaviour", "priority": "col_priority", "importance": "col_importance",
    "performance": "col_performance", "date": "col_date", "kind": "col_kind",
    "stage": "col_stage", "hours": "col_hours", "participants": "col_participants",
    "scope": "col_scope", "estimator": "col_estimator", "effect": "col_effect",
    "p_value": "col_p", "ikm": "col_ikm", "band": "col_band", "element_name": "col_element",
    "nrr": "col_nrr", "nrr_x25": "col_nrr25", "path": "col_path", "alpha": "col_alpha",
    "omega": "col_omega", "required": "col_required", "respondents": "col_respondents",
    "population": "col_population", "adequate": "col_adequate", "table": "col_table",
    "rows": "col_rows", "sha256": "col_sha", "written": "col_written", "item": "item",
    "government": "col_government", "rank_national": "col_rank", "count": "col_count",
    "statistic": "col_statistic", "level": "col_level", "event_time": "col_event_time",
    "cohort": "col_cohort", "fit": "col_fit",
}  # fmt: skip


def _header(col: str, lang: str) -> str:
    return t(_HEADERS[col], lang) if col in _HEADERS else col


def _display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Join ``ci_low``/``ci_high`` into one ``ci`` text column for display."""
    if {"ci_low", "ci_high"} <= set(df.columns):
        ci = [
            "—" if (pd.isna(lo) or pd.isna(hi)) else f"{lo:,.1f} – {hi:,.1f}"
            for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)
        ]
        pos = list(df.columns).index("ci_low")
        df = df.drop(columns=["ci_low", "ci_high"])
        df.insert(pos, "ci", ci)
    return df


def _html_table(df: pd.DataFrame, lang: str, name: str, notes: list[str]) -> Html:
    d = _display_frame(df)
    cols = list(d.columns)
    head = "".join(f"<th>{_esc(_header(c, lang))}</th>" for c in cols)
    cells = {c: [_fmt(v, _DIGITS.get(c, 1)) for v in d[c].tolist()] for c in cols}
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(cells[c][i])}</td>" for c in cols) + "</tr>"
        for i in range(len(d))
    )
    foot = "".join(f"<p class='berakhlak-note'>{_esc(n)}</p>" for n in notes)
    return Html(
        f"<table class='berakhlak-table' data-table='{_esc(name)}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{foot}"
    )


# ---------------------------------------------------------------------------
# helpers on results tables
# ---------------------------------------------------------------------------


def _value_names(lang: str) -> dict[str, str]:
    names = {v.code: (v.name_id if lang == "id" else v.name_en) for v in fw.VALUES}
    names["overall"] = t("overall_index", lang)
    return names


def _unit_names(ctx: ReportContext) -> dict[str, str]:
    units = ctx.table("units", scope="all")
    if units is None or "unit_name" not in units:
        return {}
    u = units[units["gov_code"] == ctx.gov_code]
    return dict(zip(u["unit_code"].astype(str), u["unit_name"].astype(str), strict=True))


def _scoring(ci: pd.DataFrame) -> pd.DataFrame:
    if "scoring" not in ci:
        return ci
    have = set(ci["scoring"].dropna())
    pick = SCORING if SCORING in have or not have else sorted(have)[0]
    return ci[ci["scoring"] == pick]


def _shown(df: pd.DataFrame, min_group: int, n_col: str = "n") -> pd.Series:
    """Rows that may be shown: not suppressed upstream and at least ``min_group`` respondents."""
    ok = pd.Series(True, index=df.index)
    if "suppressed" in df:
        ok &= ~df["suppressed"].fillna(False).astype(bool)
    if n_col in df:
        ok &= pd.to_numeric(df[n_col], errors="coerce").fillna(0) >= min_group
    if "estimate" in df:
        ok &= df["estimate"].notna()
    return ok


def _benchmarks(ctx: ReportContext, scope: str = "gov") -> pd.DataFrame | None:
    b = ctx.table("culture_benchmarks", scope=scope)
    return None if b is None else _scoring(b)


def _category(x: float, lang: str) -> str:
    if x is None or pd.isna(x):
        return "—"
    b = fw.culture_category(float(np.clip(x, 0, 100)))
    return f"{b.code} ({fw.label(b, lang)})"


def _ikm_band(x: float, lang: str, method: str = "2017") -> str:
    if x is None or pd.isna(x):
        return "—"
    b = fw.ikm_band(float(np.clip(x, 25, 100)), method)
    return f"{b.code} ({fw.label(b, lang)})"


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


# ---------------------------------------------------------------------------
# frames: government report
# ---------------------------------------------------------------------------


def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    """The summary: overall index, category, ranks, change since last wave, IKM and band.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, estimate, ci_low, ci_high, n`` plus ``text`` (category,
        rank or significance as words); one row per statistic.
    """
    lang = ctx.lang
    rows = []
    ci = ctx.table("culture_index")
    g = (
        _scoring(ci[(ci["level"] == "government") & (ci["value"] == "overall")])
        if ci is not None
        else None
    )
    if g is not None and len(g):
        r = g.iloc[0]
        est = r["estimate"] if r["n"] >= ctx.min_group else np.nan
        rows.append(dict(item=t("overall_index", lang), estimate=est, ci_low=r["ci_low"] if est == est else np.nan,
                         ci_high=r["ci_high"] if est == est else np.nan, n=int(r["n"]),
                         text=_category(est, lang)))  # fmt: skip
    b = _benchmarks(ctx)
    if b is not None and len(b):
        bo = b[b["value"] == "overall"]
        if len(bo):
            r = bo.iloc[0]
            kind = fw.GOVERNMENT_KINDS.get(ctx.kind, (ctx.kind, ctx.kind))[0 if lang == "id" else 1]
            of = t("of", lang)
            rows.append(
                dict(
                    item=t("rank_kind", lang, kind=kind),
                    estimate=np.nan,
                    ci_low=np.nan,
                    ci_high=np.nan,
                    n=np.nan,
                    text=f"{_fmt(r['rank_kind'], 0)} {of} {_fmt(r['n_kind'], 0)}",
                )
            )
            rows.append(
                dict(
                    item=t("rank_national", lang),
                    estimate=np.nan,
                    ci_low=np.nan,
                    ci_high=np.nan,
                    n=np.nan,
                    text=f"{_fmt(r['rank_national'], 0)} {of} {_fmt(r['n_national'], 0)}",
                )
            )
            if pd.notna(r.get("change", np.nan)):
                sig = t("significant" if r["change_p_value"] < 0.05 else "not_significant", lang)
                rows.append(dict(item=t("change", lang, prev=ctx.wave - 1), estimate=r["change"],
                                 ci_low=r["change_ci_low"], ci_high=r["change_ci_high"], n=np.nan,
                                 text=f"p = {r['change_p_value']:.3f} ({sig})"))  # fmt: skip
    ik = ctx.table("ikm")
    if ik is not None:
        gi = ik[ik["level"] == "government"]
        if len(gi):
            r = gi.iloc[0]
            ok = bool(_shown(gi.iloc[[0]], ctx.min_group).iloc[0])
            est = r["estimate"] if ok else np.nan
            rows.append(dict(item=t("ikm", lang), estimate=est, ci_low=r["ci_low"] if ok else np.nan,
                             ci_high=r["ci_high"] if ok else np.nan, n=int(r["n"]),
                             text=_ikm_band(est, lang, str(r.get("method_version", "2017")))))  # fmt: skip
    if not rows:
        return _empty(["item", "estimate", "ci_low", "ci_high", "n", "text"])
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("Float64").astype("Int64")
    return out[["item", "estimate", "ci_low", "ci_high", "n", "text"]]


def value_profile_frame(ctx: ReportContext) -> pd.DataFrame:
    """The seven values against the peer median and upper quartile.

    Returns
    -------
    pandas.DataFrame
        One row per value in B-A-K-H-L-A-K order: ``value, value_name,
        estimate, ci_low, ci_high, n, peer_median, peer_q75, category``.
        ``peer_*`` are over governments of the same kind.
    """
    ci = ctx.table("culture_index")
    cols = [
        "value",
        "value_name",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "peer_median",
        "peer_q75",
        "category",
    ]
    if ci is None:
        return _empty(cols)
    g = _scoring(ci[(ci["level"] == "government") & ci["value"].isin(fw.VALUE_CODES)])
    g = g[_shown(g, ctx.min_group)]
    b = _benchmarks(ctx)
    if b is not None and len(b):
        g = g.merge(
            b[["value", "peer_median_kind", "peer_q75_kind"]].rename(
                columns={"peer_median_kind": "peer_median", "peer_q75_kind": "peer_q75"}
            ),
            on="value",
            how="left",
        )
    else:
        g = g.assign(peer_median=np.nan, peer_q75=np.nan)
    g = g.assign(
        value_name=g["value"].map(_value_names(ctx.lang)),
        category=[_category(x, ctx.lang) for x in g["estimate"]],
        order=g["value"].map({c: i for i, c in enumerate(fw.VALUE_CODES)}),
    )
    return g.sort_values("order")[cols].reset_index(drop=True)


def units_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's units with their overall index; groups under ``min_group`` dropped.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, unit_name, estimate, ci_low, ci_high, n, category``,
        best first. ``attrs["withheld"]`` counts the units dropped.
    """
    cols = ["unit_code", "unit_name", "estimate", "ci_low", "ci_high", "n", "category"]
    ci = ctx.table("culture_index")
    if ci is None:
        return _empty(cols)
    u = _scoring(ci[(ci["level"] == "unit") & (ci["value"] == "overall")])
    ok = _shown(u, ctx.min_group)
    names = _unit_names(ctx)
    out = u[ok].assign(
        unit_name=lambda d: (
            d["unit_code"].astype(str).map(names).fillna(d["unit_code"].astype(str))
        ),
        category=lambda d: [_category(x, ctx.lang) for x in d["estimate"]],
    )
    out = out.sort_values("estimate", ascending=False)[cols].reset_index(drop=True)
    out.attrs["withheld"] = int((~ok).sum())
    return out


def weakest_behaviours_frame(ctx: ReportContext, k: int = 5) -> pd.DataFrame:
    """The ``k`` lowest-scoring of the 21 behaviours in the government.

    Returns
    -------
    pandas.DataFrame
        ``behaviour, behaviour_text, value_name, estimate, ci_low, ci_high, n``.
    """
    cols = ["behaviour", "behaviour_text", "value_name", "estimate", "ci_low", "ci_high", "n"]
    cb = ctx.table("culture_behaviour", level="government")
    if cb is None:
        return _empty(cols)
    g = _scoring(cb[cb["level"] == "government"])
    g = g[_shown(g, ctx.min_group)].nsmallest(k, "estimate")
    text = {b.code: (b.text_id if ctx.lang == "id" else b.text_en) for b in fw.BEHAVIOURS}
    value = {b.code: b.value for b in fw.BEHAVIOURS}
    g = g.assign(
        behaviour_text=g["behaviour"].map(text),
        value_name=g["behaviour"].map(value).map(_value_names(ctx.lang)),
    )
    return g[cols].reset_index(drop=True)


def priorities_frame(ctx: ReportContext) -> pd.DataFrame:
    """Importance-performance of the culture values for the government (priorities first).

    Returns
    -------
    pandas.DataFrame
        ``driver, value_name, importance, performance, priority``.
    """
    cols = ["value_name", "importance", "performance", "priority"]
    ip = ctx.table("importance_performance", scope="all")
    if ip is None:
        return _empty(cols)
    ip = ip[ip["gov_code"] == ctx.gov_code]
    if not len(ip):
        ip = ctx.table("importance_performance", scope="all")
        ip = ip[ip["gov_code"].isna()]
    lab = "driver_label_id" if ctx.lang == "id" else "driver_label_en"
    pr = "priority_id" if ctx.lang == "id" else "priority_en"
    out = ip.assign(
        value_name=ip[lab] if lab in ip else ip["driver"],
        priority=ip[pr] if pr in ip else ip.get("quadrant"),
        first=ip["quadrant"].astype(str).str.startswith("concentrate").astype(int)
        if "quadrant" in ip
        else 0,
    )
    out = out.sort_values(["first", "importance"], ascending=[False, False])
    return out[cols].reset_index(drop=True)


def programmes_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's culture programmes (events), oldest first.

    Reads the optional results table ``interventions`` (events carry no
    personal data).

    Returns
    -------
    pandas.DataFrame
        ``date, kind, stage, scope, hours, participants``.
    """
    cols = ["date", "kind", "stage", "scope", "hours", "participants"]
    ev = ctx.table("interventions", scope="all")
    if ev is None:
        return _empty(cols)
    ev = ev[ev["gov_code"] == ctx.gov_code].sort_values("date")
    i = 0 if ctx.lang == "id" else 1
    names = _unit_names(ctx)
    stages = {s.number: (s.name_id, s.name_en)[i] for s in fw.STAGES}
    out = pd.DataFrame(
        {
            "date": pd.to_datetime(ev["date"]).dt.strftime("%Y-%m-%d"),
            "kind": ev["kind"].map(lambda k: fw.INTERVENTION_KINDS.get(k, (k, k))[i]),
            "stage": ev["stage"].map(
                lambda s: f"{int(s)}. {stages.get(int(s), '')}" if pd.notna(s) else "—"
            ),
            "scope": ev["unit_code"].map(
                lambda u: t("whole_gov", ctx.lang) if pd.isna(u) else names.get(str(u), str(u))
            ),
            "hours": ev["hours"].astype("float64"),
            "participants": ev["participants"],
        }
    )
    return out[cols].reset_index(drop=True)


def did_frame(ctx: ReportContext, level: str = "overall", panel: str = "unit") -> pd.DataFrame:
    """Programme effects on the culture index, robust staggered estimator vs TWFE.

    Returns
    -------
    pandas.DataFrame
        ``estimator, level, cohort, event_time, estimate, ci_low, ci_high, p_value, n``;
        ``attrs["unit_clustered"]`` is True when the intervals are clustered by unit
        because there were too few governments (:func:`show` then says so).
    """
    cols = [
        "estimator",
        "level",
        "cohort",
        "event_time",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
    ]
    d = ctx.table("did_effects", scope="all")
    if d is None:
        return _empty(cols)
    d = d[(d["level"] == level)]
    if "panel" in d:
        d = d[d["panel"] == panel]
    if "outcome" in d and len(d):
        d = d[d["outcome"] == d["outcome"].iloc[0]]
    out = d[cols].reset_index(drop=True)
    # Government-wide programmes but too few governments to cluster on them: the reader
    # must be told that the intervals understate the uncertainty (see models.did).
    unit_clustered = panel == "unit" and "cluster" in d and bool((d["cluster"] == "unit").any())
    out.attrs["unit_clustered"] = unit_clustered
    return out


def programme_effects_frame(ctx: ReportContext) -> pd.DataFrame:
    """The overall programme effects (staggered ATT and TWFE) shown in a government report.

    Returns
    -------
    pandas.DataFrame
        ``estimator, estimate, ci_low, ci_high, p_value, n``; ``attrs["unit_clustered"]``
        as in :func:`did_frame`.
    """
    d = did_frame(ctx)
    out = d[["estimator", "estimate", "ci_low", "ci_high", "p_value", "n"]]
    out.attrs["unit_clustered"] = d.attrs.get("unit_clustered", False)
    return out


def pretrend_frame(ctx: ReportContext) -> pd.DataFrame:
    """Pre-trend tests. Returns ``outcome, panel, statistic, df, p_value``."""
    p = ctx.table("did_pretrend", scope="all")
    return _empty(["outcome", "panel", "statistic", "df", "p_value"]) if p is None else p


def ikm_units_frame(ctx: ReportContext) -> pd.DataFrame:
    """IKM per public-facing unit (groups under ``min_group`` dropped).

    Returns
    -------
    pandas.DataFrame
        ``unit_name, ikm, ci_low, ci_high, n, band``, best first;
        ``attrs["withheld"]`` counts the units dropped.
    """
    cols = ["unit_name", "ikm", "ci_low", "ci_high", "n", "band"]
    ik = ctx.table("ikm")
    if ik is None:
        return _empty(cols)
    u = ik[ik["level"] == "unit"]
    ok = _shown(u, ctx.min_group)
    names = _unit_names(ctx)
    out = u[ok].assign(
        unit_name=lambda d: (
            d["unit_code"].astype(str).map(names).fillna(d["unit_code"].astype(str))
        ),
        ikm=lambda d: d["estimate"],
        band=lambda d: [
            _ikm_band(x, ctx.lang, str(m))
            for x, m in zip(d["estimate"], d["method_version"], strict=True)
        ],
    )
    out = out.sort_values("ikm", ascending=False)[cols].reset_index(drop=True)
    out.attrs["withheld"] = int((~ok).sum())
    return out


def ikm_elements_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's nine IKM elements (PermenPANRB 14/2017), lowest last.

    Returns
    -------
    pandas.DataFrame
        ``element, element_name, total, nrr, nrr_x25, band, n``.
    """
    cols = ["element", "element_name", "total", "nrr", "nrr_x25", "band", "n"]
    el = ctx.table("ikm_elements")
    if el is None:
        return _empty(cols)
    g = el[(el["level"] == "government")]
    g = g[_shown(g.drop(columns="estimate", errors="ignore"), ctx.min_group)]
    name = "element_name_id" if ctx.lang == "id" else "element_name_en"
    g = g.assign(
        element_name=g[name],
        band=[_ikm_band(x, ctx.lang) for x in g["nrr_x25"]],
        order=g["element"].str[1:].astype(int),
    )
    return g.sort_values("order")[cols].reset_index(drop=True)


def link_frame(ctx: ReportContext) -> pd.DataFrame:
    """Culture -> IKM link per value (IKM points per culture point), all governments.

    Returns
    -------
    pandas.DataFrame
        ``value_name, estimate, ci_low, ci_high, p_value, n``.
    """
    cols = ["value_name", "estimate", "ci_low", "ci_high", "p_value", "n"]
    lk = ctx.table("culture_ikm_link", scope="all")
    if lk is None:
        return _empty(cols)
    lk = lk.assign(value_name=lk["value"].map(_value_names(ctx.lang)).fillna(lk["value"]))
    return lk[cols].reset_index(drop=True)


def value_chain_frame(ctx: ReportContext) -> pd.DataFrame:
    """Mediation paths programme -> culture -> IKM. Returns ``path, estimate, ci_low, ci_high, p_value, n``."""
    cols = ["path", "estimate", "ci_low", "ci_high", "p_value", "n"]
    vc = ctx.table("value_chain_paths", scope="all")
    return _empty(cols) if vc is None else vc[cols].reset_index(drop=True)


def reliability_frame(ctx: ReportContext) -> pd.DataFrame:
    """Reliability of the seven value scales in the government (all data if absent).

    Returns
    -------
    pandas.DataFrame
        ``value_name, alpha, omega, n``.
    """
    cols = ["value_name", "alpha", "omega", "n"]
    rel = ctx.table("reliability", scope="wave")
    if rel is None:
        return _empty(cols)
    r = rel[rel["gov_code"] == ctx.gov_code] if ctx.gov_code else rel.iloc[0:0]
    if not len(r):
        r = rel[rel["gov_code"].isna()]
    r = r[pd.to_numeric(r["n"], errors="coerce") >= ctx.min_group]
    r = r.assign(value_name=r["value"].map(_value_names(ctx.lang)).fillna(r["value"]))
    return r[cols].reset_index(drop=True)


def sample_adequacy_frame(ctx: ReportContext) -> pd.DataFrame:
    """Respondents against the Krejcie-Morgan minimum per unit.

    Respondent counts under ``min_group`` are shown as "< min_group".

    Returns
    -------
    pandas.DataFrame
        ``unit_name, population, required, respondents, adequate``.
    """
    cols = ["unit_name", "population", "required", "respondents", "adequate"]
    sa = ctx.table("sample_adequacy")
    if sa is None:
        return _empty(cols)
    names = _unit_names(ctx)
    resp = sa["respondents"].astype("Int64")
    small = resp < ctx.min_group
    out = sa.assign(
        unit_name=sa["unit_code"].astype(str).map(names).fillna(sa["unit_code"].astype(str)),
        respondents=[
            f"< {ctx.min_group}" if s else f"{int(r):,}" for r, s in zip(resp, small, strict=True)
        ],
        adequate=[t("yes" if a else "no", ctx.lang) for a in sa["adequate"].fillna(False)],
    )
    return out[cols].reset_index(drop=True)


def cfa_fit_frame(ctx: ReportContext) -> pd.DataFrame:
    """Confirmatory factor analysis fit (seven correlated factors), national and per government."""
    f = ctx.table("cfa_fit", scope="wave")
    cols = ["gov_code", "chi2", "df", "cfi", "tli", "rmsea", "srmr", "n"]
    if f is None:
        return _empty(cols)
    if ctx.gov_code:
        f = f[(f["gov_code"] == ctx.gov_code) | f["gov_code"].isna()]
    return f[[c for c in cols if c in f]].reset_index(drop=True)


def suppression_frame(ctx: ReportContext) -> pd.DataFrame:
    """Counts of withheld groups per table and level. Returns ``table, level, count``."""
    s = ctx.table("suppression", scope="all")
    if s is None or not len(s):
        return _empty(["table", "level", "count"])
    if "wave" in s:
        s = s[s["wave"] == ctx.wave]
    return s.groupby(["table", "level"], as_index=False).size().rename(columns={"size": "count"})


def provenance_frame(ctx: ReportContext) -> pd.DataFrame:
    """The results tables behind the report: rows, SHA-256 prefix and when written.

    Returns
    -------
    pandas.DataFrame
        ``table, rows, sha256, written``.
    """
    cat = store.catalog(ctx.results_dir)
    return pd.DataFrame(
        [
            {
                "table": k,
                "rows": int(v["rows"]),
                "sha256": v["sha256"][:12],
                "written": v["written"],
            }
            for k, v in sorted(cat.items())
        ],
        columns=["table", "rows", "sha256", "written"],
    )


# ---------------------------------------------------------------------------
# frames: national
# ---------------------------------------------------------------------------


def national_frame(ctx: ReportContext) -> pd.DataFrame:
    """Every government's overall index, category, IKM and national rank in the wave.

    Returns
    -------
    pandas.DataFrame
        ``gov_code, government, kind, estimate, ci_low, ci_high, n, category,
        ikm, band, rank_national``, best first.
    """
    ci = ctx.table("culture_index", scope="wave")
    g = _scoring(ci[(ci["level"] == "government") & (ci["value"] == "overall")])
    g = g[_shown(g, ctx.min_group)]
    gov = regions.governments().set_index("code")
    out = g.assign(
        government=g["gov_code"].map(gov["name"]),
        kind=g["gov_code"].map(gov["kind"]),
        category=[_category(x, ctx.lang) for x in g["estimate"]],
    )
    ik = ctx.table("ikm", scope="wave")
    if ik is not None:
        gi = ik[(ik["level"] == "government")]
        gi = gi[_shown(gi, ctx.min_group)][["gov_code", "estimate", "method_version"]]
        out = out.merge(gi.rename(columns={"estimate": "ikm"}), on="gov_code", how="left")
        out["band"] = [
            _ikm_band(x, ctx.lang, str(m))
            for x, m in zip(out["ikm"], out["method_version"], strict=True)
        ]
    else:
        out = out.assign(ikm=np.nan, band="—")
    b = _benchmarks(ctx, scope="wave")
    if b is not None:
        out = out.merge(
            b.loc[b["value"] == "overall", ["gov_code", "rank_national"]], on="gov_code", how="left"
        )
    else:
        out["rank_national"] = out["estimate"].rank(ascending=False, method="min")
    cols = ["gov_code", "government", "kind", "estimate", "ci_low", "ci_high", "n", "category", "ikm",
            "band", "rank_national"]  # fmt: skip
    return out.sort_values("estimate", ascending=False)[cols].reset_index(drop=True)


def descriptives_frame(ctx: ReportContext) -> pd.DataFrame:
    """National culture index per value and wave (every wave in the store).

    Returns
    -------
    pandas.DataFrame
        ``wave, value, value_name, estimate, ci_low, ci_high, n``.
    """
    cols = ["wave", "value", "value_name", "estimate", "ci_low", "ci_high", "n"]
    ci = ctx.table("culture_index", scope="all")
    if ci is None:
        return _empty(cols)
    d = _scoring(ci[ci["level"] == "national"])
    order = {c: i for i, c in enumerate(["overall", *fw.VALUE_CODES])}
    d = d.assign(value_name=d["value"].map(_value_names(ctx.lang)), order=d["value"].map(order))
    return d.sort_values(["wave", "order"])[cols].reset_index(drop=True)


def category_counts_frame(ctx: ReportContext) -> pd.DataFrame:
    """Number of governments per culture category. Returns ``category, count``."""
    nat = national_frame(ctx)
    return nat.groupby("category", as_index=False).size().rename(columns={"size": "count"})


FRAMES = {
    "summary": summary_frame,
    "value_profile": value_profile_frame,
    "units": units_frame,
    "weakest_behaviours": weakest_behaviours_frame,
    "priorities": priorities_frame,
    "programmes": programmes_frame,
    "programme_effects": programme_effects_frame,
    "ikm_units": ikm_units_frame,
    "ikm_elements": ikm_elements_frame,
    "culture_ikm_link": link_frame,
    "value_chain": value_chain_frame,
    "reliability": reliability_frame,
    "sample_adequacy": sample_adequacy_frame,
    "provenance": provenance_frame,
    "national": national_frame,
    "category_counts": category_counts_frame,
    "descriptives": descriptives_frame,
    "did_overall": did_frame,
    "did_event_time": lambda ctx: did_frame(ctx, level="event_time"),
    "did_cohort": lambda ctx: did_frame(ctx, level="cohort"),
    "did_pretrend": pretrend_frame,
    "cfa_fit": cfa_fit_frame,
    "suppression": suppression_frame,
}
"""Table name -> frame function; :func:`show` displays them."""


def show(ctx: ReportContext, name: str) -> Html:
    """Display one table of the report (and remember it for :func:`save_outputs`).

    Parameters
    ----------
    ctx : ReportContext
    name : str
        A key of :data:`FRAMES`.

    Returns
    -------
    Html
        An escaped HTML table with headers in the report's language, numbers
        rounded for display, and a note on withheld groups where any were.
    """
    try:
        fn = FRAMES[name]
    except KeyError as err:
        raise ParameterError(
            f"No report table named {name!r}; known: {', '.join(FRAMES)}."
        ) from err
    df = fn(ctx)
    if df is None or not len(df):
        return note(ctx, "no_data")
    notes = []
    if df.attrs.get("withheld"):
        notes.append(t("withheld", ctx.lang, k=df.attrs["withheld"], m=ctx.min_group))
    if df.attrs.get("unit_clustered"):
        notes.append(t("did_unit_clustered", ctx.lang))
    ctx.shown[name] = df.rename(columns=lambda c: _header(c, ctx.lang))
    return _html_table(df, ctx.lang, name, notes)


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------


def _fig_value_profile(ctx):
    from berakhlak_research.plots import culture

    return culture.value_profile(value_profile_frame(ctx), lang=ctx.lang)


def _fig_units(ctx):
    from berakhlak_research.plots import culture

    return culture.unit_caterpillar(units_frame(ctx), lang=ctx.lang)


def _fig_ikm_elements(ctx):
    from berakhlak_research.plots import culture

    return culture.ikm_elements(ikm_elements_frame(ctx), lang=ctx.lang)


def _fig_event_study(ctx):
    from berakhlak_research.plots import did

    d = did_frame(ctx, level="event_time")
    return did.event_study_plot(d, lang=ctx.lang) if len(d) else None


def _fig_priorities(ctx):
    from berakhlak_research.plots import value_chain

    ip = ctx.table("importance_performance", scope="all")
    if ip is None:
        return None
    ip = ip[ip["gov_code"] == ctx.gov_code]
    if "target" in ip and len(ip):
        ip = ip[ip["target"] == ("ikm" if (ip["target"] == "ikm").any() else ip["target"].iloc[0])]
    return value_chain.importance_performance_matrix(ip, lang=ctx.lang) if len(ip) else None


def _fig_national(ctx):
    from berakhlak_research.plots import culture

    return culture.distribution(national_frame(ctx), lang=ctx.lang)


_FIGURE_ALT = {
    "value_profile": "sec_profile",
    "unit_caterpillar": "sec_units",
    "ikm_elements": "sec_ikm",
    "event_study": "sec_programmes",
    "priorities": "sec_weak",
    "national_distribution": "national_title",
}
_SHARED_FIGURES = {"event_study": "did_effects"}
"""Figures that do not depend on the government -> the results table they draw."""
_SHARED: dict = {}

FIGURES = {
    "value_profile": _fig_value_profile,
    "unit_caterpillar": _fig_units,
    "ikm_elements": _fig_ikm_elements,
    "event_study": _fig_event_study,
    "priorities": _fig_priorities,
    "national_distribution": _fig_national,
}
"""Figure name -> function(ctx) returning a matplotlib Figure or None (no data)."""

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

# SVG: text as <text> (the browser draws it), fixed ids (the same figure gives the
# same bytes) and one short font list instead of matplotlib's long default.
_SVG_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "berakhlak",
    "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Arial", "Helvetica"],
}


def check_figure_format(fmt: str) -> str:
    """Return ``fmt`` if it is a figure format, else raise :class:`ParameterError`."""
    if fmt not in FIGURE_FORMATS:
        raise ParameterError(
            f"Figure format {fmt!r} is not supported; use {' or '.join(map(repr, FIGURE_FORMATS))}."
        )
    return fmt


def encode_figure(fig, fmt: str = "svg", dpi: int = 80) -> bytes:
    """The bytes of a matplotlib Figure as SVG or PNG (see :data:`FIGURE_FORMATS`).

    The figure is drawn once, with the margins the plot set (no
    ``bbox_inches="tight"``, which draws it twice).
    """
    import matplotlib

    check_figure_format(fmt)
    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context(_SVG_RC):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def figure(ctx: ReportContext, name: str, dpi: int = 80, fmt: str | None = None) -> Html:
    """Draw a figure, keep its bytes for :func:`save_outputs`, and return it for display.

    Parameters
    ----------
    ctx : ReportContext
    name : str
        A key of :data:`FIGURES`.
    dpi : int
        Resolution of a PNG.
    fmt : {"svg", "png"}, optional
        Encoding; default ``ctx.figure_format``.

    Returns
    -------
    Html
        An ``<img>`` holding the encoded figure (drawn once: the same bytes are
        displayed and saved) with alternative text, or a "no data" note.
        Figures that are the same in every government's report
        (:data:`_SHARED_FIGURES`) are drawn once per process and results table.
    """
    try:
        fn = FIGURES[name]
    except KeyError as err:
        raise ParameterError(
            f"No report figure named {name!r}; known: {', '.join(FIGURES)}."
        ) from err
    fmt = check_figure_format(fmt or ctx.figure_format)
    shared = _SHARED_FIGURES.get(name)
    key = None
    if shared is not None:
        # the same figure in every government's report: draw it once per process
        entry = store.catalog(ctx.results_dir).get(shared, {})
        key = (name, str(ctx.results_dir), entry.get("sha256"), ctx.lang, fmt, dpi)
    data = _SHARED.get(key) if key else None
    if data is None:
        fig = fn(ctx)
        if fig is None:
            return note(ctx, "no_data")
        data = encode_figure(fig, fmt, dpi)
        if key:
            _SHARED[key] = data
    ctx.figures.append((name, fmt, data))
    # an <img> with the figure inline: displayed as HTML, so no image formatter runs in
    # the kernel, the exported page carries alternative text, and an SVG stays isolated
    # from the page (its ids and styles cannot clash with another figure's)
    alt = _esc(t(_FIGURE_ALT.get(name, "sec_summary"), ctx.lang))
    b64 = base64.b64encode(data).decode("ascii")
    return Html(
        f"<img class='berakhlak-figure' alt='{alt}' src='data:{FIGURE_FORMATS[fmt]};base64,{b64}'/>"
    )


def save_outputs(ctx: ReportContext) -> None:
    """Write the tables shown (CSV each, one XLSX workbook) and figures to ``output_dir``.

    Exported tables keep full precision and have headers in the report's
    language. Figures are written as ``figures/<name>.svg`` or ``.png``: the
    very bytes shown in the report. Nothing is written when the context has no
    ``output_dir``.
    """
    if ctx.output_dir is None:
        return None
    tdir, fdir = ctx.output_dir / "tables", ctx.output_dir / "figures"
    tdir.mkdir(parents=True, exist_ok=True)
    fdir.mkdir(parents=True, exist_ok=True)
    for name, df in ctx.shown.items():
        df.to_csv(tdir / f"{name}.csv", index=False)
    if ctx.shown:
        from berakhlak_research.reporting.xlsx import write_xlsx

        write_xlsx(tdir / "tables.xlsx", ctx.shown)
    for name, fmt, data in ctx.figures:
        (fdir / f"{name}.{fmt}").write_bytes(data)
    return None
