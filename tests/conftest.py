"""Shared seeded fixtures of the test suite.

Data builders that tests import directly live in :mod:`tests._data`; the
fixtures here are the objects several test modules reuse within one worker
(``pytest -n 2`` builds each session fixture once per worker, except
``demo_study``, which the workers of a run share).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

#: The seed of every simulated "demo" data set in the tests (and in the docs).
DEMO_SEED = 20230515


@pytest.fixture(scope="session")
def demo_sim():
    """The bundled demo simulation (``simulate("demo", seed=20230515)``); treat as read-only."""
    simulate = pytest.importorskip("berakhlak_research.simulate")
    return simulate.simulate("demo", seed=DEMO_SEED)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory, demo_sim):
    """A data folder (``processed/*.parquet``, as ``berakhlak ingest`` writes) of the demo simulation."""
    root = tmp_path_factory.mktemp("demo-data")
    (root / "processed").mkdir()
    for name in ("units", "culture_responses", "interventions", "skm_responses"):
        demo_sim.tables[name].to_parquet(root / "processed" / f"{name}.parquet")
    return root


def _build_demo_study(root: Path) -> None:
    """What ``berakhlak replicate`` builds in ``OUT/work`` (``raw``, ``data``, ``results``:
    the layout ``make demo`` writes to ``demo/``), with the same seed and bootstrap draws,
    so the replication tutorial can reuse it (``--reuse``) and still match
    ``replication/expected``."""
    from berakhlak_research.cli import main
    from berakhlak_research.commands.replicate import SEED

    work = root / "work"
    raw, data, results = work / "raw", work / "data", work / "results"
    stages = [
        ["simulate", "--out", str(raw), "--scale", "demo", "--seed", str(SEED)],
        ["ingest", str(raw), "--out", str(data)],
        ["measure", str(data), "--out", str(results)],
        ["model", str(data), "--out", str(results), "--n-boot", "199", "--seed", str(SEED)],
    ]
    for argv in stages:
        assert main(argv) == 0, argv


@pytest.fixture(scope="session")
def demo_study(tmp_path_factory) -> Path:
    """Folder holding ``work/{raw,data,results}`` of the demo study; treat as read-only."""
    # Under xdist the base temp's parent is shared by the workers of one run (and
    # of that run only): the first worker builds the study (about 20 s), the others
    # wait on the lock and reuse it. Without xdist the parent outlives the run.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    root = shared / "demo-study"
    with open(shared / "demo-study.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "work" / "results" / "catalog.json").exists():
            _build_demo_study(root)
    return root
