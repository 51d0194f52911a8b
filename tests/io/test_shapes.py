"""Real-export shapes: one fixture file each (tests/fixtures/io/shapes/make_shapes.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.io import read_table
from tests._data.io_files import FIXTURES

SHAPES = FIXTURES / "shapes"
TODAY = dt.date(2026, 12, 1)
CLEAN_SKM = read_table(FIXTURES / "clean" / "csv" / "skm_responses.csv", today=TODAY).data


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _read(name: str, **kw):
    path = SHAPES / name
    before = _digest(path)
    res = read_table(path, today=TODAY, **kw)
    assert _digest(path) == before  # raw files are only read
    rep = res.report
    assert rep["rows_read"] == rep["rows_accepted"] + rep["rows_rejected"]
    assert len(res.data) == rep["rows_accepted"] and len(res.rejected) == rep["rows_rejected"]
    return res


def _same_as_clean(res, columns=("gov_code", "unit_code", "U1", "U9", "education")):
    got = res.data[list(columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, CLEAN_SKM[list(columns)].reset_index(drop=True))


@pytest.mark.parametrize(
    "name", ["skm_bom.csv", "skm_unicode_text.txt", "skm.tsv", "skm_sep_hint.csv"]
)
def test_text_shapes_read_like_the_clean_file(name):
    res = _read(name)
    assert res.report["rows_rejected"] == 0
    _same_as_clean(res)


def test_utf16_is_detected():
    res = _read("skm_unicode_text.txt")
    assert res.report["encoding"] == "utf-16"


def test_sep_hint_line_counts_in_row_numbers():
    res = _read("skm_sep_hint.csv")
    assert res.report["header_row"] == 2
    assert any("sep=;" in n for n in res.report["read_notes"])


def test_cp1252_falls_back_with_a_note():
    res = _read("skm_cp1252.csv")
    assert res.report["rows_rejected"] == 0 and res.report["encoding"] == "cp1252"
    assert res.data.loc[0, "occupation"] == "Wiraswasta – André"
    assert any("not UTF-8" in n for n in res.report["read_notes"])


def test_title_lines_above_the_header_are_skipped():
    res = _read("skm_title_rows.csv")
    assert res.report["header_row"] == 4 and res.report["rows_rejected"] == 0
    _same_as_clean(res)


def test_nul_byte_is_refused_with_file_line_and_rule():
    path = SHAPES / "units_nul.csv"
    with pytest.raises(FileProblem, match="nul_byte") as err:
        read_table(path)
    assert str(path) in str(err.value) and "line 2" in str(err.value)
    proc = subprocess.run(
        [sys.executable, "-m", "berakhlak_research.cli", "validate", str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 2 and "nul_byte" in proc.stderr + proc.stdout


def test_thousands_separators_in_headcounts():
    res = _read("units_thousands.csv")
    assert res.report["rows_rejected"] == 0
    assert res.data["headcount"].tolist()[:2] == [1250, 2500]


@pytest.mark.parametrize(
    ("name", "column", "rows"),
    [("units_nonfinite.csv", "Jumlah Pegawai", {2, 4}),
     ("culture_nonfinite_weight.csv", "Bobot", {3, 6, 8})],
)  # fmt: skip
def test_non_finite_numbers_are_rejected_with_the_rule(name, column, rows):
    res = _read(name)
    assert set(res.rejected["_row"]) == rows
    assert set(res.rejected["_rule"]) == {"not_finite"}
    assert set(res.problems["column"]) == {column}


def test_invisible_characters_are_stripped():
    res = _read("skm_invisible.csv")
    assert res.report["rows_rejected"] == 0
    assert res.data["gov_code"].iloc[:2].tolist() == ["35.75", "35.75"]
    assert res.data.loc[2, "unit_code"] == "D01" and res.data.loc[3, "U1"] == 4
    assert res.data.loc[4, "sex"] == "P" and res.data.loc[5, "education"] == "SMA"


def test_two_row_merged_header():
    res = _read("skm_two_row_header.xlsx")
    assert res.report["rows_rejected"] == 0
    assert any("two-row header" in n for n in res.report["read_notes"])
    assert res.rejected.empty and res.report["header_row"] == 1
    _same_as_clean(res)
    assert res.data["response_id"].tolist() == CLEAN_SKM["response_id"].tolist()


def test_data_on_the_second_sheet():
    res = _read("skm_second_sheet.xlsx")
    assert res.report["sheet"] == "Data SKM" and res.report["rows_rejected"] == 0
    _same_as_clean(res)


def test_used_range_to_xfd_is_bounded():
    t0 = time.perf_counter()
    res = _read("skm_sparse_xfd.xlsx")
    assert time.perf_counter() - t0 < 20
    assert res.report["rows_rejected"] == 0 and len(res.data) == 10
    _same_as_clean(res)


def test_codes_typed_as_numbers_with_two_decimal_context():
    res = _read("skm_codes_as_numbers.xlsx")
    assert res.report["rows_rejected"] == 0
    assert res.data["gov_code"].tolist() == ["35.75"] * 5 + ["35.10"] * 5


def test_lone_one_decimal_code_is_refused_asking_for_text():
    res = _read("skm_code_ambiguous.xlsx")
    assert res.report["rows_accepted"] == 0 and res.report["rows_rejected"] == 10
    p = res.problems.iloc[0]
    assert p["rule"] == "ambiguous_code" and p["value"] == "35.1" and p["column"] == "Kode Wilayah"
    assert "Text" in p["reason"] and p["sheet"] == "Sheet" and p["row"] == 2


def test_float_codes_in_parquet():
    res = _read("skm_float_codes.parquet")
    assert res.report["rows_rejected"] == 0
    assert res.data["gov_code"].tolist() == ["35.75"] * 5 + ["35.10"] * 5
