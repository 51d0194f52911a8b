"""One validation schema per canonical table (pandera, validated lazily).

A schema checks a table whose columns already carry their canonical names and
dtypes (:mod:`berakhlak_research.tables`): ranges, allowed values, required
values, and the table's key (no duplicates). Each check's ``error`` is a rule
id; :data:`RULES` says what each rule means, and :func:`table_schema` returns,
beside the pandera schema, the message template of every rule for that table
(``{value}`` stands for the offending value).

Rules on converting raw cells (``unknown_label``, ``not_a_number``, ``bad_date``,
``unknown_government``, ...) are applied before the schema, in
:mod:`berakhlak_research.io.labels`; cross-table rules (``unknown_unit``,
``government_without_units``) in :mod:`berakhlak_research.io.validate`. All of
them are listed in :data:`RULES`.

>>> s = table_schema("culture_responses")
>>> sorted(s.messages)[:3]
['allowed_values', 'answer_range', 'date_before_2021']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa

from berakhlak_research.framework import (
    BEHAVIOUR_CODES,
    IKM_ELEMENT_CODES,
    IKM_METHODS,
    INTERVENTION_KINDS,
    LIKERT_POINTS,
    STAGES,
)
from berakhlak_research.tables import TABLES

__all__ = [
    "RULES",
    "TableSchema",
    "table_schema",
    "SEXES",
    "AGE_GROUPS",
    "EMPLOYMENT_TYPES",
    "UNIT_TYPES",
    "EDUCATION_LEVELS",
    "CULTURE_INDEX_KINDS",
    "EARLIEST_CULTURE_DATE",
    "EARLIEST_SKM_YEAR",
]

SEXES = ("L", "P")
AGE_GROUPS = ("<30", "30-39", "40-49", "50+")
EMPLOYMENT_TYPES = ("PNS", "PPPK")
UNIT_TYPES = (
    "sekretariat", "dinas", "badan", "kecamatan", "kelurahan", "rsud", "puskesmas",
    "inspektorat",
)  # fmt: skip
EDUCATION_LEVELS = ("SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2+")
CULTURE_INDEX_KINDS = ("culture_health", "implementation")
"""Which published culture index a row holds: the Indeks BerAKHLAK of the culture
survey (Sehat / Cukup Sehat / Tidak Sehat) or an implementation-evaluation index."""
EARLIEST_CULTURE_DATE = pd.Timestamp("2021-01-01")
"""BerAKHLAK dates from SE MenPANRB 20/2021; earlier culture data or events are errors."""
EARLIEST_SKM_YEAR = 2004
"""The oldest IKM method (KEP/25/M.PAN/2/2004)."""

RULES: dict[str, str] = {
    # file-level (exit code 2, nothing written)
    "file_problem": "the file cannot be used as a whole (unreadable, empty, wrong columns)",
    # converting cells
    "malformed_row": "a CSV line has more or fewer fields than the header",
    "unknown_label": "an answer is neither a number nor a known answer label",
    "not_a_number": "a number column holds text",
    "not_whole_number": "a count or an answer has decimals",
    "not_finite": "a number is infinite (inf, 1e309) or not a number",
    "ambiguous_code": "a region code typed as a number lost its trailing zero (35.1: 35.10?)",
    "bad_date": "a date is not in ISO (2023-05-15) or day-first (15/05/2023) form",
    "not_yes_no": "a yes/no column holds something else",
    "unknown_government": "a government code or name is not in the Kemendagri list",
    "ambiguous_government": "a government name fits several governments (Kota/Kabupaten)",
    # schema
    "required": "a required value is empty",
    "answer_range": "an answer lies outside the scale (1..k for culture, 1..4 for SKM)",
    "no_answers": "a response answers none of the items",
    "wave_range": "the survey year lies outside 2021..this year",
    "period_range": "the period lies outside 2004..this year",
    "not_a_period": "a period is not a year, semester, quarter, month, month range or date",
    "period_spans_years": "a month range runs across two years",
    "date_future": "a date lies in the future",
    "date_before_2021": "a culture date lies before 2021 (BerAKHLAK dates from 2021)",
    "allowed_values": "a categorical value is not one of the allowed values",
    "negative_count": "a count (headcount, participants, respondents) is negative",
    "negative_number": "hours are negative",
    "weight_not_positive": "a survey weight is zero or negative",
    "percent_range": "a published index lies outside 0..100",
    "ikm_range": "a converted IKM lies outside 25..100",
    "stage_range": "a stage lies outside 1..7",
    "duplicate_key": "the table's key occurs more than once (across all files of the table)",
    # cross-table
    "unknown_unit": "the (government, unit) pair is not in the units table",
    "government_without_units": "the government has no units in the units table",
}
"""Every rule a row can break, by id (the ``_rule`` column of rejected rows)."""


@dataclass(frozen=True)
class TableSchema:
    """A table's pandera schema and the message template of each rule."""

    name: str
    schema: pa.DataFrameSchema
    messages: dict[str, str]
    key: tuple[str, ...]


