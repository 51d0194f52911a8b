"""SKM quality flags (issue 14): flagged, never dropped; counted in the ingest log."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from berakhlak_research.io import ingest, read_table
from berakhlak_research.io.flags import FLAG_COLUMNS, MIN_UNIT_RESPONSES, quality_flags
from tests._data.io_files import FIXTURES, hashes

MAP = FIXTURES / "mapping"
# Mid-April 2026: the response of 20 April and Semester II 2026 lie in the future.
TODAY = dt.date(2026, 4, 15)


def _flags():
    res = read_table(MAP / "skm_flags.csv", mapping=MAP / "skm_flags.toml", today=TODAY)
    assert res.report["rows_read"] == res.report["rows_accepted"] == 12  # nothing dropped
    return res


def test_each_flag_marks_the_rows_it_should():
    d = _flags().data.set_index("response_id")
    on = {c: sorted(d.index[d[c]], key=int) for c in FLAG_COLUMNS}
    assert on["flag_straightlining"] == ["1", "2", "4", "5", "7"]  # 9 is partly answered
    # 2 repeats 1 (same answers, profile and timestamp); 5 repeats 4 (same phone).
    assert on["flag_duplicate"] == ["2", "5"]
    assert on["flag_test"] == ["7", "8"]  # "asdasd", "Test 2"
    assert on["flag_future"] == ["11", "12"]  # a date after today; a period after today


def test_names_and_phones_are_not_written(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "skm_flags.csv").write_bytes((MAP / "skm_flags.csv").read_bytes())
    before = hashes(raw)
    res = ingest(raw, tmp_path / "data", mapping=MAP / "skm_flags.toml", today=TODAY)
    assert hashes(raw) == before
    out = pd.read_parquet(tmp_path / "data" / "processed" / "skm_responses.parquet")
    text = out.astype(str).to_csv()
    assert "Budi" not in text and "0811001" not in text
    counts = res.log["files"][0]["flags"]["counts"]
    assert counts == {"flag_straightlining": 5, "flag_duplicate": 2, "flag_test": 2,
                      "flag_future": 2}  # fmt: skip
    # Share per unit and period: 5 of the 11 D01 responses of Semester I.
    unit = res.log["files"][0]["flags"]["straightlining_by_unit"]
    assert unit == [{"gov_code": "35.75", "unit_code": "D01", "period_code": "2026-S1",
                     "n": 11, "share": round(5 / 11, 4)}]  # fmt: skip
    assert any("flagged (kept, not dropped)" in m for m in res.log["methods"])


def test_without_mapping_only_the_answer_and_date_flags_run():
    res = read_table(MAP / "skm_flags.csv", today=TODAY)
    d = res.data
    assert not d["flag_test"].any()
    # Without the phone column only the timestamp catches a double submission.
    assert d.loc[d["flag_duplicate"], "response_id"].tolist() == ["2"]


def test_straightlining_share_against_a_direct_count():
    rng = np.random.default_rng(14)
    n = 400
    ans = rng.integers(1, 5, (n, 9))
    pre = rng.random(n) < 0.3  # a form that pre-selects 4
    ans[pre] = 4
    codes = tuple(f"U{i}" for i in range(1, 10))
    df = pd.DataFrame(ans, columns=list(codes)).astype("Int8")
    df["gov_code"], df["unit_code"], df["period_code"] = "35.75", "D01", "2025"
    df["response_date"] = pd.NaT
    got = quality_flags(df, codes, today=dt.date(2026, 1, 1))
    direct = np.array([len(set(r)) == 1 for r in ans])
    assert (got["flag_straightlining"].to_numpy() == direct).all()
    assert not got["flag_duplicate"].any() and n >= MIN_UNIT_RESPONSES
