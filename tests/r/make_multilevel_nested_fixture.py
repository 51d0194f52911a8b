"""Write the input CSV of tests/r/multilevel_nested_reference.R (run from the repository root).

Units nested in 10 governments (12 units each, 1-20 respondents per unit): the
few-governments case whose variance-component intervals are wide and skewed.
``y_slope`` adds a correlated random intercept and x1 slope by unit (sds 0.6 and 0.4,
correlation 0.3) to the fixed part, for the random-slope reference.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repository root
from tests._data.chain import multilevel_fixture  # noqa: E402

if __name__ == "__main__":
    out = Path(__file__).with_name("multilevel_nested_fixture.csv")
    df = multilevel_fixture(seed=2024, n_gov=10, units_per_gov=12, tau_gov=0.5, tau_unit=0.6)
    rng = np.random.default_rng(2025)
    codes, units = pd.factorize(df["unit"])
    cov = np.array([[0.36, 0.072], [0.072, 0.16]])
    ab = rng.multivariate_normal([0.0, 0.0], cov, len(units))[codes]
    fixed = 2.0 + 0.5 * df["x1"] - 0.3 * df["x2"]
    df["y_slope"] = fixed + ab[:, 0] + ab[:, 1] * df["x1"] + rng.normal(0.0, 1.0, len(df))
    df.to_csv(out, index=False, float_format="%.17g")
    print(out)
