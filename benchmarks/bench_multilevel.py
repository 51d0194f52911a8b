"""Benchmark: random-intercept model at national scale (fast path vs MixedLM vs lme4).

Data: ``rows`` respondents in ``units`` work units (sizes Poisson around the
mean), ``y = 60 + 0.4 x1 + 2 x2 + u_unit + e`` with ``x1`` a respondent
covariate and ``x2`` a unit covariate. Timings are wall-clock, in one run, on
the same data:

* fast path: ``random_intercept(df, "y ~ x1 + x2", "unit")`` from the DataFrame
  (design, sufficient statistics, optimisation, BLUPs) — everything included;
* statsmodels MixedLM (REML) on the full data, or with ``--mixedlm-rows`` on a
  subsample of whole units, extrapolated linearly in the number of units (the
  documented per-group cost), as the output says;
* lme4 ``lmer`` (REML) via ``Rscript``: the data are written to CSV, read with
  data.table::fread; only the ``lmer`` call is timed.

Usage::

    .venv/bin/python benchmarks/bench_multilevel.py [--rows 4300000] [--units 40000]
        [--mixedlm-rows N] [--no-mixedlm] [--no-lme4]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd


def make_data(rows: int, units: int, seed: int = 20230515) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit = np.sort(rng.integers(0, units, rows))
    x2u = rng.normal(size=units)
    x1 = rng.normal(size=rows)
    y = 60 + 0.4 * x1 + 2.0 * x2u[unit] + rng.normal(0, 4.0, units)[unit] + rng.normal(0, 10, rows)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2u[unit], "unit": unit})


def reml_deviance_at(df, tau2: float, sigma2: float) -> float:
    """Profiled REML criterion of the benchmark model at lambda = tau2 / sigma2.

    Lets the three fits be compared on one objective: the lower, the closer to
    the REML optimum.
    """
    from berakhlak_research.models import multilevel as ml

    y, X, _, _ = ml.design(df, "y ~ x1 + x2")
    # Centred as in the fast path (same criterion, less cancellation).
    y = y - y.mean()
    X[:, 1:] -= X[:, 1:].mean(axis=0)
    codes, uniq = pd.factorize(df["unit"].to_numpy())
    st = ml._fast.sufficient_stats(y, X, codes.astype(np.intp), len(uniq))
    return ml._fast.profile(tau2 / sigma2, st, True)[0]


def time_fast(df):
    from berakhlak_research.models.multilevel import random_intercept

    c0, t0 = time.process_time(), time.perf_counter()
    fit = random_intercept(df, "y ~ x1 + x2", "unit")
    time_fast.cpu = time.process_time() - c0  # CPU seconds (robust to a busy machine)
    return time.perf_counter() - t0, fit


def time_mixedlm(df):
    import statsmodels.api as sm

    t0 = time.perf_counter()
    md = sm.MixedLM.from_formula("y ~ x1 + x2", df, groups=df["unit"])
    res = md.fit(reml=True)
    return time.perf_counter() - t0, res


R_CODE = r"""
suppressPackageStartupMessages({library(lme4); library(data.table)})
d <- fread(commandArgs(TRUE)[1])
d$unit <- factor(d$unit)
t <- system.time(m <- lmer(y ~ x1 + x2 + (1 | unit), data = d, REML = TRUE))[["elapsed"]]
vc <- as.data.frame(VarCorr(m))$vcov
cat(sprintf("%.6f %.10g %.10g %.10g %.10g %.10g\n", t, fixef(m)[1], fixef(m)[2], fixef(m)[3], vc[1], vc[2]))
"""


def run_r(df, code: str) -> list[float] | None:
    """Numbers an R script prints for ``df`` (written to CSV, its path the script's argument)."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "d.csv")
        df.to_csv(path, index=False)
        script = os.path.join(tmp, "b.R")
        with open(script, "w") as fh:
            fh.write(code)
        out = subprocess.run(
            ["Rscript", script, path], capture_output=True, text=True, check=True
        ).stdout.split()
    return [float(v) for v in out]


def time_lme4(df):
    out = run_r(df, R_CODE)
    return None if out is None else (out[0], out[1:])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4_300_000)
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--mixedlm-rows", type=int, default=0, help="subsample rows (0 = full)")
    ap.add_argument("--no-mixedlm", action="store_true")
    ap.add_argument("--no-lme4", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    df = make_data(args.rows, args.units)
    print(f"# bench_multilevel  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.processor() or platform.machine()}, cores={os.cpu_count()}")
    print(f"data: {len(df):,} rows, {df['unit'].nunique():,} units")
    times, cpus = [], []
    for _ in range(args.repeat):
        t, fit = time_fast(df)
        times.append(t)
        cpus.append(time_fast.cpu)
    t_fast = min(times)
    fe = fit.fixed["estimate"].to_numpy()
    vc = fit.variance["estimate"].to_numpy()
    print(
        f"fast path ({fit.path}): best of {args.repeat}: {t_fast:.2f} s; all: "
        + ", ".join(f"{t:.2f}" for t in times)
        + f"; CPU seconds (all threads), best: {min(cpus):.2f}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} (other jobs share the 2 cores)")
    print(
        f"  fixed {np.round(fe, 6)}, tau2 {vc[0]:.6f}, sigma2 {vc[1]:.6f}, converged {fit.converged}"
    )
    print(f"  REML criterion at the fast-path solution: {fit.deviance:.6f}")

    if not args.no_mixedlm:
        if args.mixedlm_rows and args.mixedlm_rows < len(df):
            keep_units = np.unique(df["unit"].to_numpy()[: args.mixedlm_rows])
            sub = df[df["unit"].isin(keep_units)]
            t, res = time_mixedlm(sub)
            scale = df["unit"].nunique() / sub["unit"].nunique()
            t_full = t * scale
            print(
                f"MixedLM on a subsample of {len(sub):,} rows / {sub['unit'].nunique():,} units: "
                f"{t:.2f} s; extrapolated linearly in units to the full data: {t_full:.1f} s"
            )
            t_sub_fast, _ = time_fast(sub)
            print(
                f"  fast path on the same subsample: {t_sub_fast:.3f} s "
                f"(ratio on the subsample {t / t_sub_fast:.1f}x)"
            )
        else:
            t_full, res = time_mixedlm(df)
            print(f"MixedLM (full data, REML, default optimiser): {t_full:.1f} s")
            tau2_m = float(res.cov_re.iloc[0, 0])
            print(
                f"  fixed {np.round(res.fe_params.to_numpy(), 6)}, tau2 {tau2_m:.6f}, "
                f"sigma2 {res.scale:.6f}; max |diff| vs fast fixed "
                f"{np.max(np.abs(res.fe_params.to_numpy() - fe)):.2e}; relative diff tau2 "
                f"{abs(tau2_m - vc[0]) / vc[0]:.1e}"
            )
            print(
                f"  REML criterion at MixedLM's lambda: "
                f"{reml_deviance_at(df, tau2_m, res.scale):.6f}"
            )
        print(f"  ratio MixedLM / fast path: {t_full / t_fast:.1f}x")
    if not args.no_lme4:
        got = time_lme4(df)
        if got is None:
            print("lme4: Rscript not found, skipped")
        else:
            t_r, vals = got
            print(
                f"lme4 lmer (REML, lmer call only): {t_r:.1f} s; ratio lme4 / fast path: "
                f"{t_r / t_fast:.1f}x"
            )
            print(
                f"  fixed {np.round(vals[:3], 6)}, tau2 {vals[3]:.6f}, sigma2 {vals[4]:.6f}; "
                f"max |diff| vs fast fixed {np.max(np.abs(np.array(vals[:3]) - fe)):.2e}, "
                f"variance {np.max(np.abs(np.array(vals[3:]) - vc)):.2e} "
                f"(relative tau2 {abs(vals[3] - vc[0]) / vc[0]:.1e})"
            )
            print(
                f"  REML criterion at lme4's lambda: {reml_deviance_at(df, vals[3], vals[4]):.6f}"
            )


if __name__ == "__main__":
    main()
