"""The results store: the aggregation column is ``aggregation``, and nothing older is misread."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from berakhlak_research import store
from berakhlak_research.exceptions import FileProblem

#: Tables that hold several aggregations (national ... unit; overall, cohort, ...).
AGGREGATED = (
    "culture_index",
    "culture_behaviour",
    "ikm",
    "ikm_elements",
    "suppression",
    "did_effects",
    "did_dose",
)


def test_demo_results_name_the_aggregation_column_aggregation(demo_study):
    results = demo_study / "work" / "results"
    names = sorted(p.stem for p in results.glob("*.parquet"))
    assert set(AGGREGATED) <= set(names)  # guards the test: the demo writes every one
    with_level = [n for n in names if "level" in pq.read_schema(results / f"{n}.parquet").names]
    assert not with_level, f"results tables with a column 'level': {with_level}"
    for name in AGGREGATED:
        assert "aggregation" in pq.read_schema(results / f"{name}.parquet").names, name
        assert "aggregation" in store.catalog(results)[name]["columns"], name
    gov = store.read_table(results, "culture_index", aggregation="government")
    assert len(gov) and set(gov["aggregation"]) == {"government"}
    overall = store.read_table(results, "did_effects", aggregation="overall")
    assert len(overall) and set(overall["aggregation"]) == {"overall"}


def test_a_table_written_before_the_rename_is_refused(tmp_path):
    old = pd.DataFrame({"level": ["government", "unit"], "gov_code": ["35.75"] * 2,
                        "wave": [2024, 2024], "estimate": [70.0, 68.0]})  # fmt: skip
    old.to_parquet(tmp_path / "culture_index.parquet", index=False)
    for kwargs in ({}, {"gov_code": "35.75", "wave": 2024}, {"columns": ["gov_code"]},
                   {"aggregation": "government"}, {"contiguous": True}):  # fmt: skip
        with pytest.raises(FileProblem, match="berakhlak measure") as err:
            store.read_table(tmp_path, "culture_index", **kwargs)
        msg = str(err.value)
        assert "older version" in msg and "'level'" in msg and "berakhlak model" in msg
        assert err.value.path == str(tmp_path / "culture_index.parquet")


def test_a_table_of_the_current_layout_reads(tmp_path):
    new = pd.DataFrame({"aggregation": ["government", "unit"], "gov_code": ["35.75"] * 2})
    store.write_table(tmp_path, "culture_index", new)
    got = store.read_table(tmp_path, "culture_index", aggregation="unit")
    assert got.to_dict("list") == {"aggregation": ["unit"], "gov_code": ["35.75"]}


def test_read_table_level_keyword_names_aggregation(tmp_path):
    store.write_table(tmp_path, "ikm", pd.DataFrame({"aggregation": ["unit"]}))
    with pytest.raises(TypeError, match=r"read_table\(\): level= was renamed aggregation="):
        store.read_table(tmp_path, "ikm", level="unit")
