"""The synthetic-data flag: from the simulator's folder through ingest and measure to the banner."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from berakhlak_research import pipeline, store
from berakhlak_research.io.ingest import from_simulator
from berakhlak_research.reporting import views
from tests._data.report import MIN_GROUP


def test_from_simulator_reads_the_generator_in_truth_json(tmp_path):
    assert not from_simulator(tmp_path)
    (tmp_path / "truth.json").write_text(json.dumps({"generator": "someone else"}))
    assert not from_simulator(tmp_path)
    (tmp_path / "truth.json").write_text(json.dumps({"generator": "berakhlak_research.simulate"}))
    assert from_simulator(tmp_path)
    (tmp_path / "a.csv").write_text("x\n1\n")
    assert from_simulator(tmp_path / "a.csv")  # a single file: its folder decides
    (tmp_path / "truth.json").write_text("{not json")
    assert not from_simulator(tmp_path)


@pytest.mark.parametrize(("log", "expected"), [
    ({"synthetic": True}, (True, "simulator")),
    ({"synthetic": False}, (False, "ingest")),
    (None, (False, "unknown")),
])  # fmt: skip
def test_data_origin_from_the_ingest_log(tmp_path, log, expected):
    if log is not None:
        (tmp_path / "interim").mkdir()
        (tmp_path / "interim" / "ingest-log.json").write_text(json.dumps(log))
    d = pipeline.data_origin(tmp_path)
    assert (bool(d["synthetic"].iloc[0]), d["source"].iloc[0]) == expected


@pytest.fixture()
def synthetic_results(fixture, tmp_path):
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    store.write_table(
        res, "data_origin", pd.DataFrame({"synthetic": [True], "source": ["simulator"]})
    )
    return res


@pytest.mark.parametrize("lang", ["id", "en"])
def test_banner_on_synthetic_results_only(fixture, synthetic_results, lang):
    plain = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    assert not plain.synthetic and not views.is_synthetic(fixture["results"])
    assert "berakhlak-synthetic" not in views.title(plain)
    ctx = views.open_report(synthetic_results, "35.75", 0, lang, MIN_GROUP)
    assert ctx.synthetic
    head = views.title(ctx)
    word = "DATA SINTETIS" if lang == "id" else "SYNTHETIC DATA"
    assert head.startswith("<div class='berakhlak-synthetic'") and word in head
    # the national context (overview, quality notebooks) carries it too
    assert word in views.title(views.open_report(synthetic_results, None, 0, lang, MIN_GROUP))
