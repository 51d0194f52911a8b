"""Methods and data-quality sections: sample adequacy of SKM respondents."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from berakhlak_research import store
from berakhlak_research.reporting import views
from tests._data.report import MIN_GROUP


@pytest.mark.parametrize("lang", ["en", "id"])
def test_adequacy_without_population_is_unknown(fixture, tmp_path, lang):
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    sa = pd.read_parquet(res / "sample_adequacy.parquet")
    mine = sa["gov_code"] == "35.75"
    first = sa.index[mine][0]
    sa["population"] = sa["population"].astype("Int64")
    sa.loc[mine & (sa.index != first), "population"] = pd.NA
    sa.loc[mine & (sa.index != first), "adequate"] = False
    store.write_table(res, "sample_adequacy", sa)
    ctx = views.open_report(res, "35.75", 0, lang, MIN_GROUP)
    f = views.sample_adequacy_frame(ctx)
    unknown = {"en": "unknown", "id": "tidak diketahui"}[lang]
    pop_unknown = {"en": "population unknown", "id": "populasi tidak diketahui"}[lang]
    no = {"en": "no", "id": "tidak"}[lang]
    rows = f["population"] == pop_unknown
    assert rows.sum() >= 1
    assert (f.loc[rows, "adequate"] == unknown).all() and (f.loc[rows, "required"] == "—").all()
    assert not (f.loc[rows, "adequate"] == no).any()
    html = views.show(ctx, "sample_adequacy")
    assert ("SKM respondents" if lang == "en" else "responden SKM") in html
