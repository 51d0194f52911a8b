"""The period model: parsing (Indonesian, English, dates by rule), codes, order, labels."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.periods import (
    PeriodError,
    parse_period,
    period_label,
    period_of_dates,
    period_sort_key,
    sort_periods,
    to_periods,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2025", "2025"), ("Tahun 2024", "2024"), (2025, "2025"), (2025.0, "2025"),
        ("2025-S1", "2025-S1"), ("2025-Q2", "2025-Q2"), ("2025-06", "2025-06"),
        ("Semester I 2025", "2025-S1"), ("Semester II Tahun 2024", "2024-S2"),
        ("Smt. 2 Tahun 2025", "2025-S2"), ("Tahun 2023 Semester 1", "2023-S1"),
        ("Triwulan II 2025", "2025-Q2"), ("TW III 2024", "2024-Q3"), ("Kuartal 1 2025", "2025-Q1"),
        ("Q4 2025", "2025-Q4"), ("2025 Q3", "2025-Q3"), ("first half 2025", "2025-S1"),
        ("2nd quarter 2025", "2025-Q2"), ("Juni 2025", "2025-06"), ("June 2025", "2025-06"),
        ("06/2025", "2025-06"), ("Januari - Juni 2026", "2026-S1"),
        ("Januari s.d. Juni 2026", "2026-S1"), ("Januari s/d Mei 2026", "2026-01..05"),
        ("Jan-Mar 2025", "2025-Q1"), ("Januari 2026 - Desember 2026", "2026"),
        ("Juli sampai dengan Desember 2025", "2025-S2"),
        ("\u200bSemester\u00a0I 2025\ufeff", "2025-S1"),
    ],
)  # fmt: skip
def test_parse_period(text, code):
    assert parse_period(text).code == code


@pytest.mark.parametrize(
    ("date", "rule", "code"),
    [
        ("2025-06-15", "year", "2025"), ("2025-06-15", "semester", "2025-S1"),
        ("15/06/2025", "quarter", "2025-Q2"), ("15/07/2025", "semester", "2025-S2"),
        ("2025-06-15", "month", "2025-06"), ("15 Juni 2025", "quarter", "2025-Q2"),
        (dt.date(2025, 11, 2), "quarter", "2025-Q4"),
    ],
)  # fmt: skip
def test_dates_take_the_declared_rule(date, rule, code):
    assert parse_period(date, rule).code == code


@pytest.mark.parametrize(
    ("text", "rule"),
    [("Semester III 2025", "not_a_period"), ("Desember 2025 - Januari 2026", "period_spans_years"),
     ("2024-02-30", "not_a_period"), ("Juni - Januari 2025", "not_a_period"), ("abc", "not_a_period")],
)  # fmt: skip
def test_non_periods_name_the_rule(text, rule):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert err.value.rule == rule and text in err.value.reason


def test_to_periods_parses_each_distinct_value_once_and_keeps_rows_aligned():
    s = pd.Series(["Semester I 2025", None, "x", "2025-06-15", "2025-06-15 10:11:12",
                   "15/06/2025", "", np.inf, 2024])  # fmt: skip
    year, code, rule, why = to_periods(s, "quarter")
    assert code.tolist()[:1] == ["2025-S1"] and pd.isna(code[1]) and pd.isna(code[2])
    assert code[3:6].tolist() == ["2025-Q2"] * 3 and code[8] == "2024"
    assert year.tolist()[0] == 2025 and year[8] == 2024
    assert list(rule) == [None, None, "not_a_period", None, None, None, None, "not_a_period", None]
    assert "'x'" in why[2]


def test_codes_sort_chronologically_and_year_before_its_parts():
    got = sort_periods(["2025-06", "2025-Q1", "2025", "2024-S2", "2025-S1", "2025-Q2"])
    assert got == ["2024-S2", "2025", "2025-S1", "2025-Q1", "2025-Q2", "2025-06"]
    key = period_sort_key(pd.Series(["2025-S2", "2025-Q4"]))
    assert key[0] < key[1]


def test_labels_in_both_languages():
    assert period_label("2025-S1", "id") == "Semester I 2025"
    assert period_label("2025-S1", "en") == "First half 2025"
    assert period_label("2025-Q2", "id") == "Triwulan II 2025"
    assert period_label("2025-Q2", "en") == "Q2 2025"
    assert period_label("2026-01..05", "id") == "Januari - Mei 2026"
    assert period_label("2025-06", "en") == "June 2025"
    assert period_label("2025", "en") == "2025"


def test_period_of_dates_vectorised():
    d = pd.Series(pd.to_datetime(["2025-01-31", "2025-07-01", None]))
    assert period_of_dates(d, "semester").tolist()[:2] == ["2025-S1", "2025-S2"]
    assert period_of_dates(d, "month").tolist()[:2] == ["2025-01", "2025-07"]
