"""Benchmark of the intervention models at national scale.

Panels from :func:`berakhlak_research.simulate.did.staggered_panel` (three
adoption cohorts 2023-2025 and never-treated units, four waves 2022-2025):

* national government panel: 552 governments x 4 waves;
* unit panel: 40,000 units (in 556 governments of 72 units) x 4 waves.

Timed (wall clock, best and median of ``--repeat`` runs): ``staggered_att``
with 999 multiplier-bootstrap draws (all group-time cells, the overall,
cohort and event-time aggregations, uniform bands, the pre-trend test),
clustered by unit and by government; ``twfe`` and ``event_study``; and
``model_tables`` for one outcome of the unit panel.

Run: ``.venv/bin/python benchmarks/bench_did.py [--repeat R]``.
Results are recorded in ``benchmarks/results/did.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime

import numpy as np

from berakhlak_research.models import did
from berakhlak_research.simulate.did import staggered_panel


def timed(fn, repeat):
    out, times = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, min(times), float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"# bench_did  {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    rows = []

    gov, _ = staggered_panel(n_units=552, units_per_gov=1, seed=1)
    unit, _ = staggered_panel(n_units=40_000, units_per_gov=72, seed=1)
    cases = [
        ("government panel 552 x 4", gov, "unit_code", None),
        ("unit panel 40,000 x 4, cluster unit", unit, "unit_code", None),
        ("unit panel 40,000 x 4, cluster government", unit, "unit_code", "gov_code"),
    ]
    y, t, g = "culture_overall", "wave", "first_treated"
    for name, data, u, cl in cases:
        res, best, med = timed(
            lambda data=data, u=u, cl=cl: did.staggered_att(
                data, y, u, t, g, control="notyet", n_boot=999, seed=0, cluster=cl
            ),
            args.repeat,
        )
        ov = res.table.iloc[0]
        rows.append((f"staggered_att n_boot=999: {name}", best, med))
        print(f"{name}: overall ATT {ov['estimate']:.3f} (se {ov['se']:.3f}), "
              f"{len(res.group_time)} cells")  # fmt: skip
    for name, data, cl in (("government", gov, None), ("unit", unit, "gov_code")):
        _, best, med = timed(
            lambda data=data, cl=cl: did.twfe(data, y, "unit_code", t, "treated", cluster=cl),
            args.repeat,
        )
        rows.append((f"twfe: {name} panel", best, med))
        _, best, med = timed(
            lambda data=data, cl=cl: did.event_study(data, y, "unit_code", t, g, cluster=cl),
            args.repeat,
        )
        rows.append((f"event_study: {name} panel", best, med))
    up = unit.assign(ikm=np.nan)
    _, best, med = timed(
        lambda: did.model_tables(up, None, outcomes=["culture_overall"], n_boot=999), 1
    )
    rows.append(("model_tables, unit panel, 1 outcome (+TWFE, event study, dose x2)", best, med))
    print()
    print("| task | best (s) | median (s) |")
    print("|---|---:|---:|")
    for name, best, med in rows:
        print(f"| {name} | {best:.2f} | {med:.2f} |")


if __name__ == "__main__":
    main()
