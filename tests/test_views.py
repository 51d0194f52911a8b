"""Tests of reporting.views (the logic behind the report notebooks), i18n and plots.culture."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest
from _report_data import MIN_GROUP, XSS_NAME, make_results

from berakhlak_research import framework as fw
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.plots import culture
from berakhlak_research.reporting import i18n, store, views


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("results") / "results", seed=1)


@pytest.fixture()
def ctx(fixture):
    return views.open_report(fixture["results"], "35.75", 0, "en", MIN_GROUP)


# -- parameters ----------------------------------------------------------------


def test_validate_parameters_resolves_and_defaults(fixture):
    p = views.validate_parameters("Kota Pasuruan", 0, "id", 10, fixture["results"])
    assert p["gov_code"] == "35.75"
    assert p["wave"] == max(fixture["waves"])
    assert p["results_dir"] == str(fixture["results"].resolve())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gov_code": "99.99"}, "not in the Kemendagri"),
        ({"gov_code": "Pasuruan"}, "ambiguous"),
        ({"lang": "fr"}, "language 'fr'"),
        ({"min_group": 0}, "at least 1"),
        ({"min_group": "ten"}, "whole numbers"),
        ({"gov_code": "35.78"}, "no results for wave"),
        ({"wave": 2019}, "no results for wave 2019"),
    ],
)
def test_validate_parameters_errors(fixture, kwargs, match):
    args = {"gov_code": "35.75", "wave": 0, "lang": "en", "min_group": 10}
    args.update(kwargs)
    with pytest.raises(ParameterError, match=match):
        views.validate_parameters(results_dir=fixture["results"], **args)


def test_results_path_outside_root_is_refused(fixture, tmp_path):
    with pytest.raises(ParameterError, match="outside the results folder"):
        views.validate_parameters("35.75", results_dir=fixture["results"], results_root=tmp_path)
    with pytest.raises(ParameterError, match="not a results folder"):
        views.validate_parameters("35.75", results_dir=tmp_path)
    sub = fixture["results"] / ".." / ".." / fixture["results"].parent.name / "results"
    assert views.validate_parameters("35.75", results_dir=sub, results_root=fixture["results"])


# -- frames against an independent reading of the store ------------------------------


def _ci(fixture, level, wave=2024, gov="35.75"):
    ci = pd.read_parquet(fixture["results"] / "culture_index.parquet")
    return ci[(ci["level"] == level) & (ci["wave"] == wave) & (ci["gov_code"] == gov)
              & (ci["scoring"] == views.SCORING)]  # fmt: skip


def test_summary_matches_store(fixture, ctx):
    s = views.summary_frame(ctx)
    g = _ci(fixture, "government").set_index("value").loc["overall"]
    row = s.iloc[0]
    assert row["estimate"] == pytest.approx(g["estimate"])
    assert row["n"] == g["n"]
    assert row["text"].startswith(fw.culture_category(g["estimate"]).code)
    b = pd.read_parquet(fixture["results"] / "culture_benchmarks.parquet")
    b = b[(b["gov_code"] == "35.75") & (b["wave"] == 2024) & (b["value"] == "overall")].iloc[0]
    assert s.iloc[2]["text"] == f"{int(b['rank_national'])} of {int(b['n_national'])}"
    change = s[s["item"].str.startswith("Change")].iloc[0]
    assert change["estimate"] == pytest.approx(b["change"])
    ikm = pd.read_parquet(fixture["results"] / "ikm.parquet")
    ikm = ikm[
        (ikm["level"] == "government") & (ikm["gov_code"] == "35.75") & (ikm["period"] == 2024)
    ]
    assert s.iloc[-1]["estimate"] == pytest.approx(ikm["estimate"].iloc[0])
    assert s.iloc[-1]["text"].startswith(fw.ikm_band(ikm["estimate"].iloc[0]).code)


def test_value_profile_order_and_peers(fixture, ctx):
    v = views.value_profile_frame(ctx)
    assert list(v["value"]) == list(fw.VALUE_CODES)
    assert list(v["value_name"]) == [x.name_en for x in fw.VALUES]
    b = pd.read_parquet(fixture["results"] / "culture_benchmarks.parquet")
    b = b[(b["gov_code"] == "35.75") & (b["wave"] == 2024)].set_index("value")
    np.testing.assert_allclose(v["peer_median"], b.loc[list(fw.VALUE_CODES), "peer_median_kind"])
    np.testing.assert_allclose(v["peer_q75"], b.loc[list(fw.VALUE_CODES), "peer_q75_kind"])


@pytest.mark.parametrize("min_group", [MIN_GROUP, 25])
def test_units_never_show_small_groups(fixture, min_group):
    ctx = views.open_report(fixture["results"], "35.75", 0, "en", min_group)
    u = views.units_frame(ctx)
    raw = _ci(fixture, "unit")
    raw = raw[raw["value"] == "overall"]
    expect = raw[(raw["n"] >= min_group) & ~raw["suppressed"]]
    assert sorted(u["unit_code"]) == sorted(expect["unit_code"])
    assert (u["n"] >= min_group).all()
    assert u.attrs["withheld"] == len(raw) - len(expect) >= 1
    assert list(u["estimate"]) == sorted(u["estimate"], reverse=True)
    ikm = views.ikm_units_frame(ctx)
    assert (ikm["n"] >= min_group).all()
    sa = views.sample_adequacy_frame(ctx)
    small = sa["respondents"].str.startswith("<")
    assert small.any()
    assert (sa.loc[~small, "respondents"].str.replace(",", "").astype(int) >= min_group).all()


def test_show_escapes_data_text_and_localises(fixture):
    en = views.open_report(fixture["results"], "35.75", 0, "en", MIN_GROUP)
    idn = views.open_report(fixture["results"], "35.75", 0, "id", MIN_GROUP)
    h_en, h_id = views.show(en, "units"), views.show(idn, "units")
    assert XSS_NAME not in h_en
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in h_en
    assert "Work unit" in h_en and "Unit kerja" in h_id
    assert "withheld" in h_en and "tidak ditampilkan" in h_id
    assert "units" in en.shown and "Work unit" in en.shown["units"].columns


def test_weakest_behaviours_are_the_lowest(fixture, ctx):
    w = views.weakest_behaviours_frame(ctx, k=4)
    cb = pd.read_parquet(fixture["results"] / "culture_behaviour.parquet")
    cb = cb[(cb["level"] == "government") & (cb["gov_code"] == "35.75") & (cb["wave"] == 2024)]
    assert list(w["behaviour"]) == list(cb.nsmallest(4, "estimate")["behaviour"])
    texts = {b.code: b.text_en for b in fw.BEHAVIOURS}
    assert list(w["behaviour_text"]) == [texts[c] for c in w["behaviour"]]


def test_ikm_elements_in_regulation_order(ctx):
    e = views.ikm_elements_frame(ctx)
    assert list(e["element"]) == [f"U{i}" for i in range(1, 10)]
    np.testing.assert_allclose(e["nrr_x25"], e["nrr"] * 25)
    assert e["band"].str[0].isin(list("ABCD")).all()


def test_programmes_and_effects(ctx):
    p = views.programmes_frame(ctx)
    assert list(p["date"]) == sorted(p["date"])
    assert p["scope"].iloc[0] == "Whole government"
    e = views.programme_effects_frame(ctx)
    assert set(e["estimator"]) == {"staggered_att", "twfe"}
    assert (e["ci_low"] <= e["estimate"]).all() and (e["estimate"] <= e["ci_high"]).all()


def test_national_frame_and_counts(fixture):
    ctx = views.open_report(fixture["results"], None, 0, "en", MIN_GROUP)
    nat = views.national_frame(ctx)
    assert sorted(nat["gov_code"]) == sorted(fixture["govs"])
    assert list(nat["estimate"]) == sorted(nat["estimate"], reverse=True)
    counts = views.category_counts_frame(ctx)
    assert counts["count"].sum() == len(nat)
    d = views.descriptives_frame(ctx)
    assert set(d["wave"]) == set(fixture["waves"]) and len(d) == 8 * len(fixture["waves"])


def test_missing_optional_table_gives_a_note(fixture, tmp_path):
    import shutil

    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    (res / "interventions.parquet").unlink()
    ctx = views.open_report(res, "35.75", 0, "en", MIN_GROUP)
    assert views.programmes_frame(ctx).empty
    assert "No data" in views.show(ctx, "programmes")


def test_save_outputs_writes_tables_and_figures(fixture, tmp_path):
    import openpyxl

    ctx = views.open_report(fixture["results"], "35.14", 0, "en", MIN_GROUP, tmp_path / "out")
    views.show(ctx, "units")
    views.show(ctx, "summary")
    img = views.figure(ctx, "value_profile")
    assert "alt='Seven-value profile'" in img
    png = base64.b64decode(img.split("base64,")[1].split("'")[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    views.save_outputs(ctx)
    csv = pd.read_csv(tmp_path / "out" / "tables" / "units.csv")
    assert list(csv.columns) == list(ctx.shown["units"].columns)
    wb = openpyxl.load_workbook(tmp_path / "out" / "tables" / "tables.xlsx")
    assert wb.sheetnames == ["units", "summary"]
    first = [c.value for c in wb["units"][2]]
    assert first[0] == csv.iloc[0, 0] and first[2] == pytest.approx(csv.iloc[0, 2])
    assert (tmp_path / "out" / "figures" / "value_profile.png").read_bytes() == png


def test_unknown_table_or_figure(ctx):
    with pytest.raises(ParameterError, match="No report table"):
        views.show(ctx, "nope")
    with pytest.raises(ParameterError, match="No report figure"):
        views.figure(ctx, "nope")


def test_no_respondent_table_is_read(fixture, ctx):
    for name in views.FRAMES:
        views.show(ctx, name)
    read = {name for name, _ in ctx._cache}
    assert "culture_responses" not in read and "skm_responses" not in read
    assert read <= set(store.catalog(fixture["results"]))


# -- i18n and plots -------------------------------------------------------------------


def test_every_string_in_both_languages():
    for key, (id_, en) in i18n.STRINGS.items():
        assert id_.strip() and en.strip(), key
        assert id_.count("{") == en.count("{"), key
    assert i18n.t("withheld", "en", k=2, m=10).startswith("2 units")
    with pytest.raises(ParameterError):
        i18n.t("report_title", "de")


def test_plots_return_figures_or_none(ctx):
    assert culture.value_profile(views.value_profile_frame(ctx).iloc[0:0]) is None
    fig = culture.unit_caterpillar(views.units_frame(ctx), lang="id")
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == len(views.units_frame(ctx))
    fig = culture.ikm_elements(views.ikm_elements_frame(ctx))
    assert len(fig.axes[0].patches) == 9
