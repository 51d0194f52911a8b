"""Benchmark: psychometric tables (reliability, item-total, CFA) at national scale.

Data: ``rows`` respondents (default 4.3 million, the national ASN count) spread over
``govs`` governments (default 552) and four waves, 21 Likert items (nullable Int8 1..5)
drawn from a seven-factor model with 2 % of answers missing at random (so about 65 % of
respondents answer all 21 items). Timings are wall-clock on one machine:

* ``measurement_tables(..., cfa_by_gov=False)``: reliability (alpha, Feldt CI, omega) and
  item-total correlations for every government-wave and every wave, plus the 21-item CFA
  of all data per wave;
* the same with ``cfa_by_gov=True``: adds one CFA per government-wave (n >= 200);
* a single CFA (``cfa``) on 2,000 respondents, and a polychoric CFA (``ordered=True``).

Peak memory is the growth of the process's resident set (``ru_maxrss``) over the data.

Usage::

    .venv/bin/python benchmarks/bench_psychometrics.py [--rows 4300000] [--govs 552]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # repository root: tests._data

from berakhlak_research import psychometrics as ps  # noqa: E402
from berakhlak_research.framework import BEHAVIOUR_CODES  # noqa: E402
from tests._data.psychometrics import THRESHOLDS, TRUE_FACTOR_CORR, TRUE_LOADINGS  # noqa: E402


def make_data(rows: int, govs: int, seed: int = 20230515, chunk: int = 500_000) -> pd.DataFrame:
    """National-size culture_responses (only the columns the psychometrics read)."""
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(TRUE_FACTOR_CORR)
    lam = np.array([TRUE_LOADINGS[c] for c in BEHAVIOUR_CODES], dtype=np.float32)
    which = np.repeat(np.arange(7), 3)
    items = np.empty((rows, 21), dtype=np.int8)
    for s in range(0, rows, chunk):  # chunks keep the float temporaries small
        m = min(chunk, rows - s)
        f = rng.standard_normal((m, 7), dtype=np.float32) @ chol.T.astype(np.float32)
        y = f[:, which] * lam + rng.standard_normal((m, 21), dtype=np.float32) * np.sqrt(1 - lam**2)
        a = (np.searchsorted(THRESHOLDS, y.ravel()) + 1).reshape(m, 21).astype(np.int8)
        a[rng.random((m, 21), dtype=np.float32) < 0.02] = 0
        items[s : s + m] = a
    gov = np.sort(rng.integers(0, govs, rows))
    codes = np.array([f"{11 + g // 60:02d}.{1 + g % 60:02d}" for g in range(govs)])
    out = pd.DataFrame(
        {
            "gov_code": pd.array(codes[gov], dtype="string"),
            "wave": pd.array(2022 + rng.integers(0, 4, rows), dtype="Int64"),
        }
    )
    for j, c in enumerate(BEHAVIOUR_CODES):
        v = items[:, j]
        out[c] = pd.arrays.IntegerArray(v, v == 0)
    return out


def load_average() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4_300_000)
    ap.add_argument("--govs", type=int, default=552)
    args = ap.parse_args()

    t0 = time.perf_counter()
    data = make_data(args.rows, args.govs)
    t_make = time.perf_counter() - t0
    base = rss_mb()
    print(f"data: {len(data):,} rows, {data['gov_code'].nunique()} governments, "
          f"{data.memory_usage(deep=False).sum() / 1e6:.0f} MB; made in {t_make:.1f} s; "
          f"RSS {base:.0f} MB")  # fmt: skip

    t0, c0 = time.perf_counter(), time.process_time()
    out = ps.measurement_tables(data, cfa_by_gov=False)
    t_rel, c_rel = time.perf_counter() - t0, time.process_time() - c0
    peak1 = rss_mb() - base
    print(
        f"measurement_tables(cfa_by_gov=False): {t_rel:.1f} s ({c_rel:.1f} s CPU); "
        f"{len(out['reliability']):,} reliability rows; peak RSS growth {peak1:.0f} MB"
    )

    t0, c0 = time.perf_counter(), time.process_time()
    out = ps.measurement_tables(data, cfa_by_gov=True)
    t_all, c_all = time.perf_counter() - t0, time.process_time() - c0
    fitted = int(out["cfa_fit"]["chi2"].notna().sum())
    peak2 = rss_mb() - base
    print(
        f"measurement_tables(cfa_by_gov=True): {t_all:.1f} s ({c_all:.1f} s CPU); "
        f"{fitted:,} CFA fits; "
        f"peak RSS growth {peak2:.0f} MB"
    )

    small = data.iloc[:2000]
    ps.cfa(small)
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        res = ps.cfa(small)
    t_cfa = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    ps.cfa(small, ordered=True)
    t_poly = time.perf_counter() - t0
    print(
        f"cfa on {res.fit['n'].iloc[0]} complete respondents: {t_cfa * 1000:.0f} ms; "
        f"ordered=True: {t_poly * 1000:.0f} ms"
    )

    print(f"load average at the end: {load_average()} (other jobs share the 2 cores)")
    print(
        f"\n| date (UTC) | machine | rows | governments | reliability + item-total + wave CFA "
        f"| + per-government CFA | CFA fits | peak RSS growth | single CFA (2,000) "
        f"| polychoric CFA |\n|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {platform.machine()}, {os.cpu_count()} cores "
        f"| {len(data):,} | {args.govs} | {t_rel:.1f} s ({c_rel:.1f} s CPU) "
        f"| {t_all:.1f} s ({c_all:.1f} s CPU) | {fitted:,} "
        f"| {max(peak1, peak2):.0f} MB | {t_cfa * 1000:.0f} ms | {t_poly * 1000:.0f} ms |"
    )


if __name__ == "__main__":
    main()
