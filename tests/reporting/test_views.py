"""Tests of reporting.views (the logic behind the report notebooks), i18n and plots.culture."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import framework as fw
from berakhlak_research import i18n, store
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.plots import culture
from berakhlak_research.reporting import outputs, views
from tests._data.report import MIN_GROUP, XSS_NAME, make_results


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


def _ci(fixture, aggregation, wave=2024, gov="35.75"):
    ci = pd.read_parquet(fixture["results"] / "culture_index.parquet")
    return ci[(ci["aggregation"] == aggregation) & (ci["wave"] == wave) & (ci["gov_code"] == gov)
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
        (ikm["aggregation"] == "government")
        & (ikm["gov_code"] == "35.75")
        & (ikm["period"] == 2024)
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
    cb = cb[
        (cb["aggregation"] == "government") & (cb["gov_code"] == "35.75") & (cb["wave"] == 2024)
    ]
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


def test_unit_clustered_effects_carry_a_caveat(fixture, tmp_path):
    """7 governments: the DiD intervals are clustered by unit, and the report says what
    that means, in both languages; with government clustering it says nothing."""
    import shutil

    for lang, words in (("en", "clustered by work unit"), ("id", "dihitung per unit kerja")):
        ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
        assert words in views.show(ctx, "programme_effects")
        assert words in views.show(ctx, "did_overall")
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    d = pd.read_parquet(res / "did_effects.parquet")
    d.assign(cluster="government").to_parquet(res / "did_effects.parquet")
    ctx = views.open_report(res, "35.75", 0, "en", MIN_GROUP)
    html = views.show(ctx, "programme_effects")
    assert "Staggered" in html or "staggered" in html
    assert "clustered by work unit" not in html


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
    # headers in the report's language, raw leftovers (ci_low...) translated on export
    assert list(csv.columns) == list(outputs.export_frame(ctx.shown["units"], "en").columns)
    wb = openpyxl.load_workbook(tmp_path / "out" / "tables" / "tables.xlsx")
    assert wb.sheetnames == ["Work units", "Summary", "Notes"]
    first = [c.value for c in wb["Work units"][2]]
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
    # tables asked for; optional ones absent from the store are asked for and found missing
    asked = {key[0] for key in ctx._cache}
    read = {key[0] for key, v in ctx._cache.items() if v is not None}
    assert "culture_responses" not in asked and "skm_responses" not in asked
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
    units = views.units_frame(ctx)
    drawn = {t.get_text() for t in fig.axes[0].texts}
    assert {s if len(s) <= 40 else s[:38] + "…" for s in units["unit_name"]} <= drawn
    fig = culture.ikm_elements(views.ikm_elements_frame(ctx))
    assert len(fig.axes[0].patches) == 9


# -- figures: formats, bytes written once, shared figures, layout ----------------------


def _img_bytes(img: str) -> tuple[str, bytes]:
    src = img.split("src='data:")[1].split("'")[0]
    mime, b64 = src.split(";base64,")
    return mime, base64.b64decode(b64)


def test_svg_figure_is_text_and_the_same_bytes_in_page_and_file(fixture, tmp_path):
    ctx = views.open_report(
        fixture["results"], "35.75", 0, "en", MIN_GROUP, tmp_path / "out", figure_format="svg"
    )
    shown = {}
    for name in ("value_profile", "unit_caterpillar", "ikm_elements", "priorities"):
        img = views.figure(ctx, name)
        assert "alt='" in img
        mime, data = _img_bytes(img)
        assert mime == "image/svg+xml" and b"<svg" in data[:400]
        shown[name] = data
    cat = shown["unit_caterpillar"].decode("utf-8")
    # text stays text (drawn by the browser), and text from data is escaped inside it
    assert "<text" in cat and "Dinas 1 Kota Pasuruan" in cat
    assert "<script" not in cat and "&lt;script&gt;" in cat
    # the small unit (n = 4) is drawn nowhere
    assert "Dinas 5 Kota Pasuruan" not in cat
    views.save_outputs(ctx)
    fdir = tmp_path / "out" / "figures"
    assert sorted(p.name for p in fdir.iterdir()) == sorted(f"{n}.svg" for n in shown)
    for name, data in shown.items():
        assert (fdir / f"{name}.svg").read_bytes() == data  # encoded once, written as shown
    # English figure, English labels; Indonesian figure, Indonesian labels
    idn = views.open_report(fixture["results"], "35.75", 0, "id", MIN_GROUP, figure_format="svg")
    _, id_profile = _img_bytes(views.figure(idn, "value_profile"))
    assert b"Peer median" in shown["value_profile"] and b"Median sejawat" in id_profile


def test_png_figures_on_request(fixture, tmp_path):
    ctx = views.open_report(fixture["results"], "35.75", 0, "en", MIN_GROUP, tmp_path / "o")
    assert ctx.figure_format == "png"  # the default outside the government report
    mime, data = _img_bytes(views.figure(ctx, "unit_caterpillar", fmt="png"))
    assert mime == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    views.save_outputs(ctx)
    assert (tmp_path / "o" / "figures" / "unit_caterpillar.png").read_bytes() == data
    with pytest.raises(ParameterError, match="Figure format 'gif'"):
        views.open_report(fixture["results"], "35.75", figure_format="gif")
    with pytest.raises(ParameterError, match="Figure format"):
        views.figure(ctx, "value_profile", fmt="jpg")


def test_svg_is_reproducible(fixture):
    a = views.open_report(fixture["results"], "35.14", 0, "en", MIN_GROUP, figure_format="svg")
    b = views.open_report(fixture["results"], "35.14", 0, "en", MIN_GROUP, figure_format="svg")
    for name in ("value_profile", "unit_caterpillar"):
        assert _img_bytes(views.figure(a, name)) == _img_bytes(views.figure(b, name))


def test_shared_figure_drawn_once_government_figures_per_government(fixture, tmp_path, monkeypatch):
    import shutil

    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    views._SHARED.clear()
    calls = []
    real = views.FIGURES["event_study"]
    monkeypatch.setitem(views.FIGURES, "event_study", lambda c: calls.append(c.gov_code) or real(c))
    figs = {}
    for gov in ("35.75", "35.14", "32.73"):
        ctx = views.open_report(res, gov, 0, "en", MIN_GROUP, figure_format="svg")
        figs[gov] = {
            n: _img_bytes(views.figure(ctx, n))[1] for n in ("event_study", "value_profile")
        }
    # the event study (national estimates) is drawn once and is the same in every report
    assert calls == ["35.75"]
    assert (
        figs["35.75"]["event_study"] == figs["35.14"]["event_study"] == figs["32.73"]["event_study"]
    )
    # what depends on the government is drawn for each and differs
    assert len({f["value_profile"] for f in figs.values()}) == 3
    # another language or format is another figure
    en_png = views.open_report(res, "35.75", 0, "en", MIN_GROUP, figure_format="png")
    idn = views.open_report(res, "35.75", 0, "id", MIN_GROUP, figure_format="svg")
    assert _img_bytes(views.figure(en_png, "event_study"))[0] == "image/png"
    _, id_event = _img_bytes(views.figure(idn, "event_study"))
    assert id_event != figs["35.75"]["event_study"] and len(calls) == 3
    # new model results (a rewritten did_effects) are drawn again
    d = store.read_table(res, "did_effects")
    store.write_table(res, "did_effects", d.assign(estimate=d["estimate"] + 1.0))
    again = views.open_report(res, "35.14", 0, "en", MIN_GROUP, figure_format="svg")
    assert _img_bytes(views.figure(again, "event_study"))[1] != figs["35.14"]["event_study"]
    assert calls[-1] == "35.14" and len(calls) == 4


def _inside(fig) -> None:
    """Every text of the figure lies inside it (nothing clipped at the edges)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # places the axis labels
    renderer = canvas.get_renderer()
    w, h = fig.bbox.width, fig.bbox.height
    ax = fig.axes[0]
    shown = []  # the tick labels drawn: those of ticks inside the view limits
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        for loc, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=True):
            if min(lo, hi) - 1e-9 <= loc <= max(lo, hi) + 1e-9:
                shown.append(label)
    texts = [*ax.texts, *shown, ax.xaxis.label, ax.yaxis.label]
    for t in texts:
        if not t.get_text() or not t.get_visible():
            continue
        bb = t.get_window_extent(renderer)
        assert bb.x0 >= -0.5 and bb.x1 <= w + 0.5, (t.get_text(), bb, w)
        assert bb.y0 >= -0.5 and bb.y1 <= h + 0.5, (t.get_text(), bb, h)


