"""The seeded fixture results folder shared by the section tests."""

from __future__ import annotations

import pytest

from tests._data.report import make_results


@pytest.fixture(scope="package")
def fixture(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("sections") / "results", seed=1)
