"""Convert raw columns, check every rule at once, and split rows into accepted and rejected.

Failures are collected as a long table, one row per (row, column, rule):
``pos`` (position in the frame being checked), ``column`` (canonical name, or
several joined by ", " for rules on a combination), ``rule`` (an id of
:data:`berakhlak_research.schemas.RULES`), ``reason`` (with the value) and
``value`` (the value as written in the file). A row with any failure is
rejected once, with all its failures listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from berakhlak_research.framework import (
    BEHAVIOUR_CODES,
    GENERIC_SKM_LABELS,
    IKM_ELEMENT_CODES,
    IKM_ELEMENTS_2017,
    LIKERT_LABELS,
    LIKERT_POINTS,
)
from berakhlak_research.io import labels as L
from berakhlak_research.io.headers import norm_header
from berakhlak_research.io.read import RawFrame
from berakhlak_research.periods import to_periods
from berakhlak_research.schemas import EDUCATION_LEVELS, SEXES, table_schema
from berakhlak_research.tables import TABLES

__all__ = [
    "Part",
    "convert",
    "check",
    "FAILURE_COLUMNS",
    "empty_failures",
    "unit_names",
    "raw_text",
]

FAILURE_COLUMNS = ("pos", "column", "rule", "reason", "value")
_CHOICE_COLUMNS = {
    "sex", "employment_type", "unit_type", "kind", "education", "method_version", "index_kind",
}  # fmt: skip


def empty_failures() -> pd.DataFrame:
    """An empty failure table with the right columns."""
    return pd.DataFrame(
        {
            "pos": pd.Series([], dtype="int64"),
            **{c: pd.Series([], dtype="string") for c in FAILURE_COLUMNS[1:]},
        }
    )


@dataclass
class Part:
    """One file converted to canonical columns.

    Attributes
    ----------
    raw : RawFrame
    table : str
    mapping : dict
        Original header -> canonical column.
    ignored : list of str
        Headers that matched no column (left out of the processed table).
    typed : pandas.DataFrame
        Canonical columns and dtypes; cells that failed conversion are missing.
    failures : pandas.DataFrame
        Conversion failures (see module docstring).
    """

    raw: RawFrame
    table: str
    mapping: dict[str, str]
    ignored: list[str]
    typed: pd.DataFrame
    failures: pd.DataFrame
    warnings: list[dict] = field(default_factory=list)
    period_rule: str = "year"
    method: str = "2017"
    by_code: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mapping_used: object = None

    @property
    def group(self) -> str:
        """Output table: the canonical one, or ``<table>_<method>`` for an older SKM instrument."""
        return self.table if self.method == "2017" else f"{self.table}_{self.method}"

    @property
    def header_of(self) -> dict[str, str]:
        """Canonical column -> header as written in the file."""
        return {c: h for h, c in self.mapping.items()}


def raw_text(s: pd.Series) -> pd.Series:
    """A column as the text the file showed (missing as ``""``), for failure reports."""
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        return s.astype("string").fillna("")
    return s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))


_OLD_LABELS = ("Tidak baik", "Kurang baik", "Baik", "Sangat baik")


def _element_converter(col: str, decimal: str, extra: dict[str, int] | None):
    if col in IKM_ELEMENT_CODES:
        labels = L.skm_labels(col)
        el = {e.code: e for e in IKM_ELEMENTS_2017}[col]
        hint = f"{el.labels_id[0]} .. {el.labels_id[-1]}"
        if el.labels_id[0] != "Tidak sesuai":
            hint += ", or Tidak sesuai .. Sangat sesuai"
    else:
        # Elements of the older instruments (Maklumat Pelayanan, the 2004 fourteen).
        labels = {norm_header(t): i for tup in (_OLD_LABELS, GENERIC_SKM_LABELS)
                  for i, t in enumerate(tup, start=1)}  # fmt: skip
        hint = "Tidak baik .. Sangat baik, or Tidak sesuai .. Sangat sesuai"
    if extra:
        labels = {**labels, **extra}
        hint += ", or the mapping's labels (" + ", ".join(list(extra)[:6]) + ")"
    return lambda s: L.to_answers(s, labels, 4, decimal=decimal, hint=hint)


def _converter(col: str, dtype: str, table: str, likert_points: int, decimal: str):
    if col == "gov_code":
        return L.to_government
    if table == "culture_responses" and col in BEHAVIOUR_CODES:
        labels = L.likert_labels(likert_points)
        ends = LIKERT_LABELS[likert_points]["id"]
        hint = f"{ends[0]} .. {ends[-1]}"
        return lambda s: L.to_answers(s, labels, likert_points, decimal=decimal, hint=hint)
    if table == "skm_responses" and col in IKM_ELEMENT_CODES:
        return _element_converter(col, decimal, None)
    if col == "stage":
        return L.to_stage
    if col in _CHOICE_COLUMNS or (col == "age_group" and table == "culture_responses"):
        return lambda s: L.to_choice(s, col)
    if dtype == "Int64":
        return lambda s: L.to_number(s, "Int64", decimal=decimal, whole=True)
    if dtype == "float64":
        return lambda s: L.to_number(s, "float64", decimal=decimal)
    if dtype.startswith("datetime"):
        return L.to_date
    if dtype == "boolean":
        return L.to_bool
    return L.to_text


# Optional respondent-profile columns of the SKM: an unrecognised value never
# costs the response its answers; it becomes missing and is reported as a warning.
_SOFT_CHOICES = {"skm_responses": {"sex": SEXES, "education": EDUCATION_LEVELS}}


def convert(
    raw: RawFrame, table: str, mapping: dict[str, str], ignored: list[str], *,
    likert_points: int = LIKERT_POINTS, period_rule: str = "year",
    answer_labels=None, method: str = "2017",
) -> Part:  # fmt: skip
    """Convert a raw frame's mapped columns to the canonical dtypes of ``table``.

    ``period`` (SKM tables) is parsed by :func:`berakhlak_research.periods.to_periods`
    into the survey year (``period``) and the canonical ``period_code``; a
    survey date becomes its period by ``period_rule``. ``answer_labels``
    (element code -> normalised label -> score, from a questionnaire mapping)
    adds answer labels; ``method`` names the SKM instrument, whose elements
    outside the 2017 nine (``MP``, ``E1..E14``) become extra Int8 columns.

    Returns
    -------
    Part
        The typed frame (all canonical columns; absent optional ones missing)
        and the conversion failures.
    """
    tbl = TABLES[table]
    header_of = {c: h for h, c in mapping.items()}
    n = len(raw.frame)
    typed: dict[str, pd.Series] = {}
    fails: list[pd.DataFrame] = []
    warnings: list[dict] = []
    soft = _SOFT_CHOICES.get(table, {})
    has_code = "period_code" in tbl.column_names
    extra_cols: list = []
    if table == "skm_responses" and method != "2017":
        from berakhlak_research.io.instruments import element_codes
        from berakhlak_research.tables import Column

        extra_cols = [Column(c, "Int8", c, True) for c in element_codes(method)
                      if c not in IKM_ELEMENT_CODES]  # fmt: skip
    for col in (*tbl.columns, *extra_cols):
        if col.name == "period_code" and has_code:
            if "period_code" not in typed:
                typed["period_code"] = pd.Series(index=range(n), dtype="string")
            continue
        if col.name not in header_of:
            typed[col.name] = pd.Series(index=range(n), dtype=col.dtype)
            if col.name == "index_kind":
                # Files without the column hold the culture survey's index, the
                # only one published before implementation evaluations; said in the log.
                typed[col.name] = typed[col.name].fillna("culture_health")
                warnings.append(
                    {"column": "(none)", "canonical": "index_kind", "value": "culture_health",
                     "rows": n, "rule": "index_kind_assumed",
                     "action": "no 'Jenis Indeks' column: every row is taken as the culture "
                               "survey's Indeks BerAKHLAK (culture_health); add the column if "
                               "the file holds implementation-evaluation indices"}
                )  # fmt: skip
            continue
        src = raw.frame[header_of[col.name]]
        if col.name == "period" and has_code:
            values, code, rule, reason = to_periods(src, period_rule)
            typed["period_code"] = code.reset_index(drop=True)
        elif table == "skm_responses" and (col.name in IKM_ELEMENT_CODES or col in extra_cols):
            extra = answer_labels.labels_for(col.name) if answer_labels is not None else None
            values, rule, reason = _element_converter(col.name, raw.decimal, extra)(src)
            if col in extra_cols:
                # No schema covers these columns: check the 1..4 range here.
                rule, reason, values = _range(values, rule, reason)
        else:
            values, rule, reason = _converter(
                col.name, col.dtype, table, likert_points, raw.decimal
            )(src)
        if col.name in soft:
            values, warn = _soften(values, soft[col.name], col.name, header_of[col.name])
            warnings.extend(warn)
        typed[col.name] = values.reset_index(drop=True).astype(col.dtype)
        if rule is None:
            continue
        rule = np.asarray(rule, dtype=object)
        bad = pd.notna(rule)
        if bad.any():
            pos = np.flatnonzero(bad)
            fails.append(
                pd.DataFrame(
                    {
                        "pos": pos,
                        "column": col.name,
                        "rule": rule[pos],
                        "reason": np.asarray(reason, dtype=object)[pos],
                        "value": raw_text(src.iloc[pos]).to_numpy(),
                    }
                )
            )
    if raw.malformed:
        pos = np.fromiter(raw.malformed, dtype=np.int64)
        width = raw.frame.shape[1]
        fails.append(
            pd.DataFrame(
                {
                    "pos": pos,
                    "column": "(whole row)",
                    "rule": "malformed_row",
                    "reason": [
                        f"the line has {raw.malformed[p]} fields but the header has {width} "
                        "(a stray delimiter or quote?)"
                        for p in pos
                    ],
                    "value": "",
                }
            )
        )
    failures = _stack(fails)
    frame = pd.DataFrame({c: typed[c] for c in (*tbl.column_names, *(c.name for c in extra_cols))})
    return Part(
        raw, table, dict(mapping), list(ignored), frame, failures, warnings, period_rule, method
    )


def _range(values: pd.Series, rule, reason):
    """Answers outside 1..4 in an element no schema covers: ``answer_range``."""
    x = values.astype("Float64")
    bad = (x.notna() & ((x < 1) | (x > 4))).to_numpy(dtype=bool, na_value=False)
    if not bad.any():
        return rule, reason, values
    n = len(values)
    rule = np.full(n, None, dtype=object) if rule is None else np.asarray(rule, dtype=object).copy()
    reason = (
        np.full(n, None, dtype=object)
        if reason is None
        else np.asarray(reason, dtype=object).copy()
    )
    rule[bad] = "answer_range"
    reason[bad] = ("answer " + values[bad].astype(str) + " is outside 1..4").to_numpy()
    return rule, reason, values.mask(pd.Series(bad, index=values.index))


def _soften(values: pd.Series, allowed, column: str, header: str):
    """Unrecognised values of an optional profile column -> missing, one warning per value."""
    bad = values.notna() & ~values.isin(list(allowed))
    if not bad.any():
        return values, []
    counts = values[bad].value_counts()
    warn = [
        {"column": header, "canonical": column, "value": str(v), "rows": int(k),
         "rule": "unrecognised_profile_value",
         "action": "set missing; the response and its answers are kept"}
        for v, k in counts.items()
    ]  # fmt: skip
    return values.mask(bad), warn


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_failures()
    out = pd.concat(frames, ignore_index=True)
    out["pos"] = out["pos"].astype("int64")
    for c in FAILURE_COLUMNS[1:]:
        out[c] = out[c].astype("string")
    return out


def unit_names(typed: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Unit codes, with unit NAMES replaced by the code they have in ``units``.

    Exports often carry "Dinas Kesehatan" where the units table has its code;
    a name that fits exactly one unit of the same government (case, spacing and
    punctuation ignored) is replaced by that unit's code.
    """
    unit = typed["unit_code"]
    if units is None or len(units) == 0 or unit.isna().all():
        return unit
    ref_pairs = pd.MultiIndex.from_frame(units[["gov_code", "unit_code"]].astype(str))
    pairs = pd.MultiIndex.from_arrays(
        [typed["gov_code"].fillna("").astype(str), unit.fillna("").astype(str)]
    )
    unknown = unit.notna().to_numpy() & ~pairs.isin(ref_pairs)
    if not unknown.any():
        return unit
    names = units[["gov_code", "unit_code", "unit_name"]].dropna()
    names = names.assign(key=names["gov_code"] + "|" + names["unit_name"].map(norm_header))
    names = names.drop_duplicates("key", keep=False).set_index("key")["unit_code"]
    sub = typed.loc[unknown, ["gov_code", "unit_code"]]
    keys = (
        sub["gov_code"].fillna("").astype(str) + "|" + sub["unit_code"].astype(str).map(norm_header)
    )
    found = keys.map(names)
    out = unit.copy()
    hit = found.notna()
    out.loc[found.index[hit]] = found[hit].astype("string")
    return out


