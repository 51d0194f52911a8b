"""Coverage of the wild-cluster-bootstrap interval of the overall staggered ATT with few governments.

Simulated roll-outs (``berakhlak_research.simulate.did.staggered_panel``: whole
governments adopt, 8 units each, waves 2022-2025, a quarter of the governments
in each of the cohorts 2023, 2024 and 2025, effects that differ by cohort and
grow with time, government-wave shocks ``sd_gov_wave``) with 7, 12 and 30
governments. For each replication the 95 % interval of
``few_clusters.did_wild_bootstrap`` (restricted wild cluster bootstrap, Webb
weights) is checked against the design's (population) overall ATT; for contrast
the cluster-robust interval of ``staggered_att`` clustered by government
(analytic, t(G-1)) and the one clustered by unit (the old fallback) are checked
too. Writes ``benchmarks/results/few_clusters.md`` with the figures of the run.

Run: ``.venv/bin/python benchmarks/bench_few_clusters.py [--reps 1000] [--boot 999]``.
The slow test ``tests/models/test_few_clusters_coverage.py`` runs the same study.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from berakhlak_research.models import did
from berakhlak_research.models.few_clusters import did_wild_bootstrap
from berakhlak_research.simulate.did import staggered_panel

GOVS = (7, 12, 30)
SD_GOV_WAVE = 2.0


def replicate(n_gov: int, rep: int, n_boot: int = 999, compare: bool = True) -> dict:
    """One simulated roll-out: whether each interval holds the population ATT."""
    panel, truth = staggered_panel(
        n_units=8 * n_gov, units_per_gov=8, assign="gov", sd_gov_wave=SD_GOV_WAVE,
        seed=100_000 * n_gov + rep,
    )  # fmt: skip
    panel["_unit"] = panel["gov_code"] + "|" + panel["unit_code"]
    target = truth["population"]["att_overall"]
    args = (panel, "culture_overall", "_unit", "wave", "first_treated")
    w = did_wild_bootstrap(*args, cluster="gov_code", n_boot=n_boot, seed=rep).iloc[0]
    lo = w["ci_low"] if np.isfinite(w["ci_low"]) else -np.inf
    hi = w["ci_high"] if np.isfinite(w["ci_high"]) else np.inf
    out = {"wild": lo <= target <= hi, "unbounded": not np.isfinite(w["ci_low"] + w["ci_high"])}
    if compare:
        for name, cl in (("cr_gov", "gov_code"), ("cr_unit", None)):
            s = did.staggered_att(*args, control="notyet", cluster=cl, n_boot=0).table.iloc[0]
            out[name] = s["ci_low"] <= target <= s["ci_high"]
    return out


def study(reps: int, n_boot: int = 999, govs=GOVS, compare: bool = True) -> list[dict]:
    """Coverage per number of governments with Monte Carlo standard errors and time."""
    rows = []
    for g in govs:
        t0 = time.perf_counter()
        res = [replicate(g, r, n_boot, compare) for r in range(reps)]  # replications
        secs = time.perf_counter() - t0
        row = {"n_gov": g, "reps": reps, "seconds": secs}
        for k in res[0]:
            p = float(np.mean([r[k] for r in res]))
            row[k] = p
            row[k + "_mcse"] = float(np.sqrt(p * (1 - p) / reps))
        rows.append(row)
        print(row, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--boot", type=int, default=999)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "few_clusters.md"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    rows = study(a.reps, a.boot)
    total = time.perf_counter() - t0
    lines = [
        "# Few governments: coverage of the wild-cluster-bootstrap interval of the ATT",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} cores, shared), Python {platform.python_version()}; "
        f"`benchmarks/bench_few_clusters.py --reps {a.reps} --boot {a.boot}`, "
        f"{total:.0f} s in all.",
        "",
        "Simulator `simulate.did.staggered_panel`: whole governments adopt, 8 units per "
        "government, waves 2022-2025, cohorts 2023/2024/2025 a quarter of the governments "
        f"each (7 governments: one each), `sd_gov_wave = {SD_GOV_WAVE}`, other parameters "
        "default. Target: the design's overall ATT (`truth['population']['att_overall']`). "
        "`wild`: 95 % test-inversion interval of the restricted wild cluster bootstrap "
        f"(`few_clusters.did_wild_bootstrap`, Webb weights, {a.boot} draws, clustered by "
        "government); `cr_gov` / `cr_unit`: the analytic cluster-robust interval of "
        "`staggered_att` (t(G-1)) clustered by government / by unit, for contrast. "
        "Coverage in %, Monte Carlo SE in brackets; time is the whole replication loop "
        "(simulation and all three fits).",
        "",
        "| governments | replications | wild | cr_gov | cr_unit | wild unbounded | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_gov']} | {r['reps']} | {100 * r['wild']:.1f} ({100 * r['wild_mcse']:.1f}) "
            f"| {100 * r['cr_gov']:.1f} ({100 * r['cr_gov_mcse']:.1f}) "
            f"| {100 * r['cr_unit']:.1f} ({100 * r['cr_unit_mcse']:.1f}) "
            f"| {100 * r['unbounded']:.1f} | {r['seconds']:.0f} |"
        )
    Path(a.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
