"""The fast table writer of write_tables agrees with pandas on awkward tables.

``write_tables`` converts each table once to Python lists and writes the CSV
files and the workbook from those; these tests pin that it writes exactly what
``export_frame(df).to_csv(...)`` writes, and that its XLSX columns (styles,
widths, cells) are those of the exported frame.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.i18n import t
from berakhlak_research.reporting import _cells, outputs, xlsx

TEXT = ["=SUM(A1)", "+1", "-x", "@a", "\tt", "\rr", "a;b", 'q"uote', "a,b", "two\nlines",
        "cr\r\nlf", "", " lead", "ok", "twfe", "staggered_att", "1.5", "é ∞", "<&>", "c\x01x"]  # fmt: skip


def _awkward(seed: int = 7, n: int = 40) -> pd.DataFrame:
    """A seeded table with every kind of cell a report table can hold, and more."""
    rng = np.random.default_rng(seed)

    def pick(values):
        return [values[i] for i in rng.integers(0, len(values), n)]

    special = [0.1, 1.0, 2.0, -3.5, 1e20, 1e-7, 5e-324, 1.7e308, -0.0, np.nan, np.inf, -np.inf]
    cols = {
        "float": rng.choice(special, n) * rng.uniform(0.25, 1, n),
        "fint": np.round(rng.uniform(-1e6, 1e6, n)),  # floats with integral values
        "p_value": rng.choice([0.0000182, 0.04, np.nan, 1e-300], n),
        "int": rng.integers(-(10**12), 10**12, n),
        "bool": rng.integers(0, 2, n).astype(bool),
        "Int64": pd.array(pick([1, -2, None, 30000, 10**15]), dtype="Int64"),
        "boolean": pd.array(pick([True, False, None]), dtype="boolean"),
        "str": pd.array(pick([*TEXT, None]), dtype="str"),
        "string": pd.array(pick([*TEXT, None]), dtype="string"),
        "object": pd.Series(pick([*TEXT, None, np.nan, pd.NA]), dtype=object),
        "mixed": pd.Series(pick(["=x", 1, 2.5, None, True]), dtype=object),
        "category": pd.Categorical(pick(["=c", "a", "b;c", "twfe", None])),
        "category_num": pd.Categorical(pick([1.5, 2.25, None])),
        "date": pd.to_datetime(pick(["2024-01-01", "2024-03-05", None])),
        "stamp": pd.to_datetime(
            pick(["2024-01-01 10:30", "2024-03-05 00:00:01.5", None]), format="ISO8601"
        ),  # fmt: skip
        "Float64": pd.array(pick([0.1, None, 2.0, 1e-9]), dtype="Float64"),
        "float32": rng.uniform(0, 1, n).astype(np.float32),
    }
    df = pd.DataFrame(cols)
    # duplicate and formula-leading headers, and raw names export_frame translates
    df.columns = ["=x", "x", "p_value", "ci_low", "x", "se", "@n", "element", "Unit", "Unit",
                  "-m", "estimator", "estimator", "date", "stamp", "+f", "f32"]  # fmt: skip
    return df


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_csv_files_are_what_pandas_writes(lang, seed, tmp_path):
    df = _awkward(seed)
    outputs.write_tables(tmp_path, {"awkward": df, "empty": df.iloc[:0]}, lang=lang)
    sep, dec = (";", ",") if lang == "id" else (",", ".")
    for name, frame in (("awkward", df), ("empty", df.iloc[:0])):
        out = outputs.export_frame(frame, lang)
        prog = out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
        excel = out.to_csv(index=False, sep=sep, decimal=dec, lineterminator="\r\n")
        assert (tmp_path / f"{name}.csv").read_bytes() == prog
        assert (tmp_path / "excel" / f"{name}.csv").read_bytes() == excel.encode("utf-8-sig")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_fast_export_holds_the_cells_of_export_frame(lang):
    df = _awkward(11)
    fast = outputs._export_table(df, lang)
    slow = _cells._frame_table(outputs.export_frame(df, lang))
    assert fast.headers == slow.headers
    assert xlsx._table_xml(fast, lang) == xlsx._table_xml(slow, lang)
    # the codes are names and the formula-leading text is inert, categorical columns too
    cells = [v for col in fast.cells for v in col if isinstance(v, str)]
    assert "twfe" not in cells and t("export_est_twfe", lang) in cells
    assert not [v for v in cells if v[:1] in outputs.FORMULA_LEADS]
    assert all(h[:1] not in outputs.FORMULA_LEADS for h in fast.headers)


def test_widths_of_plain_columns_match_pandas():
    df = _awkward(13)
    tab = _cells._frame_table(df)
    for i, (head, kind) in enumerate(zip(tab.headers, tab.kinds, strict=True)):
        s = df.iloc[:, i]
        for style in {xlsx._column_style(head, s, "id"), xlsx._XF_WRAP}:
            if kind != _cells._PANDAS:
                fast = xlsx._width_of_cells(head, tab.cells[i], style)
                assert fast == xlsx._width(head, s, style), (head, style)


def test_a_categorical_code_column_is_translated(tmp_path):
    # export_frame replaced codes in a categorical column in place, which pandas refuses
    df = pd.DataFrame({"Penduga": pd.Categorical(["twfe", "=x", None])})
    out = outputs.export_frame(df, "id")
    assert out["Penduga"].tolist()[:2] == [t("export_est_twfe", "id"), "'=x"]
    outputs.write_tables(tmp_path, {"programme_effects": df}, lang="id")
    text = (tmp_path / "programme_effects.csv").read_bytes()
    assert text == out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def test_xml_text_drops_control_characters_and_escapes():
    # the definition the fast path must keep: drop what XML 1.0 forbids, escape & < >, CR kept
    def reference(text):
        kept = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)
        return html.escape(kept, quote=False).replace("\r", "&#13;")

    for text in [*TEXT, "".join(map(chr, range(40))), "a\x0bb\x0c\x1f\x7f&amp;", "plain"]:
        assert xlsx._xml_text(text) == reference(text), repr(text)
