"""SKM exports with sub-annual periods and unrecognised profile values."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from berakhlak_research import indices
from berakhlak_research.io import ingest, read_table
from tests._data.io_files import FIXTURES, hashes

SHAPES = FIXTURES / "shapes"
TODAY = dt.date(2026, 12, 1)


def test_sub_annual_periods_are_kept_as_year_and_period_code():
    res = read_table(SHAPES / "skm_periods.csv", today=TODAY, period_rule="semester")
    assert res.report["rows_rejected"] == 0 and len(res.data) == 10
    assert res.data["period_code"].tolist() == [
        "2025-S1", "2025-S1", "2025-S1", "2025-Q2", "2025-Q2", "2023-S1", "2025-S1", "2025-S1",
        "2026-S1", "2026-S1",
    ]  # fmt: skip
    assert res.data["period"].tolist() == [2025] * 5 + [2023, 2025, 2025, 2026, 2026]
    assert res.report["periods"]["2025-S1"] == 5 and res.report["period_rule"] == "semester"


def test_dates_follow_the_period_rule():
    res = read_table(SHAPES / "skm_periods.csv", today=TODAY, period_rule="quarter")
    assert res.data["period_code"].iloc[6:8].tolist() == ["2025-Q2", "2025-Q2"]
    res = read_table(SHAPES / "skm_periods.csv", today=TODAY)  # default: the year
    assert res.data["period_code"].iloc[6:8].tolist() == ["2025", "2025"]


def test_same_response_number_in_two_semesters_is_no_duplicate(tmp_path):
    import pandas as pd

    df = pd.read_csv(SHAPES / "skm_periods.csv", dtype=str, keep_default_na=False)
    df = pd.concat([df.assign(Periode="Semester I 2025"), df.assign(Periode="Semester II 2025")])
    df.to_csv(tmp_path / "two.csv", index=False)
    res = read_table(tmp_path / "two.csv", today=TODAY)
    assert res.report["rows_rejected"] == 0 and len(res.data) == 20
    df.iloc[:11].assign(Periode="Semester I 2025").to_csv(tmp_path / "dup.csv", index=False)
    res = read_table(tmp_path / "dup.csv", today=TODAY)
    assert res.report["rules"] == {"duplicate_key": 2}


def test_bad_periods_are_rejected_with_their_rule_and_the_rest_kept():
    res = read_table(SHAPES / "skm_periods_bad.csv", today=TODAY)
    assert res.report["rows_read"] == 10 == len(res.data) + len(res.rejected)
    assert dict(zip(res.rejected["_row"], res.rejected["_rule"], strict=True)) == {
        4: "not_a_period",
        7: "period_spans_years",
    }
    p = res.problems
    assert set(p["column"]) == {"Periode"} and "Semester III 2025" in set(p["value"])


def test_ikm_per_period_and_per_year():
    import pandas as pd

    one = read_table(SHAPES / "skm_periods.csv", today=TODAY, period_rule="semester").data
    data = pd.concat([one] * 10, ignore_index=True)  # every period above the suppression floor
    by_period = indices.ikm(data, by=["gov_code", "period_code"], min_group=10)
    by_year = indices.ikm(data, by=["gov_code", "period"], min_group=10)
    assert set(by_period["period_code"]) == {"2023-S1", "2025-S1", "2025-Q2", "2026-S1"}
    assert set(by_year["period"]) == {2023, 2025, 2026}
    n = by_period.set_index("period_code")["n"]
    assert n["2025-S1"] + n["2025-Q2"] == by_year.set_index("period")["n"][2025]


def test_unrecognised_education_keeps_the_response_and_warns(tmp_path):
    src = SHAPES / "skm_education_wording.csv"
    res = read_table(src, today=TODAY)
    assert res.report["rows_rejected"] == 0 and len(res.data) == 10
    assert res.data["education"].iloc[:2].tolist() == ["S2+", "SD"]
    assert res.data["education"].iloc[2:4].isna().all() and res.data["sex"].isna().iloc[4]
    warn = {(w["column"], w["value"]): w["rows"] for w in res.report["warnings"]}
    assert warn == {("Pendidikan", "TK"): 2, ("Jenis Kelamin", "X"): 1}
    # The answers of those rows are intact.
    assert res.data.loc[2, "U1"] == 1
    # ingest writes the warnings into the log and leaves the raw file alone.
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "skm.csv").write_bytes(src.read_bytes())
    before = hashes(raw)
    out = ingest(raw, tmp_path / "out", today=TODAY, progress=False)
    assert out.exit_code == 0 and hashes(raw) == before
    log = json.loads((tmp_path / "out" / "interim" / "ingest-log.json").read_text())
    assert {w["value"] for w in log["files"][0]["warnings"]} == {"TK", "X"}


@pytest.mark.parametrize("rule", ["year", "semester", "quarter", "month"])
def test_cli_accepts_the_period_rule(rule, capsys):
    from berakhlak_research.cli import main

    code = main(["validate", str(SHAPES / "skm_periods.csv"), "--period-rule", rule])
    out = capsys.readouterr().out
    assert code == 0 and "periods:" in out
