"""`berakhlak measure` end to end on small processed tables: tables, columns, suppression."""

import pytest

from berakhlak_research import store
from berakhlak_research.cli import main
from tests._data.measure import culture_sample, skm_sample

CONTRACT = {
    "culture_index": ["aggregation", "gov_code", "unit_code", "wave", "value", "scoring", "estimate", "se",
                      "ci_low", "ci_high", "n", "category", "category_label_id", "category_label_en",
                      "category_confirmed", "suppressed", "suppression_reason"],
    "culture_behaviour": ["aggregation", "gov_code", "unit_code", "wave", "behaviour", "scoring", "estimate",
                          "se", "ci_low", "ci_high", "n", "category", "category_label_id",
                          "category_label_en", "category_confirmed", "suppressed",
                          "suppression_reason"],
    "culture_benchmarks": ["gov_code", "wave", "kind", "value", "estimate", "rank_kind", "n_kind",
                           "rank_national", "n_national", "peer_median_kind", "peer_q75_kind",
                           "peer_median_national", "peer_q75_national", "change", "change_se",
                           "change_ci_low", "change_ci_high", "change_p_value"],
    "ikm": ["aggregation", "gov_code", "unit_code", "period", "method_version", "ikm_interval", "estimate",
            "se", "ci_low", "ci_high", "n", "band", "band_label_id", "band_label_en", "suppressed",
            "suppression_reason"],
    "ikm_elements": ["aggregation", "gov_code", "unit_code", "period", "element", "element_name_id",
                     "element_name_en", "total", "nrr", "nrr_weighted", "nrr_x25", "band", "n"],
    "sample_adequacy": ["gov_code", "unit_code", "period", "population", "required", "respondents",
                        "adequate"],
    "suppression": ["table", "aggregation", "gov_code", "unit_code", "wave", "n", "reason"],
}  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("measure")
    processed = root / "data" / "processed"
    processed.mkdir(parents=True)
    resp, units = culture_sample(resp=(3, 30))
    units["unit_name"] = units["unit_code"]
    units["unit_type"] = "dinas"
    # 11.01 has no public-facing unit: it has culture data but no SKM responses.
    units["public_facing"] = units["gov_code"] != "11.01"
    units.to_parquet(processed / "units.parquet")
    resp.to_parquet(processed / "culture_responses.parquet")
    skm = skm_sample(units=(("35.75", "U0"), ("35.75", "U1"), ("35.14", "U0")), resp=(5, 40))
    skm.to_parquet(processed / "skm_responses.parquet")
    out = root / "results"
    code = main(
        ["measure", str(root / "data"), "--out", str(out), "--min-group", "10", "--bootstrap", "20"]
    )
    assert code == 0
    return out, resp


def test_contract_tables_and_columns(results):
    out, _ = results
    for name, cols in CONTRACT.items():
        df = store.read_table(out, name)
        missing = [c for c in cols if c not in df.columns]
        assert not missing, (name, missing)
    cat = store.catalog(out)
    assert {"culture_index", "ikm", "suppression", "survey_weights"} <= set(cat)


def test_catalogue_lists_every_table_written_with_its_hash(results):
    """The largest table is written early, beside the forked side tables, in its own
    write call; the catalogue still lists every file with its rows and hash."""
    out, _ = results
    cat = store.catalog(out)
    files = {p.stem for p in out.glob("*.parquet")}
    assert set(cat) == files and "culture_behaviour" in files
    for name, entry in cat.items():
        assert entry["sha256"] == store.file_sha256(out / f"{name}.parquet"), name
        assert entry["rows"] == len(store.read_table(out, name)), name
    assert not list(out.glob("*.tmp"))


def test_slices_and_suppression(results):
    out, resp = results
    ci = store.read_table(out, "culture_index", gov_code="35.75", wave=2024)
    assert set(ci["gov_code"]) == {"35.75"} and set(ci["wave"]) == {2024}
    sup = store.read_table(out, "suppression")
    units_ci = store.read_table(out, "culture_index")
    withheld = units_ci[units_ci["suppressed"]]
    assert withheld["estimate"].isna().all()
    assert len(sup) > 0 and (sup["n"] < 10).all()
    # Government with no public-facing unit: culture figures, no IKM rows.
    ikm = store.read_table(out, "ikm")
    assert "11.01" not in set(ikm["gov_code"]) and "11.01" in set(units_ci["gov_code"])
    gov = units_ci.query(
        "aggregation == 'government' and value == 'overall' and scoring == 'favourable'"
    )
    assert gov["boot_se"].notna().all()


def test_min_group_below_floor_fails(tmp_path, results):
    out, _ = results
    data = out.parent / "data"
    assert main(["measure", str(data), "--out", str(tmp_path / "r"), "--min-group", "4"]) == 2


def test_missing_processed_folder(tmp_path):
    assert main(["measure", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
