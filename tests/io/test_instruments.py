"""Older SKM instruments (issue 14): refused as the 2017 nine, read under a declared method."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.indices import ikm
from berakhlak_research.io import ingest, read_table
from berakhlak_research.io.instruments import detect_method, element_codes
from tests._data.io_files import FIXTURES, hashes

MAP = FIXTURES / "mapping"
TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("name", "method"),
    [("skm_2014.csv", "2014"), ("skm_2004.csv", "2004"), ("skm_10_items.csv", '2014" or "2004')],
)
def test_other_instruments_are_refused_naming_the_method_to_declare(name, method):
    with pytest.raises(FileProblem) as err:
        read_table(MAP / name, today=TODAY)
    msg = str(err.value)
    assert name in msg and "rule other_instrument" in msg
    assert f'method = "{method}"' in msg and "--mapping" in msg


def test_ten_item_file_exits_2_and_writes_nothing(tmp_path):
    from berakhlak_research.cli import main

    code = main(["ingest", str(MAP / "skm_10_items.csv"), "--out", str(tmp_path / "out")])
    assert code == 2 and not (tmp_path / "out").exists()


def test_2014_read_under_its_declared_method():
    res = read_table(MAP / "skm_2014.csv", mapping=MAP / "method_2014.toml", today=TODAY)
    rep = res.report
    assert rep["rows_read"] == rep["rows_accepted"] + rep["rows_rejected"] == 3
    assert rep["method"] == "2014" and rep["rules"] == {"answer_range": 1}  # Maklumat = 5
    raw = pd.read_csv(MAP / "skm_2014.csv", dtype=str)
    d = res.data
    assert (d["method_version"] == "2014").all()
    assert d["MP"].tolist() == raw["Maklumat Pelayanan"].astype(int).tolist()[:2]
    # The 2014 instrument has no Sarana dan Prasarana: U9 stays empty, never invented.
    assert d["U9"].isna().all()
    assert (
        d["U8"].tolist() == raw["Penanganan Pengaduan, Saran dan Masukan"].astype(int)[:2].tolist()
    )


def test_2004_fourteen_elements_and_its_ikm(tmp_path):
    raw_dir = tmp_path / "raw"
    raw_dir.mkdir()
    (raw_dir / "skm_2004.csv").write_bytes((MAP / "skm_2004.csv").read_bytes())
    before = hashes(raw_dir)
    res = ingest(raw_dir, tmp_path / "data", mapping=MAP / "method_2004.toml", today=TODAY)
    assert hashes(raw_dir) == before
    # Kept apart from the 2017 table, so it is never averaged as the nine.
    assert set(res.tables) == {"skm_responses_2004"}
    assert (tmp_path / "data" / "processed" / "skm_responses_2004.parquet").is_file()
    d = res.tables["skm_responses_2004"]
    codes = list(element_codes("2004"))
    assert len(codes) == 14 and d[codes].notna().all().all()
    assert any("2004 instrument" in m for m in res.log["methods"])
    # KEP/25/M.PAN/2/2004: weight 1/14, IKM = mean x 25, computed by indices.ikm.
    # (the three responses twice: six, above the floor of five; the mean is unchanged)
    twice = pd.concat([d, d], ignore_index=True)
    got = ikm(twice, by=["gov_code", "unit_code", "period"], method="2004", min_group=5,
              cluster=None)  # fmt: skip
    labels = {"Kurang baik": 2, "Baik": 3, "Sangat baik": 4}
    raw = pd.read_csv(MAP / "skm_2004.csv", dtype=str).iloc[:, 4:]
    scores = raw.apply(lambda c: c.map(lambda v: labels.get(v, v)).astype(int))
    expected = scores.mean(axis=0).mean() * 25
    assert got["estimate"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert got["method_version"].iloc[0] == "2004"


def test_2017_question_texts_are_not_taken_for_2004():
    headers = [
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "Bagamana pendapat saudara perilaku petugas terkait kesopanan dan keramahan?",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    ]
    assert detect_method(headers)[0] == "2017"
