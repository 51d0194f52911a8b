"""Seeded data builders shared by the tests (imported as ``tests._data.<name>``).

* :mod:`.chain` - value-chain and multilevel fixtures with known truth;
* :mod:`.io_files` - the raw-export fixtures under ``tests/fixtures/io``;
* :mod:`.measure` - culture and SKM samples for the index tests;
* :mod:`.psychometrics` - item responses from a known factor model;
* :mod:`.report` - a contract-shaped results store for the report tests.

``R_DIR`` holds the R scripts and their reference numbers, ``FIXTURES_DIR``
the committed input files.
"""

from pathlib import Path

__all__ = ["TESTS_DIR", "R_DIR", "FIXTURES_DIR"]

TESTS_DIR = Path(__file__).resolve().parents[1]
R_DIR = TESTS_DIR / "r"
FIXTURES_DIR = TESTS_DIR / "fixtures"
