"""Trends and changes since the previous wave, with the FEVS-style decision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from berakhlak_research import framework as fw
from berakhlak_research.reporting import views
from tests._data.report import MIN_GROUP


def test_change_test_by_hand():
    out = views.change_test([50.0, 60.0, 70.0], [2.0, 0.0, 1.0], [54.0, 60.0, 70.0],
                            [1.5, 0.0, 1.0])  # fmt: skip
    se = np.sqrt(4 + 2.25)
    assert out["estimate"].iloc[0] == pytest.approx(4.0)
    assert out["p_value"].iloc[0] == pytest.approx(2 * stats.norm.sf(4 / se))
    assert out["ci_low"].iloc[0] == pytest.approx(4 - stats.norm.ppf(0.975) * se)
    assert out["p_value"].iloc[1] == 1.0 and out["p_value"].iloc[2] == pytest.approx(1.0)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_changes_of_index_values_behaviours_units(fixture, lang):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    ci = pd.read_parquet(fixture["results"] / "culture_index.parquet")
    ci = ci[ci["scoring"] == views.SCORING]
    g = ci[(ci["aggregation"] == "government") & (ci["gov_code"] == "35.75")]
    now, prev = ctx.wave, max(w for w in fixture["waves"] if w < ctx.wave)
    ch = views.changes_frame(ctx)
    assert list(ch["item"]) == ["overall", *fw.VALUE_CODES]
    assert (ch["previous_wave"] == str(prev)).all()
    a = g[g["wave"] == prev].set_index("value")
    b = g[g["wave"] == now].set_index("value")
    want = views.change_test(a.loc[ch["item"], "estimate"], a.loc[ch["item"], "se"],
                             b.loc[ch["item"], "estimate"], b.loc[ch["item"], "se"])  # fmt: skip
    np.testing.assert_allclose(ch["change"], want["estimate"])
    np.testing.assert_allclose(ch["p_value"], want["p_value"])
    words = {"en": ("increase", "decrease", "no change"), "id": ("naik", "turun", "tidak berubah")}
    up, down, same = words[lang]
    expect = np.where(ch["p_value"] < 0.05, np.where(ch["change"] > 0, up, down), same)
    assert list(ch["decision"]) == list(expect)
    bc = views.behaviour_changes_frame(ctx)
    assert set(bc["item"]) == {b.code for b in fw.BEHAVIOURS}
    uc = views.unit_changes_frame(ctx)
    u = ci[(ci["aggregation"] == "unit") & (ci["gov_code"] == "35.75") & (ci["value"] == "overall")]
    ok = u[(u["n"] >= MIN_GROUP) & ~u["suppressed"]]
    both = set(ok.loc[ok["wave"] == now, "unit_code"]) & set(
        ok.loc[ok["wave"] == prev, "unit_code"]
    )
    assert set(uc["item"]) == both and (uc["n"] >= MIN_GROUP).all()
    assert uc.attrs["withheld"] == (u["wave"] == now).sum() - len(both)
    assert list(uc["change"]) == sorted(uc["change"], reverse=True)
    html = views.show(ctx, "changes")
    assert ("p &lt; 0.05" in html) and (">2,0" not in html)  # years not printed as 2,024


def test_trend_frame_every_wave_and_figure(fixture):
    ctx = views.open_report(fixture["results"], "35.75", 0, "en", MIN_GROUP)
    tr = views.trend_frame(ctx)
    assert set(tr["wave"]) == set(fixture["waves"])
    assert tr["value"].iloc[0] == "overall" and tr["value"].nunique() == 8
    assert "<img" in views.figure(ctx, "trends", fmt="png")
