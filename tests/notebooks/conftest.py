"""The demo study the tutorials run on, built once per test session (shared by xdist workers).

It is what ``berakhlak replicate`` builds in ``OUT/work`` (``raw``, ``data``,
``results``: the layout ``make demo`` writes to ``demo/``), with the same seed
and bootstrap draws, so the replication tutorial can reuse it (``--reuse``)
and still match ``replication/expected``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from berakhlak_research.commands.replicate import SEED


def _build(root: Path) -> None:
    from berakhlak_research.cli import main

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
            _build(root)
    return root
