"""The data layer reads the simulator's raw exports: clean ones fully, messy ones exactly."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from berakhlak_research.io import ingest, validate_paths
from tests._data.io_files import hashes

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("berakhlak_research.simulate") is None,
    reason="the simulator is not part of this version",
)
SEED = 20230515


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from berakhlak_research.simulate import simulate

    root = tmp_path_factory.mktemp("sim")
    simulate("demo", seed=SEED, out=root / "raw")
    simulate("demo", seed=SEED, out=root / "messy", messy=True)
    return root


def test_demo_output_ingests_without_rejections(demo, tmp_path):
    before = hashes(demo / "raw")
    res = ingest(demo / "raw", tmp_path / "data", progress=False)
    assert hashes(demo / "raw") == before
    assert res.exit_code == 0, res.problems.head(20)
    t = res.log["totals"]
    assert t["rows_read"] == t["rows_accepted"] > 0 and t["rows_rejected"] == 0
    truth = json.loads((demo / "raw" / "truth.json").read_text())
    sizes = truth["sizes"]
    assert len(res.tables["culture_responses"]) == sizes["culture_responses"]
    assert len(res.tables["skm_responses"]) == sizes["skm_responses"]
    assert len(res.tables["units"]) == sizes["units"]
    assert (tmp_path / "data" / "processed" / "culture_responses.parquet").is_file()


# The simulator describes its defects in words; these are the data layer's rule ids.
_RULE_OF = {
    "out_of_range": "answer_range",
    "label_typo": "unknown_label",
    "duplicate": "duplicate_key",
    "unknown_unit": "unknown_unit",
    "unknown_government": "unknown_government",
    "future_date": "date_future",
}


def test_messy_output_rejects_exactly_the_listed_defects(demo):
    from berakhlak_research.simulate._messy import RULES

    by_text = {RULES[k]: v for k, v in _RULE_OF.items()}
    defects = json.loads((demo / "messy" / "defects.json").read_text())
    expected = set()
    for d in defects:
        if d["expect"] == "reject":
            # Both copies of a duplicated key are rejected: neither can be trusted.
            for row in d.get("rows", [d["row"]]):
                expected.add((d["file"], int(row), by_text[d["rule"]]))
    res = validate_paths([demo / "messy"], progress=False)
    pr = res.problems
    got = set(zip(pr["file"], pr["row"].astype(int), pr["rule"], strict=True))
    assert got == expected
    assert res.rows_rejected == len({(f, r) for f, r, _ in expected})
    t = res.log["totals"]
    assert t["rows_read"] == t["rows_accepted"] + t["rows_rejected"]


def test_swapped_skm_columns_are_read_by_name(demo):
    """The messy file with U8/U9 swapped gives the same answers as the clean one."""
    defects = json.loads((demo / "messy" / "defects.json").read_text())
    swapped = [d for d in defects if d["expect"] == "accept"]
    assert swapped
    name = swapped[0]["file"]
    clean = validate_paths([demo / "raw" / name], table="skm_responses", progress=False)
    messy = validate_paths([demo / "messy" / name], table="skm_responses", progress=False)
    a = clean.tables["skm_responses"].set_index("response_id")
    b = messy.tables["skm_responses"].set_index("response_id")
    common = b.index.intersection(a.index)
    assert len(common) > 0.9 * len(a)
    pd.testing.assert_frame_equal(a.loc[common, ["U8", "U9"]], b.loc[common, ["U8", "U9"]])