def _fill(template: str, values: pd.Series) -> pd.Series:
    before, _, after = template.partition("{value}")
    if not _:
        return pd.Series(template, index=values.index, dtype="string")
    return (before + values.astype("string").fillna("") + after).astype("string")


def _show(values: pd.Series) -> pd.Series:
    """Values for messages: dates as dates, whole numbers without '.0'."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d").astype("string")
    return values.astype("string")


def check(
    typed: pd.DataFrame,
    table: str,
    *,
    likert_points: int = LIKERT_POINTS,
    today: dt.date | None = None,
    units: pd.DataFrame | None = None,
    skip: pd.DataFrame | None = None,
    where=None,
) -> pd.DataFrame:
    """Check the schema rules and the cross-table rules on a typed frame.

    Parameters
    ----------
    typed : pandas.DataFrame
        Canonical columns and dtypes, RangeIndex (positions).
    table : str
        Canonical table name.
    likert_points, today
        Passed to :func:`berakhlak_research.schemas.table_schema`.
    units : pandas.DataFrame, optional
        Accepted units (``gov_code, unit_code``); enables the cross-table rules.
    skip : pandas.DataFrame, optional
        Conversion failures; a cell that failed conversion is not reported a
        second time as empty.
    where : callable, optional
        Positions -> how they are named in messages ("file.csv row 5"), used to
        point duplicates at each other.

    Returns
    -------
    pandas.DataFrame
        Failures: pos, column, rule, reason, value (``value`` is the typed
        value here; the caller replaces it by the value as written).
    """
    ts = table_schema(table, likert_points=likert_points, today=today)
    fails: list[pd.DataFrame] = []
    try:
        ts.schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        fails.append(_from_pandera(err.failure_cases, typed, ts, where))
    if units is not None:
        fails.append(_cross(typed, table, units))
    out = _stack(fails).drop_duplicates(["pos", "column", "rule"])
    if skip is not None and len(skip) and len(out):
        done = pd.MultiIndex.from_frame(skip[["pos", "column"]].astype({"column": str}))
        mine = pd.MultiIndex.from_frame(out[["pos", "column"]].astype({"column": str}))
        out = out.loc[~(mine.isin(done) & (out["rule"] == "required").to_numpy())]
    return out.reset_index(drop=True)


def _from_pandera(fc: pd.DataFrame, typed: pd.DataFrame, ts, where) -> pd.DataFrame:
    fc = fc.dropna(subset=["index"]).copy()
    fc["pos"] = fc["index"].astype("int64")
    check_s = fc["check"].astype(str)
    parts: list[pd.DataFrame] = []
    unique = check_s.isin(["multiple_fields_uniqueness", "field_uniqueness"])
    if unique.any():
        pos = np.unique(fc.loc[unique, "pos"].to_numpy())
        key = list(ts.key)
        kv = typed.loc[pos, key].astype("string").fillna("(empty)")
        shown = kv.agg(", ".join, axis=1)
        reason = _fill(ts.messages["duplicate_key"], shown)
        if where is not None:
            grp = pd.Series(where(pos), index=shown.index).groupby(shown.to_numpy())
            others = shown.map(grp.agg("; ".join))
            reason = reason + " (" + others.astype("string") + ")"
        parts.append(
            pd.DataFrame(
                {"pos": pos, "column": ", ".join(key), "rule": "duplicate_key",
                 "reason": reason.to_numpy(), "value": shown.to_numpy()}
            )
        )  # fmt: skip
    rest = fc.loc[~unique]
    frame_level = rest["column"].isna() | (rest["schema_context"] == "DataFrameSchema")
    if frame_level.any():
        sub = rest.loc[frame_level]
        rules = sub["check"].astype(str)
        cols = np.where(
            rules == "no_answers",
            "BP1..KB3" if ts.name == "culture_responses" else "U1..U9",
            "(whole row)",
        )
        parts.append(
            pd.DataFrame(
                {"pos": sub["pos"].to_numpy(), "column": cols, "rule": rules.to_numpy(),
                 "reason": [ts.messages.get(r, r) for r in rules], "value": ""}
            )
        )  # fmt: skip
    cells = rest.loc[~frame_level]
    bad_dtype = cells["check"].astype(str).str.startswith(("dtype(", "column_in_dataframe"))
    if bad_dtype.any():  # pragma: no cover - conversion guarantees dtypes
        raise RuntimeError(f"internal: dtype failure after conversion: {cells[bad_dtype]}")
    for (col, rule), sub in cells.groupby(["column", "check"], sort=False):
        rule = "required" if rule == "not_nullable" else str(rule)
        pos = sub["pos"].to_numpy()
        value = _show(typed[col].iloc[pos]).reset_index(drop=True)
        parts.append(
            pd.DataFrame(
                {"pos": pos, "column": col, "rule": rule,
                 "reason": _fill(ts.messages.get(rule, rule), value).to_numpy(),
                 "value": value.fillna("").to_numpy()}
            )
        )  # fmt: skip
    return _stack(parts)


def _cross(typed: pd.DataFrame, table: str, units: pd.DataFrame) -> pd.DataFrame:
    """Cross-table rules against the accepted units."""
    if table not in ("culture_responses", "skm_responses", "interventions", "published_ikm"):
        return empty_failures()
    parts = []
    gov, unit = typed["gov_code"], typed["unit_code"]
    ref = pd.MultiIndex.from_frame(units[["gov_code", "unit_code"]].astype(str))
    known_gov = gov.isin(set(units["gov_code"].astype(str))).to_numpy(dtype=bool, na_value=False)
    if table == "interventions":
        bad = gov.notna().to_numpy() & ~known_gov
        pos = np.flatnonzero(bad)
        parts.append(
            pd.DataFrame(
                {"pos": pos, "column": "gov_code", "rule": "government_without_units",
                 "reason": ("government " + gov.iloc[pos].astype(str)
                            + " has no units in the units table").to_numpy(),
                 "value": gov.iloc[pos].astype(str).to_numpy()}
            )
        )  # fmt: skip
    have = (gov.notna() & unit.notna()).to_numpy(dtype=bool).copy()
    if table == "interventions":
        have &= known_gov
    pairs = pd.MultiIndex.from_arrays([gov.fillna("").astype(str), unit.fillna("").astype(str)])
    bad = have & ~pairs.isin(ref)
    pos = np.flatnonzero(bad)
    if len(pos):
        g = gov.iloc[pos].astype(str)
        u = unit.iloc[pos].astype(str)
        parts.append(
            pd.DataFrame(
                {"pos": pos, "column": "gov_code, unit_code", "rule": "unknown_unit",
                 "reason": ("unit '" + u + "' is not listed for government " + g
                            + " in the units table").to_numpy(),
                 "value": (g + ", " + u).to_numpy()}
            )
        )  # fmt: skip
    return _stack(parts)
