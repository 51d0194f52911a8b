"""Reference p-values of the restricted wild cluster bootstrap from ``wildboottest``.

``wildboottest`` (PyPI, by the author of R ``fwildclusterboot``, ported from its
algorithm and tested against it) is an independent implementation of the WCR
test the package's ``models.few_clusters.wild_bootstrap_ols`` implements. It
needs numba, which the project does not depend on, so this script runs once in
a separate environment and its numbers are committed
(``wildboottest_reference.csv``), as the R scripts' are:

    python3.11 -m venv /tmp/wbtenv
    /tmp/wbtenv/bin/pip install wildboottest==0.3.2 statsmodels
    cd tests/r && /tmp/wbtenv/bin/python wildboottest_reference.py

Input: ``wild_bootstrap_fixture.csv`` (6 governments, 3 units each, 4 waves;
``make_wild_bootstrap_fixture.py``). Model: ``y ~ x + C(unit) + C(wave)``,
clusters = governments, H0: the coefficient of ``x`` equals ``null`` (tested as
beta = 0 after moving ``null * x`` to the left-hand side). Rademacher weights are
fully enumerated (2^6 = 64 draws, deterministic); Webb weights are random
(99,999 draws), so they are compared within Monte Carlo error.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from wildboottest.wildboottest import wildboottest

HERE = Path(__file__).parent

if __name__ == "__main__":
    d = pd.read_csv(HERE / "wild_bootstrap_fixture.csv")
    rows = []
    for null in (-0.5, 0.0, 0.4, 0.7, 1.2):
        dd = d.assign(yy=d["y"] - null * d["x"])
        model = smf.ols("yy ~ x + C(unit) + C(wave)", data=dd)
        for weights, B in (("rademacher", 9999), ("webb", 99999)):
            res = wildboottest(
                model,
                B=B,
                cluster=dd["gov"],
                param="x",
                weights_type=weights,
                seed=20261207,
                show=False,
            )
            rows.append(
                {
                    "null": null,
                    "weights": weights,
                    "B": B,
                    "t_stat": float(np.ravel(res["statistic"])[0]),
                    "p_value": float(np.ravel(res["p-value"])[0]),
                }
            )
    out = pd.DataFrame(rows)
    out["wildboottest_version"] = importlib.metadata.version("wildboottest")
    out.to_csv(HERE / "wildboottest_reference.csv", index=False)
    print(out)
