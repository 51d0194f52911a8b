"""Read one file or a whole folder of exports: validated tables, rejected rows, row accounting."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from berakhlak_research import __version__
from berakhlak_research.exceptions import FileProblem
from berakhlak_research.framework import IKM_ELEMENTS_2017, LIKERT_POINTS
from berakhlak_research.io.flags import flag_summary, quality_flags
from berakhlak_research.io.headers import infer_table, map_headers, norm_header
from berakhlak_research.io.instruments import element_codes, refuse_other_instrument
from berakhlak_research.io.instruments import elements as instrument_elements
from berakhlak_research.io.mapping import Mapping, applies_to, apply_mapping, load_mapping
from berakhlak_research.io.read import SUPPORTED_SUFFIXES, read_raw
from berakhlak_research.io.validate import Part, check, convert, raw_text
from berakhlak_research.io.validate import unit_names as _unit_names
from berakhlak_research.tables import TABLE_NAMES, TABLES

__all__ = ["ReadResult", "IngestResult", "read_table", "ingest", "validate_paths", "collect_files",
           "from_simulator"]  # fmt: skip

REJECT_COLUMNS = ("_rule", "_column", "_reason", "_row", "_sheet", "_file")
PROBLEM_COLUMNS = ("file", "sheet", "row", "column", "value", "rule", "reason")
_UNIT_TABLES = ("culture_responses", "skm_responses", "interventions", "published_ikm")


class ReadResult(NamedTuple):
    """What :func:`read_table` returns (unpacks as ``data, rejected, report, problems``).

    Attributes
    ----------
    data : pandas.DataFrame
        Accepted rows, canonical columns and dtypes of :mod:`berakhlak_research.tables`.
    rejected : pandas.DataFrame
        Rejected rows with their values as written (original headers) plus
        ``_rule``, ``_column``, ``_reason`` (several joined by " | "), ``_row``
        (row number in the file, 1-based, header counted), ``_sheet``, ``_file``.
    report : dict
        file, sheet, table, header_row, rows_read, rows_accepted, rows_rejected,
        blank_rows_skipped, sha256, columns (header -> canonical),
        columns_ignored, rules (rule -> rejected rows).
    problems : pandas.DataFrame
        One row per problem: file, sheet, row, column, value, rule, reason.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    report: dict
    problems: pd.DataFrame


