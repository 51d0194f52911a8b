"""National-scale benchmark of the measurement layer (culture indices with intervals; IKM).

Synthetic data at the national scale of docs/domain.md (section 5): 4.3 million respondents x
21 Likert items (int8, 2 % missing), about 40,000 units in the 552 governments
of the reference list, one wave. In the same run it times

1. DuckDB computing the plain group-by means of the 21 items at every level
   (unit, government, province, national) from an Arrow table (DuckDB's fast path);
2. ``survey.rake_weights`` + ``indices.culture_tables``: both scorings, the 21
   behaviours, 7 values and overall, at the four levels, with design-based
   standard errors, intervals, categories and suppression;

and the peak resident memory above the data during (2) (kernel high-water mark, reset
before the block).
Then the IKM with standard errors for every unit of a synthetic SKM file.

Run: ``.venv/bin/python benchmarks/bench_measure.py [--respondents N] [--repeat R]``.
Results are recorded in ``benchmarks/results/measure.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd


def _status(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """Current resident set size (MB)."""
    return _status("VmRSS")


class PeakRSS:
    """Peak resident set size (MB) over a block, from the kernel's high-water mark.

    Writing 5 to /proc/self/clear_refs resets VmHWM (Linux >= 4.0), so no sampling
    thread competes with the measured code for the GIL.
    """

    def __enter__(self):
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return self

    def __exit__(self, *exc):
        self.peak = _status("VmHWM")


def make_culture(n: int, n_units: int, seed: int):
    from berakhlak_research.framework import BEHAVIOUR_CODES
    from berakhlak_research.regions import governments

    rng = np.random.default_rng(seed)
    govs = governments()["code"].to_numpy()
    unit_gov = np.sort(rng.integers(0, len(govs), n_units))
    unit_gov[: len(govs)] = np.arange(len(govs))  # every government has units
    unit_gov.sort()
    headcount = rng.integers(20, 250, n_units)
    unit = np.sort(rng.choice(n_units, n, p=headcount / headcount.sum()))
    unit_codes = np.array([f"U{i:05d}" for i in range(n_units)], dtype=object)
    level = rng.normal(3.5, 0.4, n_units)[unit]
    df = pd.DataFrame(
        {
            "wave": pd.array(np.full(n, 2024), dtype="Int64"),
            "gov_code": pd.Categorical.from_codes(unit_gov[unit], govs),
            "unit_code": pd.Categorical.from_codes(unit, unit_codes),
        }
    )
    for c in BEHAVIOUR_CODES:
        x = np.clip(np.rint(level + rng.normal(0, 1, n)), 1, 5).astype(np.int8)
        mask = rng.random(n) < 0.02
        df[c] = pd.arrays.IntegerArray(x, mask)
    per_unit = np.bincount(unit, minlength=n_units)
    units = pd.DataFrame(
        {
            "gov_code": govs[unit_gov],
            "unit_code": unit_codes,
            "headcount": np.maximum(headcount, per_unit),
        }
    ).astype({"gov_code": "string", "unit_code": "string"})
    return df, units


def duckdb_means(df: pd.DataFrame, threads: int | None = None) -> float:
    import duckdb
    import pyarrow as pa

    from berakhlak_research.framework import BEHAVIOUR_CODES

    tbl = pa.Table.from_pandas(
        df.assign(province=df["gov_code"].astype(str).str.slice(0, 2)), preserve_index=False
    )
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.register("d", tbl)
    avg = ", ".join(f"avg({c})" for c in BEHAVIOUR_CODES)
    t0 = time.perf_counter()
    for keys in ("wave, gov_code, unit_code", "wave, gov_code", "wave, province", "wave"):
        con.execute(f"SELECT {keys}, {avg} FROM d GROUP BY {keys}").fetchnumpy()
    return time.perf_counter() - t0


def ours(df: pd.DataFrame, units: pd.DataFrame) -> tuple[float, dict]:
    from berakhlak_research import indices, survey

    t0 = time.perf_counter()
    w = survey.rake_weights(df, units).weights.to_numpy()
    tabs = indices.culture_tables(df, units, weights=w)
    return time.perf_counter() - t0, tabs


def make_skm(n_units: int, per_unit: int, seed: int) -> pd.DataFrame:
    from berakhlak_research.framework import IKM_ELEMENT_CODES

    rng = np.random.default_rng(seed)
    n = n_units * per_unit
    unit = np.repeat(np.arange(n_units), per_unit)
    q = np.clip(rng.normal(0.72, 0.08, n_units), 0.05, 0.95)[unit]
    df = pd.DataFrame(
        {
            "gov_code": pd.Categorical.from_codes(unit % 552, [f"G{i:03d}" for i in range(552)]),
            "unit_code": pd.Categorical.from_codes(unit, [f"S{i:05d}" for i in range(n_units)]),
            "period": np.full(n, 2024),
        }
    )
    for c in IKM_ELEMENT_CODES:
        x = (1 + rng.binomial(3, q)).astype(np.int8)
        df[c] = pd.arrays.IntegerArray(x, rng.random(n) < 0.01)
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--respondents", type=int, default=4_300_000)
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--skm-units", type=int, default=24_000)
    ap.add_argument("--skm-per-unit", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from berakhlak_research import indices

    print(f"# bench_measure {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    df, units = make_culture(args.respondents, args.units, args.seed)
    print(f"culture: {len(df):,} respondents, {df['unit_code'].nunique():,} units, "
          f"{df['gov_code'].nunique()} governments")  # fmt: skip
    ours(df.head(100_000), units)  # warm-up (imports, caches)
    t_duck, t_duck1, t_ours = [], [], []
    peak = 0.0
    for _ in range(args.repeat):
        t_duck.append(duckdb_means(df))
        t_duck1.append(duckdb_means(df, threads=1))
        gc.collect()
        base = rss_mb()
        with PeakRSS() as p:
            secs, tabs = ours(df, units)
        t_ours.append(secs)
        peak = max(peak, p.peak - base)
        rows = {k: len(v) for k, v in tabs.items()}
        del tabs
        gc.collect()
        print(f"  duckdb means {t_duck[-1]:.2f} s (1 thread: {t_duck1[-1]:.2f} s) | ours (raking + "
              f"all indices with SE) {secs:.2f} s | ratio {secs / t_duck[-1]:.2f} "
              f"(vs 1 thread {secs / t_duck1[-1]:.2f}) | peak +{p.peak - base:.0f} MB | "
              f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"rows: {rows}")
    print(f"median: duckdb {np.median(t_duck):.2f} s (1 thread {np.median(t_duck1):.2f} s), "
          f"ours {np.median(t_ours):.2f} s, ratio {np.median(t_ours) / np.median(t_duck):.2f} "
          f"(vs 1 thread {np.median(t_ours) / np.median(t_duck1):.2f}); best-of ratio "
          f"{min(t_ours) / min(t_duck):.2f}; max peak memory above data {peak:.0f} MB")  # fmt: skip
    del df
    gc.collect()
    skm = make_skm(args.skm_units, args.skm_per_unit, args.seed)
    indices.ikm(skm.head(10_000), by=["gov_code", "unit_code", "period"])
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = indices.ikm(skm, by=["gov_code", "unit_code", "period"])
        times.append(time.perf_counter() - t0)
    print(f"IKM with SE for {len(out):,} units ({len(skm):,} responses): "
          f"{', '.join(f'{t:.2f}' for t in times)} s (median {np.median(times):.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