def _col(dtype: str, *checks: pa.Check, nullable: bool = True) -> pa.Column:
    return pa.Column(dtype, list(checks), nullable=nullable, required=True)


def _between(low, high, rule: str) -> pa.Check:
    return pa.Check.in_range(low, high, error=rule)


def _isin(values, rule: str = "allowed_values") -> pa.Check:
    return pa.Check.isin(list(values), error=rule)


def _dates(latest: pd.Timestamp, earliest: pd.Timestamp | None) -> list[pa.Check]:
    checks = [pa.Check.le(latest, error="date_future")]
    if earliest is not None:
        checks.append(pa.Check.ge(earliest, error="date_before_2021"))
    return checks


def _answered(codes: tuple[str, ...]) -> pa.Check:
    return pa.Check(lambda df: df[list(codes)].notna().any(axis=1), error="no_answers")


def table_schema(
    name: str, *, likert_points: int = LIKERT_POINTS, today: dt.date | None = None
) -> TableSchema:
    """Build (or reuse) the schema of one canonical table.

    Parameters
    ----------
    name : str
        Canonical table name (see :data:`berakhlak_research.tables.TABLE_NAMES`).
    likert_points : int
        Length of the culture answer scale (default 5).
    today : datetime.date, optional
        The date after which dates count as "in the future" (default: today).

    Returns
    -------
    TableSchema
        ``schema`` (a lazy-validatable pandera DataFrameSchema without
        coercion), ``messages`` (rule id -> template with ``{value}``), ``key``.
    """
    return _table_schema(name, likert_points, today or dt.date.today())


