"""Data layer: reading real exports, validating, quarantining, row accounting."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.cli import main
from berakhlak_research.exceptions import FileProblem
from berakhlak_research.framework import IKM_ELEMENTS_2017, LIKERT_LABELS
from berakhlak_research.io import ingest, read_table, validate_paths
from berakhlak_research.io.flags import FLAG_COLUMNS
from berakhlak_research.tables import TABLES
from tests._data.io_files import BAD, CLEAN, FORMATS, clean_frame, hashes, write_xlsx

MANIFEST = pd.read_csv(BAD / "expected.csv", dtype=str, keep_default_na=False)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def clean_results():
    return {f: validate_paths([CLEAN / f], progress=False) for f in FORMATS}


# --------------------------------------------------------------------------
# Clean inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_clean_fixtures_have_no_rejections(clean_results, fmt):
    res = clean_results[fmt]
    assert res.exit_code == 0
    assert set(res.tables) == set(TABLES)
    t = res.log["totals"]
    assert t["rows_rejected"] == 0 and t["rows_read"] == t["rows_accepted"] == 34
    assert res.log["notes"] == []  # units present: cross-table checks ran


@pytest.mark.parametrize("fmt", ["semicolon", "xlsx", "parquet"])
def test_every_format_gives_the_same_tables(clean_results, fmt):
    for name, frame in clean_results["csv"].tables.items():
        pd.testing.assert_frame_equal(frame, clean_results[fmt].tables[name], obj=name)


def test_dtypes_follow_tables(clean_results):
    for name, frame in clean_results["xlsx"].tables.items():
        # SKM responses also carry the quality flags (berakhlak_research.io.flags).
        extra = list(FLAG_COLUMNS) if name == "skm_responses" else []
        assert list(frame.columns) == list(TABLES[name].column_names) + extra
        for c in extra:
            assert frame[c].dtype == bool
        for col in TABLES[name].columns:
            assert str(frame[col.name].dtype) == col.dtype, (name, col.name)


def test_culture_labels_become_numbers_and_gaps_stay(clean_results):
    raw = clean_frame("culture_responses")
    got = clean_results["csv"].tables["culture_responses"]
    labels = {t.lower(): i for i, t in enumerate(LIKERT_LABELS[5]["id"], start=1)}
    for item in ("BP2", "AK3", "KP2", "AD3"):
        expected = raw[item].map(
            lambda v: labels[v.lower()] if v.lower() in labels else (int(v) if v else None)
        )
        assert got[item].astype("Float64").tolist() == expected.astype("Float64").tolist()
    # R004 left KP2 empty: kept, missing, never zero.
    r4 = got.set_index("respondent_id").loc["R004"]
    assert pd.isna(r4["KP2"]) and r4[["BP1", "BP2"]].notna().all()
    assert (got[["BP1", "KB3"]].min() >= 1).all()


def test_skm_elements_keyed_by_name(clean_results):
    raw = clean_frame("skm_responses")
    # The export puts "Sarana dan Prasarana" in its 8th element column.
    element_cols = [c for c in raw.columns if c in {e.name_id for e in IKM_ELEMENTS_2017}]
    assert element_cols[7] == "Sarana dan Prasarana"
    u9 = {t: i for i, t in enumerate(IKM_ELEMENTS_2017[8].labels_id, start=1)}
    got = clean_results["csv"].tables["skm_responses"]
    assert got["U9"].tolist() == raw["Sarana dan Prasarana"].map(u9).tolist()
    assert got["U8"].tolist() == raw["Penanganan Pengaduan, Saran dan Masukan"].astype(int).tolist()
    u4 = {t: i for i, t in enumerate(IKM_ELEMENTS_2017[3].labels_id, start=1)}
    assert got["U4"].tolist() == [u4.get(v, pd.NA) for v in raw["Biaya/Tarif"]]


def test_decimal_comma_and_day_first_dates(clean_results):
    semi = (CLEAN / "semicolon" / "published_ikm.csv").read_text(encoding="utf-8-sig")
    assert "85,31" in semi and ";" in semi
    got = clean_results["semicolon"].tables
    assert got["published_ikm"]["ikm"].tolist() == [85.31, 82.5, 77.1]
    assert got["interventions"]["hours"].tolist() == [8.0, 16.5, 2.0]
    assert got["interventions"]["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-05-15",
        "2023-08-01",
        "2024-02-01",
    ]


def test_workbook_header_below_title_rows(clean_results):
    rep = {r["table"]: r for r in clean_results["xlsx"].log["files"]}
    assert rep["units"]["header_row"] == 3 and rep["units"]["sheet"] == "Data"


def test_sha256_in_report_matches_the_file():
    path = CLEAN / "csv" / "units.csv"
    res = read_table(path)
    assert res.report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# The bad corpus: every input with its expected exit code, rule and row
# --------------------------------------------------------------------------


def _case_id(row) -> str:
    return f"{row.path}-{row.rule}-{row.row}"


@pytest.mark.parametrize("case", list(MANIFEST.itertuples(index=False)), ids=_case_id)
def test_bad_corpus(case):
    path = BAD / case.path
    if case.sheet:
        with pytest.raises(FileProblem, match=case.message):
            read_table(path, sheet=case.sheet)
        code, _, err = _cli("validate", str(path), "--sheet", case.sheet)
        assert code == 2 and case.message in err
        return
    if case.exit_code == "2":
        assert case.rule == "file_problem"
        argv = ["validate", str(path)] + (["--table", case.table] if case.table else [])
        code, _, err = _cli(*argv)
        assert code == 2
        assert case.message in err and str(path) in err
        return
    res = validate_paths([path], table=case.table or None, progress=False)
    assert res.exit_code == 1
    hits = res.problems[(res.problems["rule"] == case.rule)]
    assert int(case.row) in set(hits["row"].astype(int)), res.problems
    # Row accounting, file by file.
    for rep in res.log["files"]:
        assert rep["rows_read"] == rep["rows_accepted"] + rep["rows_rejected"]
        rej = res.rejected[rep["file"]]
        assert len(rej) == rep["rows_rejected"]
        assert rej["_row"].is_unique
    assert res.log["totals"]["rows_rejected"] == sum(len(r) for r in res.rejected.values())


def test_corpus_is_large_enough():
    assert MANIFEST["path"].nunique() >= 25
    assert set(MANIFEST["exit_code"]) == {"1", "2"}


def test_row_with_several_problems_is_rejected_once(tmp_path):
    df = clean_frame("culture_responses")
    df.loc[2, "BP1"] = "9"
    df.loc[2, "Jenis Kelamin"] = "X"
    df.loc[2, "Tanggal Pengisian"] = "2099-01-01"
    df.to_csv(tmp_path / "c.csv", index=False)
    res = read_table(tmp_path / "c.csv")
    assert len(res.rejected) == 1 and len(res.data) == len(df) - 1
    row = res.rejected.iloc[0]
    assert row["_row"] == 4 and row["_file"].endswith("c.csv")
    assert set(row["_rule"].split(" | ")) == {"answer_range", "allowed_values", "date_future"}
    assert row["_column"].split(" | ") == ["BP1", "Tanggal Pengisian", "Jenis Kelamin"] or set(
        row["_column"].split(" | ")
    ) == {"BP1", "Tanggal Pengisian", "Jenis Kelamin"}
    # Original values are kept as written.
    assert row["BP1"] == "9" and row["ID Responden"] == "R003"
    rep = res.report
    assert rep["rows_read"] == 12 and rep["rows_rejected"] == 1 and rep["rows_accepted"] == 11


def test_read_table_unpacks(tmp_path):
    data, rejected, report, problems = read_table(CLEAN / "csv" / "units.csv")
    assert len(data) == 4 and len(rejected) == 0 and report["table"] == "units"
    assert list(problems.columns) == ["file", "sheet", "row", "column", "value", "rule", "reason"]


def test_named_table_and_unknown_table():
    res = read_table(CLEAN / "csv" / "units.csv", table="units")
    assert res.report["table"] == "units"
    with pytest.raises(FileProblem, match="unknown table"):
        read_table(CLEAN / "csv" / "units.csv", table="nope")


# --------------------------------------------------------------------------
# Headers, labels and layout variants
# --------------------------------------------------------------------------


def test_header_aliases_indonesian_and_english(tmp_path):
    df = pd.DataFrame(
        {
            "KABUPATEN / KOTA": ["Kota Pasuruan", "kota pasuruan", "3575"],
            "Perangkat  Daerah": ["D01", "D02", "S01"],
            "Nama OPD": ["Dinas Kesehatan", "Kecamatan Bugul Kidul", "Sekretariat Daerah"],
            "Jenis OPD": ["Dinas", "KECAMATAN", "sekretariat"],
            "Jumlah ASN": ["120", "40", "200"],
            "Public facing": ["yes", "Y", "Tidak"],
            "Catatan": ["a", "b", "c"],
        }
    )
    df.to_csv(tmp_path / "opd.csv", index=False)
    res = read_table(tmp_path / "opd.csv")
    assert res.report["table"] == "units" and res.report["columns_ignored"] == ["Catatan"]
    d = res.data
    assert d["gov_code"].tolist() == ["35.75"] * 3
    assert d["unit_type"].tolist() == ["dinas", "kecamatan", "sekretariat"]
    assert d["public_facing"].tolist() == [True, True, False]
    assert d["headcount"].tolist() == [120, 40, 200]


def test_item_headers_by_behaviour_text_and_numbered_elements(tmp_path):
    from berakhlak_research.framework import BEHAVIOURS

    cul = clean_frame("culture_responses")
    ren = {b.code: (f"{b.code}. {b.text_id}" if i % 2 else b.text_id)
           for i, b in enumerate(BEHAVIOURS)}  # fmt: skip
    cul.rename(columns=ren).rename(columns={"Kode Wilayah": "Kode Instansi"}).to_csv(
        tmp_path / "c.csv", index=False
    )
    res = read_table(tmp_path / "c.csv")
    assert res.report["rows_rejected"] == 0
    assert set(res.report["columns"].values()) >= {b.code for b in BEHAVIOURS}
    skm = clean_frame("skm_responses")
    names = [e.name_id for e in IKM_ELEMENTS_2017]
    # Numbered by position in a local questionnaire: "8. Sarana dan Prasarana" is U9.
    order = [c for c in skm.columns if c in names]
    skm = skm.rename(columns={c: f"{i}. {c}" for i, c in enumerate(order, start=1)})
    skm.to_csv(tmp_path / "s.csv", index=False)
    res = read_table(tmp_path / "s.csv")
    assert res.report["columns"]["8. Sarana dan Prasarana"] == "U9"
    assert res.report["columns"]["9. Penanganan Pengaduan, Saran dan Masukan"] == "U8"


def test_likert_scale_length_is_configurable(tmp_path):
    cul = clean_frame("culture_responses")
    items = [c for c in cul.columns if c[:2] in ("BP", "AK", "KP", "HM", "LY", "AD", "KB")]
    four = cul.copy()
    four[items] = "Setuju"  # 3 on the 4-point scale, 4 on the 5-point scale
    four.loc[0, "BP1"] = "5"
    four.to_csv(tmp_path / "c4.csv", index=False)
    res = read_table(tmp_path / "c4.csv", likert_points=4)
    assert res.data["AK1"].unique().tolist() == [3]
    assert res.rejected["_rule"].tolist() == ["answer_range"]
    res5 = read_table(tmp_path / "c4.csv")
    assert res5.data["AK1"].unique().tolist() == [4] and len(res5.rejected) == 0


def test_english_and_abbreviated_labels(tmp_path):
    cul = clean_frame("culture_responses").iloc[:5].copy()
    cul["BP1"] = ["Strongly agree", "SS", " sangat   setuju ", "4 - Setuju", "ts"]
    cul.to_csv(tmp_path / "c.csv", index=False)
    assert read_table(tmp_path / "c.csv").data["BP1"].tolist() == [5, 5, 5, 4, 2]


def test_blank_rows_do_not_shift_row_numbers(tmp_path):
    lines = (CLEAN / "csv" / "units.csv").read_text().splitlines()
    bad = lines[3].replace(",200,", ",-1,")
    text = "\n".join([lines[0], lines[1], "", ",,,,,", lines[2], bad, lines[4], "", ""]) + "\n"
    (tmp_path / "u.csv").write_text(text)
    res = read_table(tmp_path / "u.csv")
    assert res.report["blank_rows_skipped"] >= 2
    assert res.report["rows_read"] == 4
    assert res.rejected["_row"].tolist() == [6]  # line 6 in the file


def test_workbook_rows_are_sheet_rows(tmp_path):
    df = clean_frame("units")
    df.loc[2, "Jumlah Pegawai"] = "-3"
    write_xlsx(df, tmp_path / "u.xlsx", title_rows=3)
    res = read_table(tmp_path / "u.xlsx")
    # 3 title rows, header on row 4, data from row 5: data index 2 is row 7.
    assert res.report["header_row"] == 4
    assert res.rejected["_row"].tolist() == [7] and res.rejected["_sheet"].tolist() == ["Sheet"]


def test_bom_and_crlf(tmp_path):
    raw = (CLEAN / "csv" / "units.csv").read_text().replace("\n", "\r\n")
    (tmp_path / "u.csv").write_bytes(b"\xef\xbb\xbf" + raw.encode())
    res = read_table(tmp_path / "u.csv")
    assert res.report["rows_accepted"] == 4
    assert res.data["public_facing"].tolist() == [True, True, False, True]


def test_unit_names_resolve_to_codes_via_units(tmp_path):
    units = read_table(CLEAN / "csv" / "units.csv").data
    cul = clean_frame("culture_responses")
    cul.loc[0, "Kode Unit"] = "DINAS KESEHATAN"
    cul.loc[1, "Kode Unit"] = "Dinas Rahasia"
    cul.to_csv(tmp_path / "c.csv", index=False)
    res = read_table(tmp_path / "c.csv", units=units)
    assert res.data.loc[res.data["respondent_id"] == "R001", "unit_code"].item() == "D01"
    assert res.rejected["_rule"].tolist() == ["unknown_unit"]
    assert res.rejected["Kode Unit"].tolist() == ["Dinas Rahasia"]


# --------------------------------------------------------------------------
# ingest: outputs, log, raw files untouched, nothing written on file problems
# --------------------------------------------------------------------------


def test_ingest_writes_tables_quarantine_and_log(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CLEAN / "csv", raw)
    (raw / "sub").mkdir()
    shutil.copy(BAD / "culture_answer_7.csv", raw / "sub" / "culture_answer_7.csv")
    (raw / "notes.txt.bak").write_text("not data")
    before = hashes(raw)
    code, out, _ = _cli(
        "ingest", str(raw), "--out", str(tmp_path / "data"), "--max-problems", "100"
    )
    assert code == 1
    assert hashes(raw) == before  # raw files never modified
    assert "rule answer_range" in out and "row 3" in out
    processed = tmp_path / "data" / "processed"
    for name in TABLES:
        frame = pd.read_parquet(processed / f"{name}.parquet")
        extra = list(FLAG_COLUMNS) if name == "skm_responses" else []
        assert list(frame.columns) == list(TABLES[name].column_names) + extra
    cul = pd.read_parquet(processed / "culture_responses.parquet")
    assert str(cul["BP1"].dtype) == "Int8"
    # Both culture files were validated together: the second file repeats every
    # respondent of the first, so all its rows and their twins are rejected.
    log = json.loads((tmp_path / "data" / "interim" / "ingest-log.json").read_text())
    t = log["totals"]
    assert t["rows_read"] == t["rows_accepted"] + t["rows_rejected"]
    assert t["rows_read"] == 34 + 12
    files = {f["file"]: f for f in log["files"]}
    assert set(files) == {*(p.name for p in (CLEAN / "csv").iterdir()), "sub/culture_answer_7.csv"}
    for f in files.values():
        assert f["sha256"] == hashlib.sha256((raw / f["file"]).read_bytes()).hexdigest()
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"]
    assert log["skipped_files"] == ["notes.txt.bak"]
    rejected = tmp_path / "data" / "interim" / "rejected"
    sub = pd.read_csv(rejected / "culture_responses-sub__culture_answer_7.csv", dtype=str)
    assert {"_rule", "_column", "_reason", "_row", "_sheet", "_file"} <= set(sub.columns)
    assert len(sub) == 12 and len(cul) == 0
    assert "answer_range" in sub.loc[sub["_row"] == "3", "_rule"].item()
    assert files["sub/culture_answer_7.csv"]["rows_rejected"] == 12


def test_ingest_stops_on_a_file_problem_and_writes_nothing(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CLEAN / "semicolon", raw)
    shutil.copy(BAD / "culture_missing_unit_column.csv", raw / "zz.csv")
    out = tmp_path / "data"
    code, _, err = _cli("ingest", str(raw), "--out", str(out))
    assert code == 2
    assert "zz.csv" in err and "Kode Unit" in err
    assert not out.exists()


def test_ingest_api_returns_tables(tmp_path):
    res = ingest(CLEAN / "parquet", tmp_path / "d", progress=False)
    assert res.exit_code == 0 and len(res.tables["skm_responses"]) == 10
    assert (tmp_path / "d" / "interim" / "ingest-log.json").is_file()
    assert not any((tmp_path / "d" / "interim" / "rejected").iterdir())


def test_cross_checks_use_previously_ingested_units(tmp_path):
    ingest(CLEAN / "csv" / "units.csv", tmp_path / "d", progress=False)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(BAD / "unknown_unit" / "culture.csv", raw / "culture.csv")
    res = ingest(raw, tmp_path / "d", progress=False)
    assert res.problems["rule"].tolist() == ["unknown_unit"]
    assert any("units already in" in n for n in res.log["notes"])


def test_validate_exit_codes_and_messages():
    assert _cli("validate", str(CLEAN / "csv"))[0] == 0
    code, out, _ = _cli("validate", str(BAD / "culture_answer_7.csv"))
    assert code == 1
    # The message names file, row, column, value and rule.
    assert "culture_answer_7.csv row 3, column 'BP1', value '7', rule answer_range" in out
    assert "read 12, accepted 11, rejected 1" in out
    assert _cli("validate", str(BAD / "empty.csv"))[0] == 2
    assert _cli("validate", str(BAD / "does-not-exist.csv"))[0] == 2


def test_validation_is_vectorised_enough():
    """10,000 rows with every answer written as a label: well under a second or two."""
    import time

    rng = np.random.default_rng(3)
    n = 10_000
    labels = np.array(LIKERT_LABELS[5]["id"], dtype=object)
    cul = clean_frame("culture_responses")
    big = pd.DataFrame({c: np.resize(cul[c].to_numpy(), n) for c in cul.columns})
    big["ID Responden"] = [f"X{i}" for i in range(n)]
    for c in [c for c in cul.columns if c[:2] in ("BP", "AK", "KP", "HM", "LY", "AD", "KB")]:
        big[c] = labels[rng.integers(0, 5, n)]
    buf = io.BytesIO()
    big.to_parquet(buf)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "big.parquet"
        p.write_bytes(buf.getvalue())
        t0 = time.perf_counter()
        res = read_table(p)
        elapsed = time.perf_counter() - t0
    assert res.report["rows_accepted"] == n
    assert elapsed < 10  # generous: a per-row Python loop over 210,000 cells would be slower


def test_standard_header_wins_over_an_alias(tmp_path):
    df = clean_frame("units")
    df.insert(1, "Nama Instansi", ["Kota Pasuruan"] * 3 + ["Kabupaten Pasuruan"])
    df.to_csv(tmp_path / "u.csv", index=False)
    res = read_table(tmp_path / "u.csv")
    assert res.report["columns"]["Kode Wilayah"] == "gov_code"
    assert "Nama Instansi" in res.report["columns_ignored"]
    assert res.report["rows_accepted"] == 4


def test_fixture_generator_is_reproducible(tmp_path):
    """Re-running make_fixtures.py gives the committed CSV files byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("mk", BAD.parent / "make_fixtures.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    mk.write_clean(tmp_path)
    mk.write_bad(tmp_path)
    for sub in ("clean/csv", "clean/semicolon", "bad"):
        for p in sorted((tmp_path / sub).glob("*.csv")):
            assert p.read_bytes() == (BAD.parent / sub / p.name).read_bytes(), p.name


def test_reingest_replaces_old_rejected_files(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(BAD / "units_negative_headcount.csv", raw / "units.csv")
    out = tmp_path / "d"
    assert ingest(raw, out, progress=False).exit_code == 1
    assert (out / "interim" / "rejected" / "units-units.csv").is_file()
    shutil.copy(CLEAN / "csv" / "units.csv", raw / "units.csv")
    assert ingest(raw, out, progress=False).exit_code == 0
    assert not (out / "interim" / "rejected" / "units-units.csv").exists()


@pytest.mark.parametrize(
    "book",
    sorted(
        p.relative_to(BAD.parent) for p in BAD.parent.rglob("*.xlsx") if p.name != "corrupt.xlsx"
    ),
    ids=str,
)
def test_fast_workbook_reader_agrees_with_openpyxl(book):
    from pathlib import Path

    from berakhlak_research.io.read import _openpyxl_rows
    from berakhlak_research.io.xlsx import read_sheet

    path = BAD.parent / book
    _, fast, _ = read_sheet(path)
    _, slow = _openpyxl_rows(Path(path), None)

    def trim(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return tuple(row)

    assert [trim(r) for r in fast] == [trim(r) for r in slow]
