"""Questionnaire mappings (issue 14): one fixture each under tests/fixtures/io/mapping/."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.io import ingest, read_table
from berakhlak_research.io.mapping import draft_mapping, guess_element, load_mapping
from tests._data.io_files import FIXTURES, hashes

MAP = FIXTURES / "mapping"
TODAY = dt.date(2026, 12, 1)
ELEMENTS = [f"U{i}" for i in range(1, 10)]


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _read(name: str, mapping: str | None = None, **kw):
    path = MAP / name
    before = _digest(path)
    res = read_table(path, today=TODAY, mapping=None if mapping is None else MAP / mapping, **kw)
    assert _digest(path) == before  # raw files are only read
    rep = res.report
    assert rep["rows_read"] == rep["rows_accepted"] + rep["rows_rejected"]
    assert len(res.data) == rep["rows_accepted"] and len(res.rejected) == rep["rows_rejected"]
    return res


def _raw(name: str, sep: str = ",") -> pd.DataFrame:
    return pd.read_csv(MAP / name, dtype=str, keep_default_na=False, sep=sep)


def test_google_form_with_question_texts_and_cap_waktu():
    res = _read("gforms_skm.csv", "gforms_skm.toml")
    d = res.data
    assert res.report["rows_rejected"] == 0 and len(d) == 5
    # Constants for a single-office export; the government given by name.
    assert set(d["gov_code"]) == {"35.75"} and set(d["unit_code"]) == {"DPMPTSP"}
    # Period from the timestamp by the declared semester rule.
    assert d["period_code"].tolist() == ["2025-S1", "2025-S1", "2025-S1", "2025-S2", "2025-S2"]
    assert d.loc[0, "response_date"] == pd.Timestamp("2025-02-03 09:15:02")
    # Responses numbered by their row in the file (header is row 1).
    assert d["response_id"].tolist() == ["2", "3", "4", "5", "6"]
    raw = _raw("gforms_skm.csv")
    sarana = [c for c in raw.columns if "sarana" in c][0]
    pengaduan = [c for c in raw.columns if "pengaduan" in c][0]
    # Sarana asked 8th is U9; the mapping's own labels score it.
    u9 = raw[sarana].map({"Baik": 3, "Cukup": 2, "Sangat Memuaskan": 4, "Memuaskan": 3})
    assert d["U9"].tolist() == u9.tolist()
    u8 = raw[pengaduan].map(
        {"Tidak ada": 1, "Ada tetapi tidak berfungsi": 2, "Berfungsi kurang maksimal": 3,
         "Dikelola dengan baik": 4}
    )  # fmt: skip
    assert d["U8"].tolist() == u8.tolist()
    # The test row is flagged, not dropped; the name column is not kept.
    assert d["flag_test"].tolist() == [False, False, True, False, False]
    assert "Nama" in res.report["columns_ignored"] and "name" not in "".join(d.columns)
    assert res.report["element_order"] == {"identified_by": "mapping"}


def test_unsur_numbers_without_mapping_log_the_assumed_order(tmp_path):
    res = _read("unsur_numbers.csv")
    order = res.report["element_order"]
    assert order["identified_by"] == "number" and order["assumed"] == "PermenPANRB 14/2017"
    assert order["columns"]["Unsur 9"] == "U9"
    raw = _raw("unsur_numbers.csv")
    assert res.data["U9"].tolist() == raw["Unsur 9"].astype(int).tolist()
    # ... and the ingest log's methods notes say so for the report.
    out = ingest(MAP / "unsur_numbers.csv", tmp_path, today=TODAY)
    assert any("order of PermenPANRB 14/2017" in m for m in out.log["methods"])


def test_unsur_numbers_with_a_yaml_mapping_swap_u8_u9():
    res = _read("unsur_numbers.csv", "unsur_swap.yaml")
    raw = _raw("unsur_numbers.csv")
    assert res.data["U9"].tolist() == raw["Unsur 8"].astype(int).tolist()
    assert res.data["U8"].tolist() == raw["Unsur 9"].astype(int).tolist()
    # Unsur 1..7 are still read by number, and the log says which ones.
    order = res.report["element_order"]
    assert order["identified_by"] == "number"
    assert set(order["columns"]) == {f"Unsur {i}" for i in range(1, 8)}


@pytest.mark.parametrize("header", ["U8", "u 8", "Unsur 8", "UNSUR8", "unsur_8", "Unsur U8"])
def test_number_only_headers_are_read_in_the_2017_order(header):
    from berakhlak_research.io.headers import code_only, map_headers

    assert code_only(header)
    heads = ["No Responden", "Kode Wilayah", "Kode Unit", "Periode"]
    heads += [header if i == 8 else f"Unsur {i}" for i in range(1, 10)]
    m = map_headers(heads, "skm_responses")
    assert m[header] == "U8" and header in m.by_code


def test_letters_a_to_d_become_scores():
    res = _read("app_letters.csv", "app_letters.toml")
    raw = _raw("app_letters.csv", sep=";")
    score = {"a": 1, "b": 2, "c": 3, "d": 4}
    for code, header in zip(ELEMENTS[:7], raw.columns[4:11], strict=True):
        assert res.data[code].tolist() == raw[header].str.lower().map(score).tolist()
    assert res.report["rows_rejected"] == 0


def test_letters_without_the_mapping_are_unknown_labels():
    res = _read("app_letters.csv")
    assert res.report["rows_accepted"] == 0
    assert res.report["rules"]["unknown_label"] == 3


def test_single_office_export_gets_constant_codes():
    res = _read("single_office.csv", "single_office.toml")
    assert res.report["rows_rejected"] == 0
    assert set(res.data["gov_code"]) == {"35.75"} and set(res.data["unit_code"]) == {"SETDA"}
    assert res.data["U9"].tolist() == [3, 3] and res.data["U8"].tolist() == [3, 4]


@pytest.mark.parametrize(
    ("text", "suffix", "key", "rule"),
    [
        ('[columns]\n"Unsur 8" = "U10"\n', ".toml", '[columns] "Unsur 8"', "mapping_unknown_column"),
        ('[columns]\n"Unsur 8" = "U9"\n"Unsur 9" = "U9"\n', ".toml", '"Unsur 9"',
         "mapping_duplicate_target"),
        ('[answers]\n"*" = { a = 5 }\n', ".toml", '[answers] * "a"', "mapping_bad_score"),
        ("period:\n  rule: weekly\n", ".yaml", "[period] rule", "mapping_bad_rule"),
        ('[constants]\ngov_code = "Pasuruan"\n', ".toml", "gov_code", "ambiguous_government"),
        ('[constants]\ngov_code = ""\n', ".toml", "gov_code", "mapping_empty_constant"),
        ('method = "2010"\n', ".toml", "method", "mapping_unknown_method"),
        ("colums = 1\n", ".toml", "colums", "mapping_unknown_key"),
        ("[columns\n", ".toml", "", "mapping_syntax"),
        ("columns: [a, b\n", ".yaml", "", "mapping_syntax"),
    ],
)  # fmt: skip
def test_a_bad_mapping_names_file_key_value_and_rule(tmp_path, text, suffix, key, rule):
    path = tmp_path / f"m{suffix}"
    path.write_text(text)
    with pytest.raises(FileProblem) as err:
        load_mapping(path)
    msg = str(err.value)
    assert str(path) in msg and key in msg and f"rule {rule}" in msg


def test_a_bad_mapping_exits_2_and_writes_nothing(tmp_path):
    from berakhlak_research.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"Unsur 8" = "U10"\n')
    code = main(["ingest", str(MAP / "unsur_numbers.csv"), "--out", str(tmp_path / "out"),
                 "--mapping", str(bad)])  # fmt: skip
    assert code == 2 and not (tmp_path / "out").exists()


def test_ingest_with_mapping_writes_the_mapping_into_the_log(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "gforms_skm.csv").write_bytes((MAP / "gforms_skm.csv").read_bytes())
    before = hashes(raw)
    res = ingest(raw, tmp_path / "data", mapping=MAP / "gforms_skm.toml", today=TODAY)
    assert hashes(raw) == before
    assert res.log["mapping"]["columns"]["Cap waktu"] == "response_date"
    assert res.log["totals"]["rows_read"] == 5 == res.log["totals"]["rows_accepted"]
    assert any("flagged" in m for m in res.log["methods"])


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?", "U9"),
        ("Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?", "U8"),
        ("Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?", "U3"),
        ("How do you rate the handling of complaints?", "U8"),
        ("8. Sarana dan Prasarana", "U9"),
        ("Unsur 8", None),  # numbers alone are never guessed
        ("Nama", None),
    ],
)
def test_guess_element_by_words_not_numbers(header, code):
    assert guess_element(header) == code


def test_draft_mapping_from_google_form_headers_ingests_like_the_hand_written_one(tmp_path):
    text = draft_mapping(MAP / "gforms_skm.csv")
    draft = tomllib.loads(text)
    hand = load_mapping(MAP / "gforms_skm.toml")
    mine = {h: c for h, c in draft["columns"].items()}
    for h, c in hand.columns.items():
        if c != "(ignore)":
            assert mine[h] == c
    assert '# "Nama"' in text  # unmatched columns listed as comments
    assert draft["period"] == {"from": "Cap waktu", "rule": "year"}
    assert '# U9 = { "Memuaskan" = ?, "Sangat Memuaskan" = ? }' in text  # unknown labels
    assert "gov_code" in text  # constants to fill in


def test_draft_lists_number_headers_for_the_user_to_decide():
    text = draft_mapping(MAP / "unsur_numbers.csv")
    assert '# "Unsur 8" = "U?"' in text and "columns" in text
    assert "mapping draft" in text or "Draft mapping" in text


def test_draft_proposes_letters():
    assert '"*" = { a = 1, b = 2, c = 3, d = 4 }' in draft_mapping(MAP / "app_letters.csv")
