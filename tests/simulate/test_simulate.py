"""Tests of the simulator: shape, determinism, calibration, and that the truth is the truth."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import BEHAVIOUR_CODES, VALUE_CODES, behaviours_of
from berakhlak_research.simulate import _generate as G
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate import simulate
from berakhlak_research.tables import TABLES

DEMO_SEED = 20230515


@lru_cache(maxsize=4)
def _demo(seed: int = DEMO_SEED):
    return simulate("demo", seed=seed)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _percent_favourable(df: pd.DataFrame) -> dict[str, float]:
    """Independent computation with pandas: a respondent's value score is the share of the
    value's answered items that are 4 or 5; the value's percent favourable is the weighted
    mean of those scores (survey weight), the overall the mean of the seven values."""
    w = df["weight"].to_numpy(float)
    out = {}
    for v in VALUE_CODES:
        items = df[list(behaviours_of(v))].to_numpy(dtype=float, na_value=np.nan)
        answered = (~np.isnan(items)).sum(axis=1)
        ok = answered > 0
        score = np.zeros(len(items))
        score[ok] = (items[ok] >= 4).sum(axis=1) / answered[ok]
        out[v] = float(np.sum(score[ok] * w[ok]) / np.sum(w[ok]) * 100)
    out["overall"] = float(np.mean([out[v] for v in VALUE_CODES]))
    return out


# --- shape and contract ------------------------------------------------------------


def test_demo_tables_have_canonical_columns_and_dtypes():
    sim = _demo()
    assert set(sim.tables) == set(TABLES)
    for name, df in sim.tables.items():
        t = TABLES[name]
        assert list(df.columns) == list(t.column_names), name
        for c in t.columns:
            assert str(df[c.name].dtype).lower().startswith(c.dtype.lower()[:3]), (name, c.name)
    cr = sim["culture_responses"]
    assert 10_000 <= len(cr) <= 25_000
    assert cr[list(BEHAVIOUR_CODES)].stack().between(1, 5).all()
    assert str(cr["BP1"].dtype) == "Int8"
    assert set(cr["wave"].unique()) == set(P.WAVES)
    assert {"35.75", "35.14"} <= set(sim["units"]["gov_code"])
    assert not cr.duplicated(["respondent_id", "wave"]).any()
    skm = sim["skm_responses"]
    assert skm[["U1", "U9"]].stack().between(1, 4).all()
    # every SKM unit is public facing and known
    units = sim["units"].set_index(["gov_code", "unit_code"])
    pf = units.loc[pd.MultiIndex.from_frame(skm[["gov_code", "unit_code"]]), "public_facing"]
    assert pf.all()
    # item missingness is MCAR at about 2 %
    miss = cr[list(BEHAVIOUR_CODES)].isna().to_numpy().mean()
    assert 0.01 < miss < 0.03


def test_interventions_staggered_and_whole_government():
    sim = _demo()
    ev = sim["interventions"]
    assert ev["event_id"].is_unique
    assert ev["unit_code"].isna().any()  # whole-government events
    assert set(ev["stage"].dropna().unique()) <= set(range(1, 8))
    pas = ev[(ev["gov_code"] == "35.75") & ev["unit_code"].isna()].sort_values("date")
    assert pas["date"].iloc[0] == pd.Timestamp("2023-05-15")
    assert pas["kind"].iloc[0] == "aktivasi"
    # first_treated in the truth = year of the unit's first event (unit or whole government)
    uw = sim.unit_waves.drop_duplicates(["gov_code", "unit_code"])
    first_unit = ev.dropna(subset=["unit_code"]).groupby(["gov_code", "unit_code"])["date"].min()
    first_gov = ev[ev["unit_code"].isna()].groupby("gov_code")["date"].min()
    fu = pd.MultiIndex.from_frame(uw[["gov_code", "unit_code"]]).map(
        lambda k: first_unit.get(k, pd.NaT)
    )
    fg = uw["gov_code"].map(first_gov)
    first = pd.concat([pd.Series(fu, index=uw.index), fg], axis=1).min(axis=1).dt.year
    assert (first.fillna(0).astype(int).to_numpy() == uw["first_treated"].to_numpy()).all()
    cohorts = sim.truth["did"]["cohorts"]
    assert set(cohorts) == {"never", "2023", "2024", "2025"}


def test_unknown_scale_and_bad_seed_raise():
    with pytest.raises(ParameterError, match="scale"):
        simulate("galaxy")
    with pytest.raises(ParameterError, match="seed"):
        simulate("demo", seed="abc")


def test_national_structure_has_target_size():
    st = G.build_structure(P.SCALES["national"], P.default_params(), 0)
    assert len(st.govs) == 552
    assert 37_000 <= len(st.units) <= 43_000
    assert 4.0e6 <= st.n_resp.sum() <= 4.6e6


# --- determinism -------------------------------------------------------------------


def test_same_seed_same_tables_other_seed_other_tables():
    a = simulate("demo", seed=5)
    b = simulate("demo", seed=5)
    c = simulate("demo", seed=6)
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert a.truth == b.truth
    assert not a["culture_responses"]["BP1"].equals(c["culture_responses"]["BP1"])


def test_same_seed_gives_byte_identical_files(tmp_path):
    simulate("demo", seed=11, out=tmp_path / "a", messy=True)
    simulate("demo", seed=11, out=tmp_path / "b", messy=True)
    ha, hb = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert ha == hb
    assert any(n.endswith(".xlsx") for n in ha) and "truth.json" in ha
    truth_a = json.loads((tmp_path / "a" / "truth.json").read_text())
    assert truth_a["did"] != simulate("demo", seed=12).truth["did"]


# --- calibration -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [DEMO_SEED, 0, 7])
def test_kota_pasuruan_2023_lands_on_the_published_figures(seed):
    sim = _demo(seed)
    cr = sim["culture_responses"]
    pf = _percent_favourable(cr[(cr["gov_code"] == "35.75") & (cr["wave"] == 2023)])
    # Tolerance 0.5 points: the government effect is calibrated on the realised sample.
    assert abs(pf["overall"] - 61.8) <= 0.5
    assert abs(pf["AD"] - 39.8) <= 0.5
    pub = sim["published_culture"].set_index(["gov_code", "wave"]).loc[("35.75", 2023)]
    assert abs(pub["overall"] - pf["overall"]) <= 0.051  # published = microdata, 1 decimal
    assert abs(pub["AD"] - pf["AD"]) <= 0.051


def test_thresholds_reproduce_national_2022_in_expectation():
    from scipy.special import ndtr

    p = P.default_params()
    tau = p.thresholds()
    expect = 1 - ndtr(tau[:, 2])  # latent response ~ N(0, 1) in 2022
    target = np.array([P.NATIONAL_2022[VALUE_CODES[i]] for i in p.item_value_index()]) / 100
    np.testing.assert_allclose(expect, target, atol=1e-12)
    assert np.all(np.diff(tau, axis=1) > 0)


@pytest.mark.slow
def test_province_2022_percent_favourable_resembles_national_2022():
    sim = simulate("province", seed=3)
    cr = sim["culture_responses"]
    pf = _percent_favourable(cr[cr["wave"] == 2022])
    for v in VALUE_CODES:
        assert abs(pf[v] - P.NATIONAL_2022[v]) <= 3.0, v  # 39 governments: SE about 1 point
    assert min(VALUE_CODES, key=pf.get) == "AD"
    assert max(VALUE_CODES, key=pf.get) == "AK"


def test_demo_2022_ordering_adaptif_lowest_akuntabel_highest():
    cr = _demo()["culture_responses"]
    pf = _percent_favourable(cr[cr["wave"] == 2022])
    assert min(VALUE_CODES, key=pf.get) == "AD"
    assert max(VALUE_CODES, key=pf.get) == "AK"
    for v in VALUE_CODES:  # 7 governments: looser
        assert abs(pf[v] - P.NATIONAL_2022[v]) <= 8.0, v


# --- the truth ---------------------------------------------------------------------


def _unit_index_from_microdata(cr: pd.DataFrame) -> pd.DataFrame:
    """Unit culture index (mean scoring) computed independently with pandas."""
    x = (cr[list(BEHAVIOUR_CODES)].astype("float64") - 1) * 25
    vals = pd.DataFrame({v: x[list(behaviours_of(v))].mean(axis=1) for v in VALUE_CODES})
    vals["overall"] = vals.mean(axis=1)
    vals[["gov_code", "unit_code", "wave"]] = cr[["gov_code", "unit_code", "wave"]]
    return vals.groupby(["gov_code", "unit_code", "wave"]).mean()


def test_observed_unit_culture_equals_the_microdata_index():
    sim = _demo()
    mine = _unit_index_from_microdata(sim["culture_responses"])
    uw = sim.unit_waves.set_index(["gov_code", "unit_code", "wave"])
    for v in [*VALUE_CODES, "overall"]:
        np.testing.assert_allclose(
            uw.loc[mine.index, f"culture_{v}"].to_numpy(), mine[v].to_numpy(), atol=1e-9
        )
    # the observed outcome is Y(1) where treated and Y(0) elsewhere
    tr = uw["treated"].to_numpy()
    np.testing.assert_allclose(uw["culture_overall"][tr], uw["y1_overall"][tr])
    np.testing.assert_allclose(uw["culture_overall"][~tr], uw["y0_overall"][~tr])
    assert uw["y1_overall"][~tr].isna().all()


def test_did_truth_agrees_with_potential_outcomes():
    sim = _demo()
    uw, did = sim.unit_waves, sim.truth["did"]
    tr = uw[(uw["first_treated"] > 0) & (uw["wave"] >= uw["first_treated"])]
    d = tr["y1_overall"] - tr["y0_overall"]
    assert did["att_overall"] == pytest.approx(d.mean(), abs=1e-12)
    assert did["n_treated_unit_waves"] == len(tr)
    for g, v in did["att_by_cohort"].items():
        assert v == pytest.approx(d[tr["first_treated"] == int(g)].mean(), abs=1e-12)
    for e, v in did["att_by_event_time"].items():
        assert v == pytest.approx(d[(tr["wave"] - tr["first_treated"]) == int(e)].mean(), abs=1e-12)
    # effects differ by cohort and grow with time since treatment
    et = [did["att_by_event_time"][k] for k in ("0", "1", "2")]
    assert et[0] > 0 and et[0] < et[1] < et[2]
    assert did["att_by_cohort"]["2023"] > did["att_by_cohort"]["2024"] > 0
    # truth.json round-trips
    assert json.loads(json.dumps(sim.truth))["did"]["att_overall"] == did["att_overall"]


def _twfe(uw: pd.DataFrame) -> float:
    """Two-way fixed effects (unit and wave) coefficient of the treated dummy, by hand."""
    y = uw["culture_overall"].to_numpy(float)
    d = uw["treated"].to_numpy(float)
    unit = pd.factorize(uw["gov_code"] + "|" + uw["unit_code"])[0]
    wave = pd.factorize(uw["wave"])[0]
    X = np.column_stack([d, np.eye(unit.max() + 1)[unit], np.eye(wave.max() + 1)[wave][:, 1:]])
    return float(np.linalg.lstsq(X, y, rcond=None)[0][0])


def _twfe_on(uw: pd.DataFrame, y: np.ndarray) -> float:
    return _twfe(uw.assign(culture_overall=y))


def test_twfe_is_biased_by_design_and_a_group_time_contrast_is_not():
    # Use the potential outcomes without noise in the effect: Y(0) plus the true
    # unit-wave effect. TWFE on it misses the truth (dynamic, cohort-specific
    # effects); a group-time contrast against never-treated units recovers it.
    sim = _demo()
    uw = sim.unit_waves.copy()
    eff = (uw["y1_overall"] - uw["y0_overall"]).fillna(0).to_numpy()
    y = uw["y0_overall"].to_numpy() + eff
    truth = sim.truth["did"]["att_overall"]
    twfe = _twfe_on(uw, y)
    # group-time: ATT(g, t) = mean over g of [Y_t - Y_{g-1}] minus the same for never treated
    uw["y"] = y
    wide = uw.pivot_table(index=["gov_code", "unit_code"], columns="wave", values="y")
    ft = uw.drop_duplicates(["gov_code", "unit_code"]).set_index(["gov_code", "unit_code"])[
        "first_treated"
    ]
    ft = ft.loc[wide.index]
    atts, ns = [], []
    for g in (2023, 2024, 2025):
        for t in range(g, 2026):
            dg = (wide[t] - wide[g - 1])[ft == g]
            dn = (wide[t] - wide[g - 1])[ft == 0]
            atts.append(dg.mean() - dn.mean())
            ns.append(len(dg))
    cs = float(np.average(atts, weights=ns))
    assert abs(cs - truth) < 0.8  # only Y(0) sampling noise in the never-treated contrast
    assert abs(twfe - truth) > abs(cs - truth)


def test_value_chain_truth_agrees_with_potential_outcomes():
    sim = _demo()
    uw, vc = sim.unit_waves, sim.truth["value_chain"]
    p = P.default_params()
    b = dict(zip(VALUE_CODES, p.ikm_on_culture, strict=True))
    t = uw[uw["public_facing"] & uw["treated"]]
    a = (t["y1_overall"] - t["y0_overall"]).mean()
    ind = sum(b[v] * (t[f"y1_{v}"] - t[f"y0_{v}"]) for v in VALUE_CODES).mean()
    tot = (t["eikm1"] - t["eikm0"]).mean()
    assert vc["a_path"] == pytest.approx(a, abs=1e-12)
    assert vc["indirect"] == pytest.approx(ind, abs=1e-12)
    assert vc["total"] == pytest.approx(tot, abs=1e-12)
    assert vc["direct"] + vc["indirect"] == pytest.approx(vc["total"], abs=1e-12)
    assert vc["b_path"] == pytest.approx(ind / a)
    assert vc["ikm_on_culture"]["BP"] > vc["ikm_on_culture"]["KP"] > vc["ikm_on_culture"]["AK"]
    assert vc["share_q_clipped"] < 0.05
    # without clipping the direct effect is exactly 75 x direct_effect_q
    unclipped = t[~t["q_clipped"]]
    assert len(unclipped) > 0
    d = (unclipped["eikm1"] - unclipped["eikm0"]) - sum(
        b[v] * (unclipped[f"y1_{v}"] - unclipped[f"y0_{v}"]) for v in VALUE_CODES
    )
    np.testing.assert_allclose(d, 75 * p.direct_effect_q, atol=1e-9)


def test_expected_ikm_is_linear_in_unit_culture_and_the_sample_follows_it():
    sim = _demo()
    p = P.default_params()
    uw = sim.unit_waves[sim.unit_waves["public_facing"] & ~sim.unit_waves["q_clipped"]]
    b = np.array(p.ikm_on_culture)
    c = uw[[f"culture_{v}" for v in VALUE_CODES]].to_numpy() - p.culture_centre
    period = uw["wave"].map(dict(zip(P.WAVES, p.skm_period, strict=True))).to_numpy()
    pred = (
        25
        + 75 * np.mean(p.skm_alpha)
        + c @ b
        + 75 * (uw["skm_unit_effect"] + period + p.direct_effect_q * uw["treated"])
    )
    np.testing.assert_allclose(uw["eikm"], pred, atol=1e-9)
    # the published/sample IKM scatters around the expectation without bias
    resid = uw["ikm_sample"] - uw["eikm"]
    assert abs(resid.mean()) < 0.5
    # and the sample IKM reproduces the published unit IKM
    pub = sim["published_ikm"].dropna(subset=["unit_code"])
    m = pub.merge(uw, left_on=["gov_code", "unit_code", "period"],
                  right_on=["gov_code", "unit_code", "wave"])  # fmt: skip
    np.testing.assert_allclose(m["ikm"], m["ikm_sample"].round(2), atol=1e-9)


def test_ikm_regression_on_measured_culture_recovers_the_coefficients():
    sim = _demo()
    uw = sim.unit_waves[sim.unit_waves["public_facing"]]
    X = np.column_stack(
        [np.ones(len(uw)), uw[[f"culture_{v}" for v in VALUE_CODES]].to_numpy(),
         pd.get_dummies(uw["wave"], drop_first=True).to_numpy(float), uw["treated"]]
    )  # fmt: skip
    coef = np.linalg.lstsq(X, uw["eikm"].to_numpy() - 75 * uw["skm_unit_effect"], rcond=None)[0]
    bp, kp = coef[1], coef[3]
    assert bp == pytest.approx(0.20, abs=0.02)
    assert kp == pytest.approx(0.12, abs=0.02)


# --- files, messy, CLI -------------------------------------------------------------


@lru_cache(maxsize=16)
def _rows(path: Path) -> list:
    """All rows of a file as the user sees them (row 1 = first line / sheet row 1)."""
    if path.suffix == ".xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path, read_only=True).active
        return [list(r) for r in ws.iter_rows(values_only=True)]
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(text.splitlines(), delimiter=sep))


def _cell(path: Path, row: int, column: str) -> str:
    rows = _rows(path)
    header = next(r for r in rows if column in r)
    return str(rows[row - 1][header.index(column)])


def test_messy_defects_are_where_defects_json_says(tmp_path):
    sim = simulate("demo", seed=DEMO_SEED, out=tmp_path, messy=True)
    defects = json.loads((tmp_path / "defects.json").read_text())
    assert defects == sim.defects
    rules = {d["rule"] for d in defects}
    assert len(rules) == 7
    for d in defects:
        if d["expect"] == "accept":
            continue
        assert _cell(tmp_path / d["file"], d["row"], d["column"]) == d["value"], d
    swapped = [d for d in defects if d["expect"] == "accept"]
    assert len(swapped) == 1
    header = next(csv.reader([(tmp_path / swapped[0]["file"]).read_text().split("\n")[0]],
                             delimiter=";" if "skm_35.75" in swapped[0]["file"] else ","))  # fmt: skip
    assert header.index("Sarana dan Prasarana") < header.index(
        "Penanganan Pengaduan, Saran dan Masukan"
    )
    # in-memory tables stay clean
    assert sim["culture_responses"][list(BEHAVIOUR_CODES)].stack().between(1, 5).all()


def test_cli_writes_files(tmp_path, capsys):
    import argparse

    from berakhlak_research.commands import simulate as command

    parser = argparse.ArgumentParser(prog="berakhlak")
    command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["simulate", "--out", str(tmp_path), "--seed", "3"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "True ATT" in out
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["seed"] == 3 and truth["scale"] == "demo"
    assert (tmp_path / "truth_unit_waves.tsv").exists()
    assert {p.suffix for p in tmp_path.iterdir()} >= {".csv", ".xlsx", ".json", ".tsv"}


def test_national_format_streams_parquet(tmp_path):
    # The national writer path (streamed Parquet), exercised at demo size.
    sim = simulate("demo", seed=2, out=tmp_path, fmt="parquet", keep=False)
    assert "culture_responses" not in sim.tables
    raw = pd.read_parquet(tmp_path / "survei_budaya.parquet")
    assert len(raw) == sim.truth["sizes"]["culture_responses"]
    assert "Kode Wilayah" in raw.columns and "BP1" in raw.columns
    skm = pd.read_parquet(tmp_path / "skm.parquet")
    assert "Sarana dan Prasarana" in skm.columns


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("berakhlak_research.io.ingest") is None, reason="no data layer"
)
def test_ingest_accepts_every_clean_row_and_rejects_exactly_the_defects(tmp_path):
    from berakhlak_research.cli import main

    sim = simulate("demo", seed=DEMO_SEED, out=tmp_path / "raw")
    assert main(["ingest", str(tmp_path / "raw"), "--out", str(tmp_path / "data")]) == 0
    for name, df in sim.tables.items():
        got = pd.read_parquet(tmp_path / "data" / "processed" / f"{name}.parquet")
        key = list(df.columns[:4])
        pd.testing.assert_frame_equal(
            got[df.columns].sort_values(key).reset_index(drop=True),
            df.sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
    messy = simulate("demo", seed=DEMO_SEED, out=tmp_path / "messy", messy=True)
    main(["ingest", str(tmp_path / "messy"), "--out", str(tmp_path / "mdata")])
    rejected = {}
    for d in messy.defects:
        if d["expect"] == "reject":
            for r in d.get("rows", [d["row"]]):
                rejected.setdefault(d["table"], set()).add((d["file"], r))
    for table in ("culture_responses", "skm_responses"):
        got = pd.read_parquet(tmp_path / "mdata" / "processed" / f"{table}.parquet")
        n_dup = sum(1 for d in messy.defects if d["table"] == table and "duplicate_of" in d)
        assert len(got) == len(messy[table]) + n_dup - len(rejected[table]), table
