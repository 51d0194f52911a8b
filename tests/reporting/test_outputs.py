"""Table exports for people and programs (reporting.outputs.write_tables / write_xlsx).

The workbook is opened with openpyxl (an independent reader of the format) and
the CSV files with pandas in the flavour each is meant for.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from berakhlak_research.i18n import t
from berakhlak_research.reporting import outputs

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok - fine"]


def _tables(lang="id"):
    rng = np.random.default_rng(17)
    units = pd.DataFrame(
        {
            t("col_unit", lang): [f"Dinas {i}" for i in range(7)],
            t("col_estimate", lang): rng.uniform(40, 90, 7),
            "ci_low": rng.uniform(30, 40, 7),
            "ci_high": rng.uniform(90, 99, 7),
            t("col_n", lang): rng.integers(10, 30000, 7),
            t("col_p", lang): [0.0000182, 0.04, 0.5, 0.9, 0.001, 0.2, np.nan],
        }
    )
    units.attrs["withheld"] = 2
    effects = pd.DataFrame(
        {t("col_estimator", lang): ["staggered_att", "twfe"], t("col_cohort", lang): [2023, 2024]}
    )
    hostile = pd.DataFrame({t("col_unit", lang): HOSTILE, t("col_n", lang): range(len(HOSTILE))})
    return {"units": units, "programme_effects": effects, "sample_adequacy": hostile}


@pytest.fixture
def tables():
    return _tables("id")


def test_xlsx_formats_freeze_widths_and_sheet_names(tables, tmp_path):
    out = outputs.write_tables(tmp_path, tables, lang="id", min_group=10)
    wb = openpyxl.load_workbook(out["xlsx"])
    assert wb.sheetnames == ["Unit kerja", "Dampak program", "Kecukupan sampel", "Catatan"]
    ws = wb["Unit kerja"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == ["Unit kerja", "Indeks", "Batas bawah SK 95%", "Batas atas SK 95%", "n",
                      "Nilai p"]  # fmt: skip
    assert all(c.font.b for c in ws[1])
    assert not ws["A2"].font.b
    # full precision kept, 1 decimal shown; counts grouped; p-values conditional
    est = tables["units"][t("col_estimate", "id")]
    assert ws["B2"].value == est.iloc[0] and ws["B2"].number_format == "#,##0.0"
    assert ws["E2"].number_format == "#,##0" and ws["E2"].value == tables["units"]["n"].iloc[0]
    assert ws["F2"].number_format == '[<0.001]"< 0,001";0.000'
    assert ws["F2"].value == pytest.approx(0.0000182, rel=0, abs=0)
    assert ws["F8"].value is None  # missing stays empty
    # widths fitted: the long header is wider than the short one
    assert ws.column_dimensions["C"].width > ws.column_dimensions["E"].width >= 6
    # cohorts are years: never grouped; codes translated
    ws = wb["Dampak program"]
    assert ws["B2"].number_format == "0" and ws["B2"].value == 2023
    assert [ws["A2"].value, ws["A3"].value] == [
        t("export_est_staggered_att", "id"),
        t("export_est_twfe", "id"),
    ]


def test_notes_sheet_defines_terms_and_suppression(tables, tmp_path):
    for lang, name in (("id", "Catatan"), ("en", "Notes")):
        path = outputs.write_tables(tmp_path / lang, tables, lang=lang, min_group=12)["xlsx"]
        ws = openpyxl.load_workbook(path)[name]
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        assert rows[0] == [t("col_term", lang), t("col_definition", lang)]
        text = " ".join(str(v) for r in rows for v in r)
        assert t("notes_suppression", lang, m=12) in text
        assert t("notes_p", lang) in text and t("notes_ci", lang) in text
        # the units table withheld 2 groups: said on the notes sheet
        assert t("notes_withheld", lang, sheet=outputs.sheet_name("units", lang), k=2, m=12) in text
        assert ws["B2"].alignment.wrap_text


def test_english_workbook(tmp_path):
    path = outputs.write_tables(tmp_path, _tables("en"), lang="en")["xlsx"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Work units", "Programme effects", "Sample adequacy", "Notes"]
    assert wb["Work units"]["F2"].number_format == '[<0.001]"< 0.001";0.000'


def test_csv_flavours(tables, tmp_path):
    outputs.write_tables(tmp_path, tables, lang="id")
    prog = (tmp_path / "units.csv").read_bytes()
    excel = (tmp_path / "excel" / "units.csv").read_bytes()
    assert not prog.startswith(b"\xef\xbb\xbf") and excel.startswith(b"\xef\xbb\xbf")
    a = pd.read_csv(tmp_path / "units.csv")
    b = pd.read_csv(tmp_path / "excel" / "units.csv", sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(a, b)
    est = tables["units"][t("col_estimate", "id")].to_numpy()
    np.testing.assert_array_equal(a["Indeks"].to_numpy(), est)  # full precision both ways
    first = excel.decode("utf-8-sig").splitlines()[1]
    assert ";" in first and "," in first.split(";")[1]  # decimal comma in Indonesian
    assert list(a.columns)[2:4] == ["Batas bawah SK 95%", "Batas atas SK 95%"]
    outputs.write_tables(tmp_path / "en", _tables("en"), lang="en")
    c = pd.read_csv(tmp_path / "en" / "excel" / "units.csv", encoding="utf-8-sig")
    assert list(c.columns)[2:4] == ["95% CI lower", "95% CI upper"]


def test_formula_leading_text_is_neutralised_everywhere(tables, tmp_path):
    out = outputs.write_tables(tmp_path, tables, lang="id")
    expect = ["'" + h if h[0] in "=+-@\t\r" else h for h in HOSTILE]
    prog = pd.read_csv(tmp_path / "sample_adequacy.csv", keep_default_na=False)
    assert list(prog["Unit kerja"]) == expect
    excel = pd.read_csv(tmp_path / "excel" / "sample_adequacy.csv", sep=";", encoding="utf-8-sig",
                        keep_default_na=False)  # fmt: skip
    assert list(excel["Unit kerja"]) == expect
    ws = openpyxl.load_workbook(out["xlsx"])["Kecukupan sampel"]
    cells = [ws.cell(row=r, column=1).value for r in range(2, len(HOSTILE) + 2)]
    assert cells == expect
    assert all(c.data_type == "s" for c in ws["A"])  # text, never a formula cell
    assert ws["B2"].value == 0  # numbers untouched (negative numbers are numbers, not text)


def test_neutralise_leaves_other_values_alone():
    assert outputs.neutralise("=1") == "'=1" and outputs.neutralise("a=1") == "a=1"
    assert outputs.neutralise(-3) == -3 and outputs.neutralise(None) is None
    df = pd.DataFrame({"a": ["-x", None, 3], "b": [-1.5, 2.0, np.nan]})
    out = outputs.neutralise_frame(df)
    assert out["a"].tolist() == ["'-x", None, 3] and out["b"].equals(df["b"])
    assert df["a"].iloc[0] == "-x"  # the input is not changed


def test_sheet_names_are_valid_and_distinct(tmp_path):
    df = pd.DataFrame({"x": [1]})
    path = outputs.write_xlsx(tmp_path / "a.xlsx", {"a/b": df, "A?B": df, "x" * 40: df})
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["ab", "AB (2)", "x" * 31]


def test_repeated_headers_stay_distinct_columns(tmp_path):
    # a code column beside its name column under one header (estimator, estimator_name)
    df = pd.DataFrame(
        [["twfe", "TWFE", 1.5], ["=x", "Y", 2.5]], columns=["Penduga", "Penduga", "Efek"]
    )
    out = outputs.write_tables(tmp_path, {"programme_effects": df}, lang="id")
    ws = openpyxl.load_workbook(out["xlsx"])["Dampak program"]
    assert [c.value for c in ws[1]] == ["Penduga (Kode)", "Penduga", "Efek"]
    assert [c.value for c in ws[3]] == ["'=x", "Y", 2.5]
    csv = pd.read_csv(tmp_path / "programme_effects.csv")
    assert list(csv.columns) == ["Penduga (Kode)", "Penduga", "Efek"]
