"""The executive summary in words and the next steps: every number from the report's tables."""

from __future__ import annotations

import pandas as pd
import pytest

from berakhlak_research import framework as fw
from berakhlak_research.reporting import views
from berakhlak_research.reporting.sections._html import _fmt
from tests._data.report import MIN_GROUP


def _bench(fixture, wave):
    b = pd.read_parquet(fixture["results"] / "culture_benchmarks.parquet")
    b = b[(b["gov_code"] == "35.75") & (b["wave"] == wave) & (b["value"] == "overall")]
    return (b[b["scoring"] == views.SCORING] if "scoring" in b else b).iloc[0]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_summary_sentences_come_from_the_tables(fixture, lang):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    s = views.summary_text_frame(ctx)
    assert 5 <= len(s) <= 8
    assert s["text"].str.endswith(".").all()
    by = dict(zip(s["topic"], s["text"], strict=True))
    ci = pd.read_parquet(fixture["results"] / "culture_index.parquet")
    g = ci[(ci["aggregation"] == "government") & (ci["gov_code"] == "35.75") & (ci["wave"] == ctx.wave)
           & (ci["scoring"] == views.SCORING)].set_index("value")  # fmt: skip
    o = g.loc["overall"]
    assert (
        _fmt(o["estimate"], lang=lang) in by["index"]
        and _fmt(o["ci_low"], lang=lang) in by["index"]
    )
    assert fw.culture_category(o["estimate"]).code in by["index"]
    vals = g.loc[list(fw.VALUE_CODES), "estimate"]
    names = {v.code: (v.name_id if lang == "id" else v.name_en) for v in fw.VALUES}
    assert names[vals.idxmax()] in by["values"] and names[vals.idxmin()] in by["values"]
    b = _bench(fixture, ctx.wave)
    word = {("en", True): "significant change", ("en", False): "not changed significantly",
            ("id", True): "perubahan yang signifikan", ("id", False): "tidak berubah"}  # fmt: skip
    assert word[(lang, bool(b["change_p_value"] < 0.05))] in by["change"]
    assert _fmt(abs(b["change"]), lang=lang) in by["change"]
    assert f"{int(b['rank_kind'])}" in by["rank"] and f"{int(b['n_national'])}" in by["rank"]
    weakest = views.weakest_behaviours_frame(ctx, k=3)
    assert all(c in by["behaviours"] for c in weakest["behaviour"])
    html = views.text(ctx, "summary_text")
    assert html.startswith("<p class='berakhlak-summary'") and "summary_text" in ctx.shown


def test_withheld_government_gets_no_index_sentence(fixture):
    ctx = views.open_report(fixture["results"], "35.75", 0, "en", 10**6)
    by = dict(zip(*views.summary_text_frame(ctx)[["topic", "text"]].T.values, strict=True))
    assert "index" not in by and "values" not in by and "behaviours" not in by


@pytest.mark.parametrize("lang", ["en", "id"])
def test_next_steps_follow_from_the_tables(fixture, lang):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    steps = views.next_steps_frame(ctx)
    assert list(steps["step"]) == list(range(1, len(steps) + 1)) and len(steps) >= 2
    by = dict(zip(steps["topic"], steps["text"], strict=True))
    vp = views.value_profile_frame(ctx)
    worst = vp.loc[vp["estimate"].idxmin()]
    assert worst["value_name"] in by["value"]
    med = _bench(fixture, ctx.wave)["peer_median_kind"]
    units = views.units_frame(ctx)
    below = units[units["estimate"] < med]
    if len(below):
        assert by["units"].startswith(f"{len(below)} ")
        named = [u for u in units["unit_name"] if u in by["units"]]
        assert set(named) <= set(below["unit_name"])
    html = views.text(ctx, "next_steps")
    assert html.startswith("<ol") and html.count("<li>") == len(steps)
    assert "<script>" not in html  # unit names are escaped
