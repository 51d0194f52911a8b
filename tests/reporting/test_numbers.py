"""Number formatting per report language (reporting/numbers.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.reporting import numbers as nf


@pytest.mark.parametrize(
    ("x", "digits", "id_text", "en_text"),
    [
        (67.44428828869846, 1, "67,4", "67.4"),
        (2391.04, 1, "2.391,0", "2,391.0"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (-12.25, 1, "-12,2", "-12.2"),  # round half to even, as Python
        (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
        (0.5, 0, "0", "0"),
    ],
)
def test_number(x, digits, id_text, en_text):
    assert nf.number(x, "id", digits) == id_text
    assert nf.number(x, "en", digits) == en_text


def test_integer_groups_thousands():
    assert nf.integer(21129, "id") == "21.129"
    assert nf.integer(21129, "en") == "21,129"
    assert nf.integer(np.int64(999), "id") == "999"
    assert nf.integer(1_000_000, "id") == "1.000.000"


def test_years_are_never_grouped():
    assert nf.year(2023) == "2023"
    assert nf.year(np.int64(2024)) == "2024"
    assert nf.value(2023, "en", column="cohort") == "2023"
    assert nf.value(np.int64(2023), "id", column="wave") == "2023"
    assert nf.value(2023, "en") == "2,023"  # a count of 2023 is grouped


def test_counts_stored_as_floats_print_whole():
    assert nf.value(251.0, "id", column="n") == "251"
    assert nf.value(21129.0, "id", column="respondents") == "21.129"
    assert nf.value(251.5, "en", column="n") == "251.5"  # not a whole count: as it is
    assert nf.value(251.0, "en") == "251.0"


def test_p_values():
    assert nf.p_value(0.0, "id") == "< 0,001"
    assert nf.p_value(0.0004, "en") == "< 0.001"
    assert nf.p_value(0.001, "en") == "0.001"
    assert nf.p_value(0.04213, "id") == "0,042"
    assert nf.p_value(1.0000001, "en") == "1.000"
    assert nf.value(1e-12, "en", column="p_value") == "< 0.001"


def test_interval():
    assert nf.interval(65.94, 69.01, "id") == "65,9 - 69,0"
    assert nf.interval(65.94, 69.01, "en") == "65.9 - 69.0"
    assert nf.interval(1234.5, 2345.6, "id") == "1.234,5 - 2.345,6"
    assert nf.interval(np.nan, 3.0, "en") == nf.MISSING


def test_missing_and_other_cells():
    for x in (None, np.nan, pd.NA, float("nan")):
        assert nf.value(x, "id") == nf.MISSING
    assert nf.value(True, "id") == "True"
    assert nf.value("Dinas 1", "id") == "Dinas 1"
    assert nf.value(np.float32(0.25), "id", digits=2) == "0,25"
    assert nf.decimal_separator("id") == "," and nf.decimal_separator("en") == "."


def test_bad_language_is_refused():
    with pytest.raises(ParameterError, match="'fr'"):
        nf.number(1.0, "fr")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_plain_python_cells_print_as_their_numpy_twins(lang):
    # value() decides str, float and int by exact type first; numpy scalars take the
    # general path, so each pair must print the same in every kind of column
    def shown(x, digits, column):
        try:
            return nf.value(x, lang, digits, column)
        except (OverflowError, ValueError) as err:  # an infinite year: the same error either way
            return type(err).__name__

    columns = [None, "estimate", "p_value", "n", "wave", "rank_national", "share", "headcount"]
    reals = [0.0, -0.0, -0.04, 0.0004, 0.5, 1.0, 2.5, 251.0, 1234.5678, -98765.4321,
             1e-300, 1e20, float("nan"), float("inf"), float("-inf")]  # fmt: skip
    for column in columns:
        for digits in (0, 1, 3):
            for x in reals:
                assert shown(x, digits, column) == shown(np.float64(x), digits, column), (x, column)
            for i in (0, 7, -3, 2023, 21129, 10**12):
                assert shown(i, digits, column) == shown(np.int64(i), digits, column), (i, column)
            for s in ("", "Adaptif", "1.5", "nan"):
                assert nf.value(s, lang, digits, column) == s
                assert nf.value(np.str_(s), lang, digits, column) == s
    assert nf.value(True, lang) == "True" and nf.value(np.bool_(False), lang) == "False"
