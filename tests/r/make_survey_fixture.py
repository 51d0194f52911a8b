"""Write tests/r/survey_fixture.csv and ikm_fixture.csv: seeded samples for R's survey package.

Three governments (strata); units (PSUs) with headcounts; one government has
units that were not surveyed (stage-one FPC < 1); one unit is a census
(n = N); one unit has a single respondent. Weights vary within units.
Run: .venv/bin/python tests/r/make_survey_fixture.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research.framework import BEHAVIOUR_CODES


def make(seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    spec = {"35.75": (6, 6), "35.14": (5, 8), "11.01": (4, 4)}  # sampled units, units in pop
    for gov, (m, big_m) in spec.items():
        for u in range(m):
            big_n = int(rng.integers(15, 60))
            n = int(rng.integers(4, big_n))
            if gov == "11.01" and u == 0:
                n = big_n  # census unit
            if gov == "35.14" and u == 1:
                n = 1  # lonely respondent
            eff = rng.normal(0, 0.6)
            x = np.clip(np.round(3.4 + eff + rng.normal(0, 1.0, (n, 21))), 1, 5)
            x[rng.random(x.shape) < 0.06] = np.nan
            d = pd.DataFrame(x, columns=list(BEHAVIOUR_CODES))
            d.insert(0, "gov_code", gov)
            d.insert(1, "unit_code", f"{gov}-U{u}")
            d.insert(2, "M", big_m)
            d.insert(3, "N", big_n)
            d.insert(4, "w", big_n / n * rng.uniform(0.7, 1.3, n))
            rows.append(d)
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    out.insert(1, "wave", 2024)
    return out


def make_skm(seed: int = 20240602) -> pd.DataFrame:
    """SKM answers (1-4, some missing) of four units in two governments."""
    rng = np.random.default_rng(seed)
    parts = []
    for gov, unit, n in (
        ("35.75", "A", 35),
        ("35.75", "B", 22),
        ("35.75", "C", 48),
        ("35.14", "D", 30),
    ):
        q = np.clip(0.7 + rng.normal(0, 0.08), 0.05, 0.95)
        x = (1 + rng.binomial(3, q, (n, 9))).astype(float)
        x[rng.random(x.shape) < 0.05] = np.nan
        d = pd.DataFrame(x, columns=[f"U{i}" for i in range(1, 10)])
        d.insert(0, "unit_code", unit)
        d.insert(0, "gov_code", gov)
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    out.insert(3, "period", 2024)
    return out


if __name__ == "__main__":
    make().to_csv(Path(__file__).with_name("survey_fixture.csv"), index=False)
    make_skm().to_csv(Path(__file__).with_name("ikm_fixture.csv"), index=False)
