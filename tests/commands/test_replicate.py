"""Tests of `berakhlak replicate`: the notebook on a results folder, and the --check comparison."""

from __future__ import annotations

import shutil

import pandas as pd

from berakhlak_research.commands import replicate
from tests._data.report import make_results


def _tables(tmp_path):
    d = tmp_path / "t"
    d.mkdir()
    pd.DataFrame({"Value": ["Overall", "Loyal"], "Index": [61.25, 70.5], "n": [100, 100]}).to_csv(
        d / "descriptives.csv", index=False
    )
    return d


def test_compare_tables_within_and_beyond_tolerance(tmp_path):
    exp = _tables(tmp_path)
    act = tmp_path / "a"
    act.mkdir()
    df = pd.read_csv(exp / "descriptives.csv")
    df.assign(Index=df["Index"] + 5e-7).to_csv(act / "descriptives.csv", index=False)
    assert replicate.compare_tables(act, exp, tables=["descriptives"]) == []
    df.assign(Index=df["Index"] + 1e-3).to_csv(act / "descriptives.csv", index=False)
    probs = replicate.compare_tables(act, exp, tables=["descriptives"])
    assert len(probs) == 2 and "column 'Index'" in probs[0]
    df.assign(Value=["Overall", "Loyalty"]).to_csv(act / "descriptives.csv", index=False)
    assert "Loyalty" in replicate.compare_tables(act, exp, tables=["descriptives"])[0]
    df.drop(columns="n").to_csv(act / "descriptives.csv", index=False)
    assert "columns" in replicate.compare_tables(act, exp, tables=["descriptives"])[0]
    assert "no expected table" in replicate.compare_tables(act, exp, tables=["x"])[0]


def _replicate(argv: list[str]) -> int:
    # only this subcommand's parser: the test does not depend on the other commands importing
    import argparse

    parser = argparse.ArgumentParser(prog="berakhlak")
    replicate.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["replicate", *argv])
    return args.run(args)


def test_replicate_notebook_and_check(tmp_path, monkeypatch, capsys):
    out = tmp_path / "replication"
    make_results(out / "work" / "results", seed=5)
    expected = tmp_path / "expected"
    monkeypatch.setattr(replicate, "EXPECTED_DIR", expected)
    # first run records the expected tables, the second must match them exactly
    assert _replicate(["--out", str(out), "--reuse", "--update-expected"]) == 0
    for name in replicate.CHECKED_TABLES:
        assert (expected / f"{name}.csv").exists(), name
    assert (out / "replication.html").exists() and (out / "manifest.json").exists()
    assert (out / "figures" / "event_study.png").exists()
    assert _replicate(["--out", str(out), "--reuse", "--check"]) == 0
    assert "all 7 tables match" in capsys.readouterr().out
    # drift is detected
    d = pd.read_csv(expected / "did_overall.csv")
    d.loc[0, "Index"] += 0.5
    d.to_csv(expected / "did_overall.csv", index=False)
    assert _replicate(["--out", str(out), "--reuse", "--check"]) == 1
    assert "differences" in capsys.readouterr().out


def test_replicate_committed_expected_tables(tmp_path):
    """The full study (simulate -> ingest -> measure -> model -> notebook) against replication/expected."""
    from berakhlak_research.cli import main

    committed = {p.stem for p in replicate.EXPECTED_DIR.glob("*.csv")}
    assert committed == set(replicate.CHECKED_TABLES), "replication/expected is incomplete"
    out = tmp_path / "replication"
    assert main(["replicate", "--out", str(out), "--check"]) == 0
    shutil.rmtree(out / "work", ignore_errors=True)
