"""Shared seeded fixtures of the test suite.

Data builders that tests import directly live in :mod:`tests._data`; the
fixtures here are the objects several test modules reuse within one worker
(``pytest -n 2`` builds each session fixture once per worker).
"""

from __future__ import annotations

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
