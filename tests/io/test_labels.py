"""Cell conversion: labels, numbers, dates, yes/no, governments (one distinct value at a time)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.framework import GENERIC_SKM_LABELS, IKM_ELEMENTS_2017, LIKERT_LABELS
from berakhlak_research.io import labels as L


def _rules(rule, n):
    return [None] * n if rule is None else [r if isinstance(r, str) else None for r in rule]


@pytest.mark.parametrize("points", sorted(LIKERT_LABELS))
def test_likert_labels_map_to_their_position(points):
    texts = list(LIKERT_LABELS[points]["id"]) + [t.upper() for t in LIKERT_LABELS[points]["en"]]
    vals, rule, _ = L.to_answers(pd.Series(texts, dtype="string"), L.likert_labels(points), points)
    assert vals.tolist() == list(range(1, points + 1)) * 2
    assert _rules(rule, len(texts)) == [None] * len(texts)


@pytest.mark.parametrize("element", IKM_ELEMENTS_2017, ids=lambda e: e.code)
def test_skm_labels_per_element_and_generic(element):
    texts = (
        list(element.labels_id) + list(GENERIC_SKM_LABELS) + ["  " + element.labels_id[2].lower()]
    )
    vals, _, _ = L.to_answers(pd.Series(texts, dtype="string"), L.skm_labels(element.code), 4)
    assert vals.tolist() == [1, 2, 3, 4, 1, 2, 3, 4, 3]


def test_answers_missing_bad_and_numbers():
    s = pd.Series(
        ["4", "", "-", "NA", "4.0", "3,5", "Setujuu", None, "9", "4 - Setuju"], dtype="string"
    )
    vals, rule, _ = L.to_answers(s, L.likert_labels(5), 5, decimal=",")
    assert vals.tolist()[:5] == [4, pd.NA, pd.NA, pd.NA, 4]
    assert pd.isna(vals[5]) and pd.isna(vals[6]) and pd.isna(vals[7])
    assert vals[8] == 9  # kept: the schema's range rule rejects it with its value
    assert vals[9] == 4
    assert _rules(rule, len(s)) == [None] * 5 + ["not_whole_number", "unknown_label"] + [None] * 3


def test_numeric_answers_from_parquet_types():
    s = pd.Series([1.0, np.nan, 2.5, 300.0, 5.0])
    vals, rule, _ = L.to_answers(s, L.likert_labels(5), 5)
    assert str(vals.dtype) == "Int8"
    assert vals.tolist() == [1, pd.NA, pd.NA, pd.NA, 5]
    assert list(rule) == [None, None, "not_whole_number", "answer_range", None]


def test_numbers_with_decimal_comma_and_percent():
    s = pd.Series(["85,31", "1.234,5", "61,8 %", "abc", ""], dtype="string")
    vals, rule, _ = L.to_number(s, "float64", decimal=",")
    assert vals.tolist()[:3] == [85.31, 1234.5, 61.8]
    assert _rules(rule, 5) == [None, None, None, "not_a_number", None]
    vals, rule, _ = L.to_number(pd.Series(["12", "12.5"], dtype="string"), "Int64", whole=True)
    assert vals.tolist() == [12, pd.NA] and _rules(rule, 2) == [None, "not_whole_number"]


def test_dates_iso_and_day_first():
    s = pd.Series(["2023-05-15", "15/05/2023", "2023-05-15 10:22:01", "31/02/2023", ""],
                  dtype="string")  # fmt: skip
    vals, rule, _ = L.to_date(s)
    assert vals.dt.strftime("%Y-%m-%d").tolist()[:3] == ["2023-05-15"] * 3
    assert _rules(rule, 5) == [None, None, None, "bad_date", None]


def test_yes_no_and_choices():
    vals, rule, _ = L.to_bool(pd.Series(["Ya", "tidak", "Y", "0", "mungkin"], dtype="string"))
    assert vals.tolist()[:4] == [True, False, True, False] and rule[4] == "not_yes_no"
    sex, _, _ = L.to_choice(pd.Series(["Laki-laki", "perempuan", "X"], dtype="string"), "sex")
    assert sex.tolist() == ["L", "P", "X"]  # unknown kept as written for the schema to report
    kind, _, _ = L.to_choice(pd.Series(["Lokakarya aktivasi budaya kerja", "Agen perubahan"]),
                             "kind")  # fmt: skip
    assert kind.tolist() == ["aktivasi", "agen_perubahan"]


def test_governments_codes_names_and_problems():
    s = pd.Series(["35.75", "3575", "Kota Pasuruan", "Pasuruan", "Kota Pasuruhan", None],
                  dtype="string")  # fmt: skip
    codes, rule, reason = L.to_government(s)
    assert codes.tolist()[:3] == ["35.75"] * 3
    assert _rules(rule, 6) == [None, None, None, "ambiguous_government", "unknown_government", None]
    assert "35.75 Kota Pasuruan" in reason[4]
    ints, _, _ = L.to_government(pd.Series([3575, 3514]))
    assert ints.tolist() == ["35.75", "35.14"]
