"""Satisfaction sections: the primary culture-IKM model, the other models, mediation."""

from __future__ import annotations

import pandas as pd
import pytest

from berakhlak_research.reporting import views
from berakhlak_research.reporting.sections._html import _fmt
from tests._data.report import MIN_GROUP


@pytest.mark.parametrize("lang", ["en", "id"])
def test_body_shows_one_labelled_model_and_reads_its_slope(fixture, lang):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    lk = views.link_frame(ctx)
    raw = pd.read_parquet(fixture["results"] / "culture_ikm_link.parquet")
    primary = raw[raw["model"] == views.PRIMARY_LINK_MODEL]
    assert set(lk["model"]) == {views.PRIMARY_LINK_MODEL} and len(lk) == len(primary) == 8
    assert lk["model_name"].str.len().gt(0).all() and lk["model_name"].nunique() == 1
    over = primary.set_index("value").loc["overall"]
    html = views.show(ctx, "culture_ikm_link")
    sentence = "one point more culture index goes with" if lang == "en" else "satu poin indeks"
    assert sentence in html and _fmt(over["estimate"], 2, lang=lang) in html
    assert "within_unit" not in html  # labels, not codes
    models = views.link_models_frame(ctx)
    assert set(models["model"]) == set(raw["model"])
    assert models.groupby("model")["model_name"].nunique().eq(1).all()
    assert models["model_name"].nunique() == raw["model"].nunique()
    # every model present is described in the methods notes
    assert len(models.attrs["notes"]) == raw["model"].nunique()


@pytest.mark.parametrize("lang", ["en", "id"])
def test_mediation_paths_labelled_with_indirect_share(fixture, lang):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    vc = views.value_chain_frame(ctx)
    raw = pd.read_parquet(fixture["results"] / "value_chain_paths.parquet").set_index("path")
    assert list(vc["path"]) == ["a", "b", "direct", "indirect", "total"]
    assert vc["path_name"].str.contains("→").all()
    share = raw.loc["indirect", "estimate"] / raw.loc["total", "estimate"]
    assert vc.attrs["indirect_share"] == pytest.approx(share)
    html = views.show(ctx, "value_chain")
    assert f"{_fmt(100 * share, 0, lang=lang)} %" in html
    fig = views.figure(ctx, "mediation", fmt="svg")
    assert "<img" in fig
    svg = ctx.figures[-1][2].decode()
    assert ("Work culture" if lang == "en" else "Budaya kerja") in svg


@pytest.mark.parametrize("lang", ["en", "id"])
def test_priorities_apart_and_classified_only_when_separated(fixture, lang):
    from berakhlak_research import framework as fw

    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    cul, srv = views.priorities_frame(ctx), views.service_priorities_frame(ctx)
    assert set(cul["driver"]) == set(fw.VALUE_CODES)
    assert set(srv["driver"]) == {e.code for e in fw.IKM_ELEMENTS_2017}
    for f in (cul, srv):
        equal = 1 / len(f)
        assert f.attrs["equal_share"] == pytest.approx(equal)
        sep = (f["ci_low"] > equal) | (f["ci_high"] < equal)
        assert (f["separated"] == sep).all()
        unclear = "no priority" if lang == "en" else "belum dapat diprioritaskan"
        assert f.loc[~sep, "priority"].str.contains(unclear).all()
        assert not f.loc[sep, "priority"].str.contains(unclear).any()
        assert (f["ci_low"] <= f["importance"]).all() and (f["importance"] <= f["ci_high"]).all()
    html_c, html_s = views.show(ctx, "priorities"), views.show(ctx, "service_priorities")
    assert ("1/7" in html_c) and ("1/9" in html_s)  # the scoring stated
    # the two tables never mix: no element in the culture table, no value in the service one
    assert not any(e.name_en in html_c or e.name_id in html_c for e in fw.IKM_ELEMENTS_2017)
    for name in ("priorities", "service_priorities"):
        assert "<img" in views.figure(ctx, name, fmt="png")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_mediation_quotes_the_randomisation_test_when_the_store_has_it(fixture, lang, tmp_path):
    """Government-wide timing gives randomisation rows (the fixture's demo timing varies
    within governments, so they are computed here on a panel with one timing per
    government and added to a copy of the results): the report quotes their p-values,
    while the table keeps the preferred rows."""
    import shutil

    from berakhlak_research.framework import VALUE_CODES
    from berakhlak_research.keys import unit_key
    from berakhlak_research.models.value_chain import CULTURE_COLUMNS, mediation_randomization
    from berakhlak_research.reporting import numbers
    from tests._data.chain import value_chain_fixture

    panel = value_chain_fixture(1, n_gov=8, units_per_gov=6)
    ri = mediation_randomization(
        panel.assign(_unit=unit_key(panel)), "culture_overall", "ikm", "gov_code", time="wave",
        first_treated="first_treated", fixed_effects=["_unit"],
        mediators=[CULTURE_COLUMNS[v] for v in VALUE_CODES],
    )  # fmt: skip
    results = tmp_path / "results"
    shutil.copytree(fixture["results"], results)
    path = results / "value_chain_paths.parquet"
    raw = pd.read_parquet(path)
    if "method" not in raw:  # the shape the pipeline writes: a method and a preferred row
        raw = raw.assign(method="cr1", preferred=True)
    extra = ri.drop(columns=["n_draws", "exact"]).assign(preferred=False)
    pd.concat([raw, extra], ignore_index=True).to_parquet(path)
    ctx = views.open_report(results, "35.75", 0, lang, MIN_GROUP)
    vc = views.value_chain_frame(ctx)
    assert list(vc["path"]) == ["a", "b", "direct", "indirect", "total"]  # preferred rows only
    html = views.show(ctx, "value_chain")
    p_ind = numbers.p_value(float(ri.set_index("path").loc["indirect", "p_value"]), lang)
    assert ("Randomisation test" if lang == "en" else "Uji randomisasi") in html
    assert p_ind in html and "8" in html
