"""Published culture indices (issue 14): which index a row is; news-style numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from berakhlak_research.io import read_table
from tests._data.io_files import CLEAN, FIXTURES

PUB = FIXTURES / "published"
TODAY = dt.date(2026, 12, 1)


def test_news_style_percentages_and_index_kinds():
    res = read_table(PUB / "published_culture_news.csv", today=TODAY)
    rep = res.report
    assert rep["rows_read"] == rep["rows_accepted"] + rep["rows_rejected"] == 4
    d = res.data.set_index(["gov_code", "wave", "index_kind"])
    assert d.loc[("35.75", 2023, "culture_health"), "overall"] == pytest.approx(61.8)
    assert d.loc[("35.75", 2023, "culture_health"), "AD"] == pytest.approx(39.8)
    assert d.loc[("35.75", 2023, "implementation"), "overall"] == pytest.approx(74.4)
    assert d.loc[("35.14", 2023, "culture_health"), "AD"] == pytest.approx(38.9)
    # The same government and year may publish both indices: not a duplicate.
    assert "duplicate_key" not in rep["rules"]
    # An unknown kind is rejected with the vocabulary named.
    assert rep["rules"] == {"allowed_values": 1}
    assert "culture_health, implementation" in res.problems["reason"].iloc[0]


def test_files_without_the_column_are_the_culture_survey_index_and_say_so():
    res = read_table(CLEAN / "csv" / "published_culture.csv", today=TODAY)
    assert (res.data["index_kind"] == "culture_health").all()
    assert [w["rule"] for w in res.report["warnings"]] == ["index_kind_assumed"]
