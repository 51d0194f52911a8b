"""Write the input CSV of tests/r/lme4_reference.R (run from the repository root)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repository root
from tests._data.chain import multilevel_fixture  # noqa: E402

if __name__ == "__main__":
    out = Path(__file__).with_name("multilevel_fixture.csv")
    multilevel_fixture(seed=7).to_csv(out, index=False, float_format="%.17g")
    print(out)