@lru_cache(maxsize=64)
def _table_schema(name: str, likert_points: int, today: dt.date) -> TableSchema:
    latest = pd.Timestamp(today) + pd.Timedelta(days=1) - pd.Timedelta(nanoseconds=1)
    year = today.year
    tbl = TABLES[name]
    msg: dict[str, str] = {"required": "is empty but required"}
    cols: dict[str, pa.Column] = {}
    frame_checks: list[pa.Check] = []
    key = tbl.key
    if name == "units":
        cols = {
            "gov_code": _col("string", nullable=False),
            "unit_code": _col("string", nullable=False),
            "unit_name": _col("string"),
            "unit_type": _col("string", _isin(UNIT_TYPES)),
            "headcount": _col("Int64", pa.Check.ge(0, error="negative_count")),
            "public_facing": _col("boolean"),
        }
        msg["allowed_values"] = "'{value}' is not one of " + ", ".join(UNIT_TYPES)
    elif name == "culture_responses":
        cols = {
            "respondent_id": _col("string", nullable=False),
            "wave": _col("Int64", _between(2021, year, "wave_range"), nullable=False),
            "gov_code": _col("string", nullable=False),
            "unit_code": _col("string", nullable=False),
            "response_date": _col("datetime64[ns]", *_dates(latest, EARLIEST_CULTURE_DATE)),
            **{c: _col("Int8", _between(1, likert_points, "answer_range"))
               for c in BEHAVIOUR_CODES},
            "sex": _col("string", _isin(SEXES)),
            "age_group": _col("string", _isin(AGE_GROUPS)),
            "employment_type": _col("string", _isin(EMPLOYMENT_TYPES)),
            "weight": _col("float64", pa.Check.gt(0, error="weight_not_positive")),
        }  # fmt: skip
        frame_checks.append(_answered(BEHAVIOUR_CODES))
        msg |= {
            "answer_range": "answer {value} is outside 1.." + str(likert_points),
            "wave_range": f"year {{value}} is outside 2021..{year}",
            "date_future": "date {value} lies in the future",
            "date_before_2021": "date {value} lies before 2021",
            "allowed_values": "'{value}' is not an allowed value (sex: L/P; age group: "
            + ", ".join(AGE_GROUPS)
            + "; status: PNS/PPPK)",
            "weight_not_positive": "weight {value} is not positive",
            "no_answers": "none of the 21 items is answered",
        }
    elif name == "published_culture":
        pct = _between(0, 100, "percent_range")
        cols = {
            "gov_code": _col("string", nullable=False),
            "wave": _col("Int64", _between(2021, year, "wave_range"), nullable=False),
            "overall": _col("float64", pct, nullable=False),
            **{v: _col("float64", _between(0, 100, "percent_range"))
               for v in ("BP", "AK", "KP", "HM", "LY", "AD", "KB")},
            "respondents": _col("Int64", pa.Check.ge(0, error="negative_count")),
            "source": _col("string"),
            # Optional so that frames built before index kinds existed still validate.
            "index_kind": pa.Column("string", _isin(CULTURE_INDEX_KINDS), nullable=True,
                                    required=False),
        }  # fmt: skip
        msg |= {
            "allowed_values": "'{value}' is not an index kind ("
            + ", ".join(CULTURE_INDEX_KINDS)
            + ")",
            "percent_range": "{value} is outside 0..100 (percent)",
            "wave_range": f"year {{value}} is outside 2021..{year}",
            "negative_count": "{value} is negative",
        }
    elif name == "interventions":
        cols = {
            "event_id": _col("string", nullable=False),
            "gov_code": _col("string", nullable=False),
            "unit_code": _col("string"),
            "date": _col("datetime64[ns]", *_dates(latest, EARLIEST_CULTURE_DATE),
                         nullable=False),
            "kind": _col("string", _isin(INTERVENTION_KINDS), nullable=False),
            "stage": _col("Int64", _between(1, len(STAGES), "stage_range")),
            "hours": _col("float64", pa.Check.ge(0, error="negative_number")),
            "participants": _col("Int64", pa.Check.ge(0, error="negative_count")),
        }  # fmt: skip
        msg |= {
            "date_future": "date {value} lies in the future",
            "date_before_2021": "date {value} lies before 2021",
            "allowed_values": "'{value}' is not a programme kind ("
            + ", ".join(INTERVENTION_KINDS)
            + ")",
            "stage_range": "stage {value} is outside 1..7",
            "negative_number": "{value} hours is negative",
            "negative_count": "{value} is negative",
        }
    elif name == "skm_responses":
        cols = {
            "response_id": _col("string", nullable=False),
            "gov_code": _col("string", nullable=False),
            "unit_code": _col("string", nullable=False),
            "period": _col("Int64", _between(EARLIEST_SKM_YEAR, year, "period_range"),
                           nullable=False),
            # Optional so that frames built before periods existed still validate.
            "period_code": pa.Column("string", nullable=True, required=False),
            # A future survey date is flagged (flag_future), not rejected: the
            # answers are real, the date is a typing or clock error (issue 14).
            "response_date": _col("datetime64[ns]"),
            "service": _col("string"),
            **{c: _col("Int8", _between(1, 4, "answer_range")) for c in IKM_ELEMENT_CODES},
            "sex": _col("string", _isin(SEXES)),
            "age_group": _col("string"),
            "education": _col("string", _isin(EDUCATION_LEVELS)),
            "occupation": _col("string"),
        }  # fmt: skip
        frame_checks.append(_answered(IKM_ELEMENT_CODES))
        # Local offices number respondents 1..n per unit and period.
        key = tbl.key
        msg |= {
            "answer_range": "answer {value} is outside 1..4",
            "period_range": f"period {{value}} is outside {EARLIEST_SKM_YEAR}..{year}",
            "date_future": "date {value} lies in the future",
            "allowed_values": "'{value}' is not an allowed value (sex: L/P; education: "
            + ", ".join(EDUCATION_LEVELS)
            + ")",
            "no_answers": "none of the nine elements is answered",
        }
    elif name == "published_ikm":
        cols = {
            "gov_code": _col("string", nullable=False),
            "unit_code": _col("string"),
            "period": _col("Int64", _between(EARLIEST_SKM_YEAR, year, "period_range"),
                           nullable=False),
            # Optional so that frames built before periods existed still validate.
            "period_code": pa.Column("string", nullable=True, required=False),
            "ikm": _col("float64", _between(25, 100, "ikm_range"), nullable=False),
            "method_version": _col("string", _isin(IKM_METHODS), nullable=False),
            "respondents": _col("Int64", pa.Check.ge(0, error="negative_count")),
        }  # fmt: skip
        msg |= {
            "period_range": f"period {{value}} is outside {EARLIEST_SKM_YEAR}..{year}",
            "ikm_range": "IKM {value} is outside 25..100 (converted scale)",
            "allowed_values": "'{value}' is not a method version (2017 or 2004)",
            "negative_count": "{value} is negative",
        }
    else:  # pragma: no cover - TABLES and this function list the same tables
        raise KeyError(name)
    msg.setdefault("negative_count", "{value} is negative")
    msg["duplicate_key"] = "(" + ", ".join(key) + ") = ({value}) occurs more than once"
    schema = pa.DataFrameSchema(
        cols,
        checks=frame_checks,
        unique=list(key),
        report_duplicates="all",
        strict=False,
        coerce=False,
        name=name,
    )
    return TableSchema(name, schema, msg, tuple(key))
