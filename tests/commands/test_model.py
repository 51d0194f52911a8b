"""`berakhlak model` end to end on simulated processed tables: panels, DiD, power, value chain."""

import pytest

from berakhlak_research import store
from berakhlak_research.cli import main


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, demo_sim):
    sim = demo_sim
    root = tmp_path_factory.mktemp("model")
    (root / "processed").mkdir()
    for name in ("units", "culture_responses", "interventions", "skm_responses"):
        sim.tables[name].to_parquet(root / "processed" / f"{name}.parquet")
    return root, sim.truth


def test_model_command_writes_tables_and_recovers_the_truth(data_dir, tmp_path):
    root, truth = data_dir
    out = tmp_path / "results"
    assert main(["model", str(root), "--out", str(out), "--n-boot", "199", "--seed", "1"]) == 0
    names = set(store.catalog(out))
    assert {"did_effects", "did_pretrend", "power_mde", "value_chain_paths"} <= names
    assert {"key_drivers", "importance_performance", "unit_effects"} <= names
    # The panels carry unsuppressed unit figures and stay out of the store.
    assert not {"unit_panel", "gov_panel"} & names

    eff = store.read_table(out, "did_effects")
    pick = (eff["outcome"] == "culture_overall") & (eff["panel"] == "unit")
    pick &= eff["aggregation"] == "overall"
    cs = eff[pick & (eff["estimator"] == "staggered_att")].iloc[0]
    tw = eff[pick & (eff["estimator"] == "twfe")].iloc[0]
    true_att = truth["did"]["att_overall"]
    assert cs["ci_low"] <= true_att <= cs["ci_high"]
    # TWFE is biased under effects that grow with time since treatment.
    assert abs(tw["estimate"] - true_att) > abs(cs["estimate"] - true_att)

    # 7 governments (few_clusters_policy): wild-bootstrap rows are the ones to read.
    pol = store.read_table(out, "inference_policy")
    assert pol["few"].all() and set(pol["caveat"]) == {"few_clusters"}
    wild = eff[pick & eff["preferred"] & (eff["estimator"] == "staggered_att")]
    assert list(wild["inference"]) == ["wild_cluster_bootstrap"]
    assert wild["ci_low"].iloc[0] <= true_att <= wild["ci_high"].iloc[0]

    paths = store.read_table(out, "value_chain_paths").set_index("path")
    ind = paths.loc["indirect"]
    assert ind["ci_low"] <= truth["value_chain"]["indirect"] <= ind["ci_high"]


def test_model_command_needs_ingested_data(tmp_path, capsys):
    assert main(["model", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "processed does not exist" in err and "berakhlak ingest" in err
    (tmp_path / "processed").mkdir()
    assert main(["model", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "units.parquet is missing" in err and "berakhlak ingest" in err
    assert not (tmp_path / "r").exists()
