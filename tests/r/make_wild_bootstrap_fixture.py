"""Regenerate tests/r/wild_bootstrap_fixture.csv, the input of wild_bootstrap_reference.R.

Six governments, three units each, four waves; heteroskedastic across governments.
Run from the repository root: ``.venv/bin/python tests/r/make_wild_bootstrap_fixture.py``
then ``cd tests/r && Rscript wild_bootstrap_reference.R``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent

if __name__ == "__main__":
    rng = np.random.default_rng(11)
    n_gov, per, T = 6, 3, 4
    gov = np.repeat(np.arange(n_gov), per * T)
    unit = np.repeat(np.arange(n_gov * per), T)
    wave = np.tile(np.arange(2022, 2022 + T), n_gov * per)
    x = rng.normal(size=len(gov)) + 0.5 * rng.normal(size=n_gov)[gov]
    y = 0.4 * x + rng.normal(size=n_gov)[gov] + rng.normal(size=n_gov * per)[unit]
    y = y + 0.3 * (wave - 2022) + rng.normal(size=len(gov)) * (1 + gov / 3)
    df = pd.DataFrame({"gov": gov, "unit": unit, "wave": wave, "x": x.round(6), "y": y.round(6)})
    df.to_csv(HERE / "wild_bootstrap_fixture.csv", index=False)