def test_figure_labels_fit_inside_the_figure():
    from berakhlak_research.plots import value_chain

    long = [f"Badan Perencanaan Pembangunan Daerah {i} dan Penelitian" for i in range(70)]
    est = np.linspace(40, 90, 70)
    units = pd.DataFrame({"unit_name": long, "estimate": est, "ci_low": est - 4,
                          "ci_high": est + 4})  # fmt: skip
    fig = culture.unit_caterpillar(units, lang="id")
    drawn = [t.get_text() for t in fig.axes[0].texts]
    assert sum(s.startswith("Badan Perencanaan") for s in drawn) == 70  # one label per unit
    assert all(len(s) <= 40 for s in drawn)
    _inside(fig)
    elements = pd.DataFrame({"element": [f"U{i}" for i in range(1, 10)],
                             "element_name": [e.name_id for e in fw.IKM_ELEMENTS_2017],
                             "nrr_x25": np.linspace(60, 95, 9)})  # fmt: skip
    _inside(culture.ikm_elements(elements))
    profile = pd.DataFrame({"value_name": [v.name_id for v in fw.VALUES], "estimate": 70.0,
                            "ci_low": 65.0, "ci_high": 75.0, "peer_median": 68.0,
                            "peer_q75": 72.0})  # fmt: skip
    _inside(culture.value_profile(profile))
    ipa = pd.DataFrame({"performance": np.linspace(60, 95, 9), "importance": np.linspace(0.2, 0.05, 9),
                        "quadrant": ["concentrate_here", "keep_up", "low_priority"] * 3,
                        "driver_label_id": [s[:40] for s in long[:9]],
                        "driver_label_en": long[:9]})  # fmt: skip
    _inside(value_chain.importance_performance_matrix(ipa))


