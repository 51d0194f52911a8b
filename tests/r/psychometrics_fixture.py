"""Write the seeded fixture that ``psychometrics_reference.R`` reads.

Run from the repository root: ``.venv/bin/python tests/r/psychometrics_fixture.py``.
Output: ``tests/r/psychometrics_items.csv`` (800 respondents, two governments, two waves,
BP1..KB3 answers 1..5 with about 2 % of answers missing; missing written as empty cells).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root: tests._data

from tests._data.psychometrics import simulate_items  # noqa: E402

FIXTURE = HERE / "psychometrics_items.csv"


def main() -> None:
    """Generate the fixture (seed 20230515) and write it as CSV."""
    data = simulate_items(
        800,
        seed=20230515,
        missing=0.02,
        groups={"wave": (2023, 2024), "gov_code": ("35.75", "35.14")},
    )
    data.to_csv(FIXTURE, index=False)


if __name__ == "__main__":
    main()