@dataclass
class IngestResult:
    """What :func:`ingest` and :func:`validate_paths` return.

    Attributes
    ----------
    tables : dict
        Table name -> accepted rows of all its files.
    rejected : dict
        Source file -> its rejected rows (as in :class:`ReadResult`).
    problems : pandas.DataFrame
        One row per problem: file, sheet, row, column, value, rule, reason.
    log : dict
        The ingest log (also written to ``interim/ingest-log.json``).
    """

    tables: dict[str, pd.DataFrame]
    rejected: dict[str, pd.DataFrame]
    problems: pd.DataFrame
    log: dict
    written: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return int(self.log["totals"]["rows_rejected"])

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted, 1 when some were rejected."""
        return 1 if self.rows_rejected else 0


# --------------------------------------------------------------------------
# One file
# --------------------------------------------------------------------------


def _load(
    path: Path, table: str | None, sheet: str | None, likert_points: int,
    period_rule: str = "year", mapping: Mapping | None = None,
) -> Part:  # fmt: skip
    raw = read_raw(path, sheet)
    headers = [str(c) for c in raw.frame.columns]
    if table is not None and table not in TABLES:
        raise FileProblem(
            f"unknown table {table!r}; known tables: {', '.join(TABLE_NAMES)}.", str(path)
        )
    fixed: dict[str, str] = {}
    notes: list[str] = []
    use = mapping if mapping is not None and applies_to(mapping, headers) else None
    if use is not None:
        raw, fixed, notes = apply_mapping(raw, use)
        name = table or use.table
        method = use.method
        period_rule = use.period_rule or period_rule
    else:
        if table in (None, "skm_responses"):
            # An older questionnaire fits no table; say what it is instead.
            refuse_other_instrument(headers, raw.where, None)
        name = table or infer_table(headers, where=raw.where)
        method = "2017"
    if name == "skm_responses":
        refuse_other_instrument(
            [h for h in raw.frame.columns if fixed.get(h) != "(ignore)"], raw.where,
            None if use is None else use.method,
        )  # fmt: skip
    m = map_headers(
        [str(c) for c in raw.frame.columns], name, where=raw.where, fixed=fixed,
        elements=None if method == "2017" else instrument_elements(method),
    )  # fmt: skip
    part = convert(
        raw, name, dict(m), m.ignored, likert_points=likert_points, period_rule=period_rule,
        answer_labels=use, method=method,
    )  # fmt: skip
    part.by_code = list(m.by_code)
    part.notes = notes
    part.mapping_used = use
    return part


@dataclass
class _Done:
    data: pd.DataFrame
    rejected: list[pd.DataFrame]
    problems: pd.DataFrame
    reports: list[dict]


def _finish(
    parts: list[Part],
    table: str,
    *,
    likert_points: int,
    today: dt.date | None,
    units: pd.DataFrame | None,
    names: list[str],
) -> _Done:
    """Validate all files of one table together and split each file's rows."""
    sizes = np.array([len(p.typed) for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    typed = (
        parts[0].typed
        if len(parts) == 1
        else pd.concat([p.typed for p in parts], ignore_index=True)
    )
    conv = pd.concat(
        [p.failures.assign(pos=p.failures["pos"] + offsets[i]) for i, p in enumerate(parts)],
        ignore_index=True,
    )
    if units is not None and "unit_code" in typed.columns and table in _UNIT_TABLES:
        typed = typed.assign(unit_code=_unit_names(typed, units))

    def where(pos: np.ndarray) -> np.ndarray:
        k = np.searchsorted(offsets, pos, side="right") - 1
        return np.array(
            [
                f"{names[j]} row {parts[j].raw.rows[p - offsets[j]]}"
                for j, p in zip(k, pos, strict=False)
            ],
            dtype=object,
        )

    fails = check(
        typed, table, likert_points=likert_points, today=today, units=units, skip=conv,
        where=where,
    )  # fmt: skip
    method = parts[0].method
    if table == "skm_responses" and method != "2017":
        fails = _other_method_answered(fails, typed, method)
    allf = pd.concat([conv, fails], ignore_index=True) if len(fails) else conv
    allf = allf.sort_values("pos", kind="stable").reset_index(drop=True)
    bad_pos = np.unique(allf["pos"].to_numpy())
    keep = np.ones(len(typed), dtype=bool)
    keep[bad_pos] = False
    data = typed.loc[keep].reset_index(drop=True)
    data = data.astype({c.name: c.dtype for c in TABLES[table].columns})
    flag_info = None
    if table == "skm_responses":
        maps = [p.mapping_used for p in parts if p.mapping_used is not None]
        test = who = None
        if any(m.test_column for m in maps):
            test = pd.Series(np.concatenate([_mapped_values(p, "test") for p in parts])[keep])
        if any(m.respondent_column for m in maps):
            who = np.concatenate([_mapped_values(p, "who") for p in parts])[keep]
            who = pd.Series(who, dtype="string")
        flags = quality_flags(data, element_codes(method), today=today, test=test, who=who)
        data = pd.concat([data, flags], axis=1)
        if method != "2017":
            data["method_version"] = method
        flag_info = (flags, np.concatenate([np.full(len(p.typed), j) for j, p in
                                            enumerate(parts)])[keep])  # fmt: skip

    rejected, problems, reports = [], [], []
    part_of = np.searchsorted(offsets, allf["pos"].to_numpy(), side="right") - 1
    for j, part in enumerate(parts):
        f = allf.loc[part_of == j].copy()
        f["pos"] = f["pos"] - offsets[j]
        rej, prob = _part_output(part, f, names[j])
        rejected.append(rej)
        problems.append(prob)
        n_read = len(part.typed)
        n_rej = len(rej)
        report = {
            "file": names[j],
            "sheet": part.raw.sheet,
            "table": table,
            "header_row": int(part.raw.header_row),
            "rows_read": int(n_read),
            "rows_accepted": int(n_read - n_rej),
            "rows_rejected": int(n_rej),
            "blank_rows_skipped": int(part.raw.blank_rows),
            "sha256": part.raw.sha256,
            "columns": dict(part.mapping),
            "columns_ignored": list(part.ignored),
            "rules": {str(k): int(v) for k, v in
                      f.drop_duplicates(["pos", "rule"])["rule"].value_counts().items()},
            "warnings": list(part.warnings),
            "encoding": part.raw.encoding,
            "read_notes": list(part.raw.notes),
        }  # fmt: skip
        if "period_code" in part.typed.columns:
            mine = typed["period_code"].iloc[offsets[j] : offsets[j + 1]]
            report["periods"] = {
                str(k): int(v)
                for k, v in mine[keep[offsets[j] : offsets[j + 1]]].value_counts().items()
            }
            report["period_rule"] = part.period_rule
        if table == "skm_responses":
            report["method"] = part.method
            report["element_order"] = _element_order(part)
            if flag_info is not None:
                fl, owner = flag_info
                mine = owner == j
                report["flags"] = flag_summary(data.loc[mine], fl.loc[mine])
        if part.mapping_used is not None:
            report["mapping"] = str(part.mapping_used.path)
        if part.notes:
            report["mapping_notes"] = list(part.notes)
        reports.append(report)
    if sum(r["rows_accepted"] for r in reports) != len(data):  # pragma: no cover
        raise RuntimeError("internal: row accounting does not add up")
    problems_df = pd.concat(problems, ignore_index=True)
    return _Done(data, rejected, problems_df, reports)


def _other_method_answered(fails: pd.DataFrame, typed: pd.DataFrame, method: str) -> pd.DataFrame:
    """``no_answers`` over the instrument's own elements (the schema knows only U1..U9)."""
    fails = fails.loc[fails["rule"] != "no_answers"]
    codes = list(element_codes(method))
    none = typed[codes].isna().all(axis=1).to_numpy()
    if not none.any():
        return fails
    pos = np.flatnonzero(none)
    extra = pd.DataFrame(
        {"pos": pos, "column": f"{codes[0]}..{codes[-1]}", "rule": "no_answers",
         "reason": f"none of the {len(codes)} elements of the {method} instrument is answered",
         "value": ""}
    )  # fmt: skip
    return pd.concat([fails, extra.astype(fails.dtypes.to_dict())], ignore_index=True)


def _mapped_values(part: Part, what: str) -> np.ndarray:
    """Per row of a file: whether the mapping's test column marks a test ("test"), or the
    respondent identity from its respondent column ("who"); False / missing otherwise."""
    n = len(part.typed)
    m = part.mapping_used
    col = None if m is None else (m.test_column if what == "test" else m.respondent_column)
    header = None
    if col is not None:
        want = norm_header(col)
        header = next((h for h in part.raw.frame.columns if norm_header(h) == want), None)
    if header is None:
        return np.zeros(n, dtype=bool) if what == "test" else np.full(n, None, dtype=object)
    text = raw_text(part.raw.frame[header])
    if what == "who":
        return text.to_numpy(dtype=object)
    codes, uniq = pd.factorize(text)
    keys = pd.Series(uniq).map(lambda v: norm_header(v).replace(" ", "").rstrip("0123456789"))
    hit = keys.isin(set(m.test_values)).to_numpy()
    return hit[codes] if len(hit) else np.zeros(n, dtype=bool)


def _element_order(part: Part) -> dict:
    """How the file's element columns were identified: by name, by the mapping, or by number
    (then the order of PermenPANRB 14/2017 was assumed, and the log says so)."""
    names = {e.code: e.name_id for e in IKM_ELEMENTS_2017}
    if part.by_code:
        cols = {h: part.mapping[h] for h in part.by_code}
        return {
            "identified_by": "number",
            "assumed": "PermenPANRB 14/2017",
            "note": "element columns headed by number only ("
            + ", ".join(cols)
            + ") were read in the order of PermenPANRB 14/2017 (U8 "
            + names["U8"]
            + ", U9 "
            + names["U9"]
            + "); if the questionnaire asked Sarana dan Prasarana 8th, declare the order in a "
            "mapping (--mapping)",
            "columns": cols,
        }
    if part.mapping_used is not None and any(
        c in element_codes(part.method) for c in part.mapping_used.columns.values()
    ):
        return {"identified_by": "mapping"}
    return {"identified_by": "name"}


def _part_output(part: Part, f: pd.DataFrame, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A file's rejected rows (values as written) and its problem list."""
    raw = part.raw
    header_of = part.header_of
    f = f.copy()
    # Values as written in the file for single-column rules from the schema.
    for col, idx in f.groupby("column", sort=False).groups.items():
        if col in header_of:
            sub = f.loc[idx]
            need = sub["rule"] != "duplicate_key"
            pos = sub.loc[need, "pos"].to_numpy()
            f.loc[sub.index[need.to_numpy()], "value"] = raw_text(
                raw.frame[header_of[col]].iloc[pos]
            ).to_numpy()

    def show(col: str) -> str:
        return ", ".join(header_of.get(c, c) for c in str(col).split(", "))

    cols = f["column"].astype(str)
    f["column"] = cols.map({c: show(c) for c in cols.unique()})
    rows = raw.rows[f["pos"].to_numpy()]
    problems = pd.DataFrame(
        {
            "file": name,
            "sheet": raw.sheet,
            "row": rows,
            "column": f["column"].to_numpy(),
            "value": f["value"].astype("string").to_numpy(),
            "rule": f["rule"].to_numpy(),
            "reason": f["reason"].to_numpy(),
        },
        columns=list(PROBLEM_COLUMNS),
    )
    if len(f) == 0:
        rej = raw.frame.iloc[:0].astype("string")
        for c in REJECT_COLUMNS:
            rej[c] = pd.Series([], dtype="string")
        return rej, problems
    agg = f.groupby("pos", sort=True).agg(
        _rule=("rule", " | ".join), _column=("column", " | ".join), _reason=("reason", " | ".join)
    )
    pos = agg.index.to_numpy()
    rej = raw.frame.iloc[pos].reset_index(drop=True)
    rej = rej.apply(raw_text).astype("string") if len(rej.columns) else rej
    rej["_rule"] = agg["_rule"].to_numpy()
    rej["_column"] = agg["_column"].to_numpy()
    rej["_reason"] = agg["_reason"].to_numpy()
    rej["_row"] = raw.rows[pos]
    rej["_sheet"] = raw.sheet
    rej["_file"] = name
    return rej, problems


def read_table(
    path: str | Path,
    table: str | None = None,
    sheet: str | None = None,
    *,
    units: pd.DataFrame | None = None,
    likert_points: int = LIKERT_POINTS,
    today: dt.date | None = None,
    period_rule: str = "year",
    mapping: str | Path | Mapping | None = None,
) -> ReadResult:
    """Read, convert and validate one raw export.

    Parameters
    ----------
    path : path-like
        CSV (comma or semicolon), XLSX or Parquet file.
    table : str, optional
        Canonical table name; inferred from the headers when not given.
    sheet : str, optional
        Worksheet of a workbook (default: the first).
    units : pandas.DataFrame, optional
        Accepted units (canonical columns); enables the cross-table rules
        (``unknown_unit``, ``government_without_units``) and unit names in
        place of codes.
    likert_points : int
        Length of the culture answer scale (default 5).
    today : datetime.date, optional
        Reference date for "in the future" (default: today).
    period_rule : {"year", "semester", "quarter", "month"}
        The period a survey date in the SKM "Periode" column belongs to.
    mapping : path-like or Mapping, optional
        A questionnaire mapping (:mod:`berakhlak_research.io.mapping`).

    Returns
    -------
    ReadResult
        ``data`` (accepted rows, canonical dtypes), ``rejected`` (rows as
        written plus ``_rule, _column, _reason, _row, _sheet, _file``),
        ``report`` (row accounting and sha256) and ``problems`` (one row per
        problem). ``report["rows_read"] == rows_accepted + rows_rejected``.

    Raises
    ------
    FileProblem
        The file cannot be used at all (unreadable, empty, sheet not found,
        unknown table, required column missing).
    """
    path = Path(path)
    part = _load(path, table, sheet, likert_points, period_rule, _as_mapping(mapping))
    done = _finish(
        [part], part.table, likert_points=likert_points, today=today, units=units,
        names=[str(path)],
    )  # fmt: skip
    return ReadResult(done.data, done.rejected[0], done.reports[0], done.problems)


# --------------------------------------------------------------------------
# Many files
# --------------------------------------------------------------------------


def _as_mapping(mapping) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping)


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[Path]]:
    """Data files under ``paths`` (folders searched recursively) and the files skipped.

    Hidden files, Office lock files (``~$...``), the simulator's truth tables
    (``truth_*.tsv``) and other types are skipped.
    """
    found: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            cands = sorted(x for x in p.rglob("*") if x.is_file())
        elif p.exists():
            cands = [p]
        else:
            raise FileProblem(f"{p}: no such file or folder. Check the path.", str(p))
        for x in cands:
            hidden = any(part.startswith(".") for part in x.parts[len(p.parts) :]) or (
                x.name.startswith(("~$", "."))
            )
            # The simulator's ground-truth tables sit beside its raw exports.
            hidden = hidden or (x.name.startswith("truth_") and x.suffix.lower() == ".tsv")
            if not hidden and x.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(x)
            elif p.is_dir():
                skipped.append(x)
            else:
                found.append(x)  # named explicitly: let the reader say what is wrong
    return found, skipped


def _display(path: Path, roots: list[Path]) -> str:
    for r in roots:
        if r.is_dir():
            try:
                return str(path.relative_to(r))
            except ValueError:
                continue
    return str(path)


def from_simulator(raw: str | Path) -> bool:
    """Whether a raw folder (or a file's folder) holds the simulator's ``truth.json``.

    ``berakhlak simulate`` writes ``truth.json`` beside its exports, naming itself as
    the generator; data ingested from such a folder are synthetic.
    """
    p = Path(raw)
    truth = (p if p.is_dir() else p.parent) / "truth.json"
    if not truth.is_file():
        return False
    try:
        return json.loads(truth.read_text(encoding="utf-8")).get("generator") == (
            "berakhlak_research.simulate"
        )
    except (OSError, ValueError, AttributeError):
        return False


def _run(
    paths: list[str | Path],
    table: str | None,
    likert_points: int,
    today: dt.date | None,
    progress: bool | None,
    extra_units: Path | None = None,
    sheet: str | None = None,
    period_rule: str = "year",
    mapping: Mapping | None = None,
) -> tuple[IngestResult, dict[str, list[pd.DataFrame]], list[str]]:
    from tqdm.auto import tqdm

    roots = [Path(p) for p in paths]
    files, skipped = collect_files(paths)
    if not files:
        raise FileProblem(
            "no CSV, XLSX or Parquet files in " + ", ".join(map(str, paths)) + ". Check the path.",
            ", ".join(map(str, paths)),
        )
    names = [_display(f, roots) for f in files]
    parts: list[Part] = []
    # disable=None: tqdm shows the bar only on a terminal.
    disable = True if progress is False or len(files) < 2 else (None if progress is None else False)
    bar = tqdm(files, desc="reading", unit="file", disable=disable)
    for f in bar:
        bar.set_postfix_str(f.name, refresh=False)
        is_book = f.suffix.lower() in (".xlsx", ".xlsm")
        parts.append(
            _load(f, table, sheet if is_book else None, likert_points, period_rule, mapping)
        )
    by_table: dict[str, list[int]] = {}
    for i, p in enumerate(parts):
        by_table.setdefault(p.group, []).append(i)
    notes: list[str] = []
    units = None
    # Units first (TABLE_NAMES starts with it); an older SKM instrument's own
    # table (skm_responses_2014) right after the canonical one.
    order = [g for t in TABLE_NAMES for g in sorted(by_table) if g.split("_20")[0] == t]
    if "units" not in by_table and any(t in _UNIT_TABLES for t in order):
        if extra_units is not None and extra_units.is_file():
            units = pd.read_parquet(extra_units)
            notes.append(f"cross-table checks use the units already in {extra_units}")
        else:
            notes.append(
                "no units table among the inputs: units and governments were not cross-checked"
            )
    tables, rejected, problems, reports = {}, {}, [], {}
    for t in order:
        idx = by_table[t]
        done = _finish(
            [parts[i] for i in idx], parts[idx[0]].table, likert_points=likert_points,
            today=today,
            units=None if t == "units" else units, names=[names[i] for i in idx],
        )  # fmt: skip
        tables[t] = done.data
        if t == "units":
            units = done.data
        for i, rej, rep in zip(idx, done.rejected, done.reports, strict=True):
            rejected[names[i]] = rej
            reports[names[i]] = rep
        problems.append(done.problems)
    file_reports = [reports[n] for n in names]
    totals = {
        k: int(sum(r[k] for r in file_reports))
        for k in ("rows_read", "rows_accepted", "rows_rejected", "blank_rows_skipped")
    }
    per_table = {
        t: {
            "files": len(by_table[t]),
            **{k: int(sum(reports[names[i]][k] for i in by_table[t]))
               for k in ("rows_read", "rows_accepted", "rows_rejected")},
        }
        for t in order
    }  # fmt: skip
    log = {
        "tool": f"berakhlak-research {__version__}",
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": [str(p) for p in paths],
        "likert_points": likert_points,
        "files": file_reports,
        "tables": per_table,
        "totals": totals,
        "skipped_files": [_display(s, roots) for s in skipped],
        "notes": notes,
        # reports built on simulated data must say so (a banner on every page)
        "synthetic": any(from_simulator(r) for r in roots),
        "methods": _methods_notes(file_reports),
    }
    if mapping is not None:
        log["mapping"] = mapping.as_log()
    probs = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()
    by_table_names = {t: [names[i] for i in by_table[t]] for t in order}
    return IngestResult(tables, rejected, probs, log), by_table_names, names


def _methods_notes(reports: list[dict]) -> list[str]:
    """Sentences for a report's methods section: assumed element order, instruments, flags."""
    out: list[str] = []
    by_number = [
        f"{r['file']}: " + ", ".join(r["element_order"]["columns"])
        for r in reports
        if r.get("element_order", {}).get("assumed")
    ]
    if by_number:
        out.append(
            "SKM element columns headed by number only (" + "; ".join(by_number) + ") were read "
            "in the order of PermenPANRB 14/2017 (U8 Penanganan Pengaduan, Saran dan Masukan; "
            "U9 Sarana dan Prasarana), as no mapping declared their order."
        )
    mapped = sorted({r["mapping"] for r in reports if r.get("mapping")})
    if mapped:
        out.append("Columns, answer labels and periods were read with the mapping "
                   + ", ".join(mapped) + ".")  # fmt: skip
    old = sorted({r["method"] for r in reports if r.get("method") not in (None, "2017")})
    for m in old:
        out.append(
            f"Responses to the {m} instrument are kept apart (table skm_responses_{m}) "
            "and never pooled with the nine elements of PermenPANRB 14/2017."
        )
    counts: dict[str, int] = {}
    rows = 0
    for r in reports:
        if "flags" in r:
            rows += r["flags"]["rows"]
            for k, v in r["flags"]["counts"].items():
                counts[k] = counts.get(k, 0) + v
    if rows:
        out.append(
            f"Of {rows:,} accepted SKM responses, "
            + ", ".join(f"{v:,} {k.removeprefix('flag_').replace('_', ' ')}" for k, v in
                        counts.items())
            + " were flagged (kept, not dropped)."
        )  # fmt: skip
    return out


def validate_paths(
    paths: list[str | Path],
    table: str | None = None,
    *,
    likert_points: int = LIKERT_POINTS,
    today: dt.date | None = None,
    progress: bool | None = None,
    sheet: str | None = None,
    period_rule: str = "year",
    mapping: str | Path | Mapping | None = None,
) -> IngestResult:
    """Check files and folders as :func:`ingest` would, writing nothing.

    Returns
    -------
    IngestResult
        Accepted tables, rejected rows, the problem list and the log (not written).
    """
    result, _, _ = _run(
        list(paths), table, likert_points, today, progress, sheet=sheet, period_rule=period_rule,
        mapping=_as_mapping(mapping),
    )  # fmt: skip
    return result


def _source_name(name: str, taken: set[str]) -> str:
    p = Path(name)
    # A file named on its own is shown by its full path; its folders (and the
    # root "/") are not part of the quarantine file's name.
    parts = () if p.is_absolute() or p.parts[:1] == ("..",) else p.parent.parts
    stem = "__".join([*parts, p.stem]) if parts else p.stem
    out = stem if stem not in taken else f"{stem}-{p.suffix.lstrip('.')}"
    taken.add(out)
    return out


def ingest(
    raw_dir: str | Path,
    out_dir: str | Path,
    *,
    table: str | None = None,
    likert_points: int = LIKERT_POINTS,
    today: dt.date | None = None,
    progress: bool | None = None,
    sheet: str | None = None,
    period_rule: str = "year",
    mapping: str | Path | Mapping | None = None,
) -> IngestResult:
    """Ingest every export in a folder: validated Parquet, quarantined rows, a log.

    Every CSV/XLSX/Parquet file under ``raw_dir`` (recursively) is read, its
    table inferred from the headers (or ``table``), and all files of a table
    validated together (so a respondent duplicated across two files is caught).
    Units are validated first; the other tables are then checked against them.
    Raw files are only read.

    Parameters
    ----------
    raw_dir : path-like
        Folder of raw exports (or a single file).
    out_dir : path-like
        Writes ``processed/<table>.parquet``,
        ``interim/rejected/<table>-<source>.csv`` (only for files with rejected
        rows) and ``interim/ingest-log.json``.
    table, likert_points, today
        As in :func:`read_table`.
    sheet : str, optional
        Worksheet to read in every workbook (default: each workbook's first).
    period_rule : {"year", "semester", "quarter", "month"}
        The period a survey date in an SKM "Periode" column belongs to.
    mapping : path-like or Mapping, optional
        A questionnaire mapping (TOML or YAML; :mod:`berakhlak_research.io.mapping`),
        applied to every file that has one of its headers.
    progress : bool, optional
        Show a progress bar (default: when several files and a terminal).

    Returns
    -------
    IngestResult

    Raises
    ------
    FileProblem
        Any file unusable as a whole; nothing is written then.
    """
    out = Path(out_dir)
    result, by_table, names = _run(
        [raw_dir], table, likert_points, today, progress,
        extra_units=out / "processed" / "units.parquet",
        sheet=sheet, period_rule=period_rule, mapping=_as_mapping(mapping),
    )  # fmt: skip
    processed = out / "processed"
    rejected_dir = out / "interim" / "rejected"
    processed.mkdir(parents=True, exist_ok=True)
    rejected_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    # Rejected rows of an earlier run of the same tables would mislead: replace them.
    for t in result.tables:
        for old in rejected_dir.glob(f"{t}-*.csv"):
            old.unlink()
    for t, frame in result.tables.items():
        target = processed / f"{t}.parquet"
        frame.to_parquet(target, index=False)
        written.append(str(target))
        result.log["tables"][t]["output"] = str(target)
    taken: set[str] = set()
    for rep in result.log["files"]:
        rej = result.rejected[rep["file"]]
        src = _source_name(rep["file"], taken)
        if len(rej):
            target = rejected_dir / f"{rep['table']}-{src}.csv"
            rej.to_csv(target, index=False, encoding="utf-8-sig")
            rep["rejected_file"] = str(target)
            written.append(str(target))
        else:
            rep["rejected_file"] = None
    log_path = out / "interim" / "ingest-log.json"
    log_path.write_text(json.dumps(result.log, indent=2, ensure_ascii=False) + "\n")
    written.append(str(log_path))
    result.written = written
    return result
