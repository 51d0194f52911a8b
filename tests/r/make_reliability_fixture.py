"""Write tests/r/reliability_items.csv, the seeded input of tests/r/reliability_reference.R.

Three item sets in one file (column ``set``; unused item columns empty):

* ``few_rows``: 20 respondents, 11 items, 11 of them skip one item each, so 9 answer every
  item: alpha is computable, a one-factor model of 11 items is not (singular covariance);
* ``negative``: 60 respondents, 3 items, one negative inter-item covariance: alpha near zero and
  omega undefined;
* ``missing``: 400 respondents, 6 items of one factor, about 15 % of answers missing (more
  for low scorers, so pairwise and listwise alpha differ).

Run from the repository root: ``.venv/bin/python tests/r/make_reliability_fixture.py``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

FIXTURE = Path(__file__).resolve().parent / "reliability_items.csv"
ITEMS = [f"i{j}" for j in range(1, 12)]


def _likert(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), 1, 5)


def make(seed: int = 20261206) -> pd.DataFrame:
    """The three item sets as one long frame (answers 1..5, NaN = missing)."""
    rng = np.random.default_rng(seed)
    # few_rows: one skipped item per respondent for respondents 10..20
    f = rng.normal(size=20)
    few = _likert(3 + f[:, None] + rng.normal(size=(20, 11)))
    few[np.arange(9, 20), np.arange(11)] = np.nan
    # negative: items 1-2 and 1-3 agree, items 2-3 disagree (one negative covariance, so
    # the one-factor model is undefined); alpha near zero
    a, b = rng.normal(size=(2, 60))
    neg = np.column_stack(
        [
            3 + 0.7 * a + 0.7 * b + rng.normal(size=60),
            3 + 0.7 * a + rng.normal(size=60),
            3 + 0.9 * b - 0.6 * a + rng.normal(size=60),
        ]  # fmt: skip
    )
    neg = _likert(neg)
    # missing: loadings 0.5..1.0, low scorers skip more often
    f = rng.normal(size=400)
    lam = np.linspace(0.5, 1.0, 6)
    mis = _likert(3.2 + f[:, None] * lam + rng.normal(scale=0.8, size=(400, 6)))
    p_skip = np.where(f[:, None] < 0, 0.22, 0.08)
    mis[rng.random((400, 6)) < p_skip] = np.nan
    parts = []
    for name, x in (("few_rows", few), ("negative", neg), ("missing", mis)):
        part = pd.DataFrame(np.nan, index=range(len(x)), columns=ITEMS)
        part.iloc[:, : x.shape[1]] = x
        part.insert(0, "set", name)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.astype(dict.fromkeys(ITEMS, "Int8"))


if __name__ == "__main__":
    make().to_csv(FIXTURE, index=False)
