"""Culture sections: units (census rows), profile, behaviours."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import store
from berakhlak_research.reporting import views
from tests._data.report import MIN_GROUP


@pytest.fixture()
def census_results(fixture, tmp_path):
    """The fixture store with one unit of 35.75 surveyed in full (SE 0, zero-width interval)."""
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    ci = pd.read_parquet(res / "culture_index.parquet")
    u = ci[(ci["aggregation"] == "unit") & (ci["gov_code"] == "35.75") & (ci["n"] >= MIN_GROUP)]
    code = u["unit_code"].iloc[0]
    rows = (ci["aggregation"] == "unit") & (ci["gov_code"] == "35.75") & (ci["unit_code"] == code)
    ci.loc[rows, "se"] = 0.0
    ci.loc[rows, "ci_low"] = ci.loc[rows, "estimate"]
    ci.loc[rows, "ci_high"] = ci.loc[rows, "estimate"]
    store.write_table(res, "culture_index", ci)
    return res, code


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "all staff responded: no sampling error"),
    ("id", "semua pegawai menjawab: tanpa galat sampling"),
])  # fmt: skip
def test_census_units_say_no_sampling_error(census_results, lang, words):
    res, code = census_results
    ctx = views.open_report(res, "35.75", 0, lang, MIN_GROUP)
    u = views.units_frame(ctx)
    assert u["census"].dtype == bool
    assert u.loc[u["unit_code"] == code, "census"].all()
    assert not u.loc[u["unit_code"] != code, "census"].any()
    html = views.show(ctx, "units")
    assert html.count(words) == 1
    # the other units keep their numeric intervals; the census unit has none shown
    lo = u.loc[u["unit_code"] == code, "ci_low"].iloc[0]
    assert f"{lo:,.1f} – {lo:,.1f}" not in html
    assert np.isfinite(u["ci_low"]).all()


@pytest.mark.parametrize("lang", ["en", "id"])
def test_published_index_beside_ours(fixture, tmp_path, lang):
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    wave = max(fixture["waves"])
    pub = pd.DataFrame({"gov_code": ["35.75", "35.75"], "wave": [wave, wave - 1],
                        "overall": [61.8, 60.0], "BP": [58.7, 1.0], "AK": [74.9, 1.0],
                        "KP": [57.5, 1.0], "HM": [64.6, 1.0], "LY": [66.6, 1.0],
                        "AD": [39.8, 1.0], "KB": [np.nan, 1.0], "respondents": [621, 600],
                        "source": ["KemenPAN-RB", "KemenPAN-RB"]})  # fmt: skip
    store.write_table(res, "published_culture", pub)
    ctx = views.open_report(res, "35.75", 0, lang, MIN_GROUP)
    f = views.published_frame(ctx)
    assert list(f["value"]) == ["overall", "BP", "AK", "KP", "HM", "LY", "AD"]  # KB not published
    assert f.loc[0, "published"] == 61.8 and f.loc[6, "published"] == 39.8
    ours = views.value_profile_frame(ctx).set_index("value")["estimate"]
    np.testing.assert_allclose(f.set_index("value").loc["AD", "estimate"], ours["AD"])
    np.testing.assert_allclose(f["difference"], f["estimate"] - f["published"])
    html = views.show(ctx, "published")
    assert ("not recomputed" if lang == "en" else "tidak dihitung ulang") in html
    # a government without a published row: no table
    other = views.open_report(res, "35.14", 0, lang, MIN_GROUP)
    assert views.published_frame(other).empty


@pytest.mark.parametrize("lang", ["en", "id"])
def test_item_results_for_all_21_behaviours(fixture, lang):
    from berakhlak_research import framework as fw
    from berakhlak_research import regions

    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    f = views.item_results_frame(ctx)
    assert list(f["behaviour"]) == list(fw.BEHAVIOUR_CODES)
    np.testing.assert_allclose(f[["unfavourable", "neutral", "favourable"]].sum(axis=1), 100)
    it = pd.read_parquet(fixture["results"] / "culture_item_shares.parquet")
    own = it[(it["gov_code"] == "35.75") & (it["wave"] == ctx.wave)].set_index("behaviour")
    np.testing.assert_allclose(
        f.set_index("behaviour")["favourable"], own.loc[f["behaviour"], "favourable"]
    )
    kind = it["gov_code"].map(regions.governments().set_index("code")["kind"])
    peers = it[(it["wave"] == ctx.wave) & (kind == ctx.kind) & ~it["suppressed"]]
    med = peers.groupby("behaviour")["favourable"].median()
    np.testing.assert_allclose(f.set_index("behaviour")["peer_median"], med.loc[f["behaviour"]])
    assert (f["peer_q75"] >= f["peer_median"]).all()


def test_response_rates_and_demographics_withhold_small_groups(fixture):
    ctx = views.open_report(fixture["results"], "35.75", 0, "en", MIN_GROUP)
    r = views.response_rates_frame(ctx)
    units = pd.read_parquet(fixture["results"] / "units.parquet")
    mine = units[units["gov_code"] == "35.75"]
    assert r["unit_name"].iloc[-1] == "Whole government"
    assert r["headcount"].iloc[-1] == mine["headcount"].sum()
    body = r.iloc[:-1]
    assert (body["respondents"] >= MIN_GROUP).all() and r.attrs["withheld"] >= 1
    assert len(body) + r.attrs["withheld"] == len(mine)
    np.testing.assert_allclose(r["rate"], 100 * r["respondents"] / r["headcount"])
    d = views.demographics_frame(ctx)
    assert set(d["dimension"]) <= {"sex", "age_group", "employment_type"}
    assert (d["n"] >= MIN_GROUP).all() and d.attrs["withheld"] >= 1  # the rare PPPK group
    html = views.show(ctx, "demographics")
    assert "withheld" in html and "Female" in html


def test_published_implementation_index_is_not_set_beside_the_culture_index(fixture, tmp_path):
    """A government can have both published indices; only the culture-health one is compared."""
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    wave = max(fixture["waves"])
    pub = pd.DataFrame({"gov_code": ["35.75", "35.75"], "wave": [wave, wave],
                        "index_kind": ["implementation", "culture_health"],
                        "overall": [88.0, 61.8], "AD": [90.0, 39.8],
                        "respondents": [pd.NA, 621], "source": ["KemenPAN-RB"] * 2})  # fmt: skip
    store.write_table(res, "published_culture", pub)
    f = views.published_frame(views.open_report(res, "35.75", 0, "en", MIN_GROUP))
    assert f.set_index("value").loc["overall", "published"] == 61.8
    assert f.set_index("value").loc["AD", "published"] == 39.8
