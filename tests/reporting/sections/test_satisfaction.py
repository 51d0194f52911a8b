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
    assert sentence in html and _fmt(over["estimate"], 2) in html
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
    assert f"{_fmt(100 * share, 0)} %" in html
    fig = views.figure(ctx, "mediation", fmt="svg")
    assert "<img" in fig
    svg = ctx.figures[-1][2].decode()
    assert ("Work culture" if lang == "en" else "Budaya kerja") in svg