def test_html_plain_text_form_is_short():
    from IPython.core.formatters import DisplayFormatter

    h = views.Html("<p>" + "x" * 100_000 + "</p>")
    data, _ = DisplayFormatter().format(h)
    assert data["text/html"] == h
    assert len(data["text/plain"]) < 60


def test_display_joins_html_runs_into_one_output(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown.extend(objs))
    frame = pd.DataFrame({"a": [1]})
    views.display(views.Html("<h2>A</h2>"), views.Html("<p>b</p>"), frame, views.Html("<p>c</p>"))
    # the HTML run before the frame is one output, the frame its own, then the last piece
    assert shown[0] == "<h2>A</h2><p>b</p>" and isinstance(shown[0], views.Html)
    assert shown[1] is frame
    assert shown[2] == "<p>c</p>" and isinstance(shown[2], views.Html)
    assert len(shown) == 3
    shown.clear()
    views.display()
    assert shown == []


# -- the per-worker cache of results tables ---------------------------------------------


def test_cached_tables_are_contiguous_and_slices_match_a_mask(fixture, tmp_path):
    import shutil

    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    # many small row groups, as a national table has: each column comes in many chunks
    ci = pd.read_parquet(res / "culture_index.parquet")
    ci.to_parquet(res / "culture_index.parquet", index=False, row_group_size=50)
    assert store.read_table(res, "culture_index")["gov_code"].array._pa_array.num_chunks > 5
    full = views._cached_table(res, "culture_index")
    assert full["gov_code"].array._pa_array.num_chunks == 1
    pd.testing.assert_frame_equal(full, ci)
    for gov in [*fixture["govs"], "35", "99.99"]:
        got = views._gov_slice(full, gov)
        want = full[full["gov_code"] == gov]
        pd.testing.assert_frame_equal(got, want)
    # one contiguous run comes back as a slice (a view); several runs in row order
    units = views._cached_table(res, "units")
    assert views._gov_slice(units, "35.14").index.is_monotonic_increasing


def test_government_lists_follow_a_rewritten_index(fixture, tmp_path):
    import shutil

    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    wave = views.latest_wave(res)
    before = views.governments_with_results(res, wave)
    assert "35.75" in before
    ci = store.read_table(res, "culture_index")
    store.write_table(res, "culture_index", ci[ci["gov_code"] != "35.75"])
    after = views.governments_with_results(res, wave)
    assert after == [g for g in before if g != "35.75"]
    with pytest.raises(ParameterError, match="no results"):
        views.validate_parameters("35.75", results_dir=res)


def test_aggregation_slices_cache_only_that_aggregation(fixture, ctx):
    views._TABLES.clear()
    gov = ctx.table("culture_behaviour", aggregation="government")
    assert set(gov["aggregation"]) == {"government"} and set(gov["gov_code"]) == {"35.75"}
    cached = [k for k in views._TABLES if k[0].endswith("culture_behaviour.parquet")]
    assert [k[-1] for k in cached] == ["government"]  # the unit rows were never loaded
    everything = store.read_table(fixture["results"], "culture_behaviour")
    want = everything[(everything["aggregation"] == "government") & (everything["gov_code"] == "35.75")
                      & (everything["wave"] == ctx.wave)]  # fmt: skip
    pd.testing.assert_frame_equal(gov.reset_index(drop=True), want.reset_index(drop=True))
    with pytest.raises(TypeError, match=r"table\(\): level= was renamed aggregation="):
        ctx.table("culture_behaviour", level="government")
    # a table without an aggregation column is read whole
    assert len(ctx.table("units", scope="all", aggregation="government")) == len(
        store.read_table(fixture["results"], "units")
    )
