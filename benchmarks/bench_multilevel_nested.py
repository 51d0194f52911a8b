"""Benchmark: nested random intercepts at national scale (fast path vs lme4 vs MixedLM).

Data: ``rows`` respondents in ``units`` work units in ``govs`` governments,
``y = 60 + 0.4 x1 + 2 x2 + u_gov + u_gov:unit + e`` with ``x1`` a respondent
covariate and ``x2`` a unit covariate; sd(u_gov) = 3, sd(u_gov:unit) = 4,
sd(e) = 10. Unit codes repeat across governments (1..k within each government,
as real unit codes do), so the nesting must come from the path, not the code.
Model: lme4 ``y ~ x1 + x2 + (1 | gov) + (1 | gov:unit)``, REML.

Timed in one run, on the same data:

* fast path: ``random_intercept(df, "y ~ x1 + x2", ["gov", "unit"])`` from the
  DataFrame, everything included (design, per-group sums, optimisation, BLUPs
  and the profile-likelihood intervals of both variance components and the ICCs);
* lme4 ``lmer`` via ``Rscript`` on the full data (CSV read with data.table::fread
  outside the timer; only the ``lmer`` call is timed, no profile);
* statsmodels MixedLM with a variance component for units within governments,
  on a subsample of whole governments (``--mixedlm-govs``; its cost grows with
  rows x units, so the full data is out of reach), timed against the fast path on
  the same subsample.

Usage::

    .venv/bin/python benchmarks/bench_multilevel_nested.py [--rows 4300000]
        [--units 40000] [--govs 552] [--mixedlm-govs 10] [--no-lme4] [--no-mixedlm]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from bench_multilevel import run_r  # the same CSV -> Rscript plumbing


def make_data(rows: int, units: int, govs: int, seed: int = 20261206) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    unit_gov = np.sort(rng.integers(0, govs, units))
    # Unit codes 1..k within each government (repeated across governments).
    first = np.searchsorted(unit_gov, np.arange(govs))
    unit_code = np.arange(units) - first[unit_gov] + 1
    unit = np.sort(rng.integers(0, units, rows))
    x2u = rng.normal(size=units)
    u_gov = rng.normal(0, 3.0, govs)
    u_unit = rng.normal(0, 4.0, units)
    x1 = rng.normal(size=rows)
    y = 60 + 0.4 * x1 + 2.0 * x2u[unit] + u_gov[unit_gov[unit]] + u_unit[unit]
    y = y + rng.normal(0, 10, rows)
    return pd.DataFrame(
        {"y": y, "x1": x1, "x2": x2u[unit], "gov": unit_gov[unit], "unit": unit_code[unit]}
    )


def time_fast(df):
    from berakhlak_research.models.multilevel import random_intercept

    c0, t0 = time.process_time(), time.perf_counter()
    fit = random_intercept(df, "y ~ x1 + x2", ["gov", "unit"])
    return time.perf_counter() - t0, time.process_time() - c0, fit


R_CODE = r"""
suppressPackageStartupMessages({library(lme4); library(data.table)})
d <- fread(commandArgs(TRUE)[1])
d$gov <- factor(d$gov); d$unit <- factor(d$unit)
# Tight tolerances (as tests/r/multilevel_nested_reference.R): lme4's defaults stop
# about 1e-4 short of the optimum in the variances.
ctrl <- lmerControl(optimizer = "nloptwrap",
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12))
t <- system.time(m <- lmer(y ~ x1 + x2 + (1 | gov) + (1 | gov:unit), data = d, REML = TRUE,
                           control = ctrl))[["elapsed"]]
vc <- as.data.frame(VarCorr(m))
v <- setNames(vc$vcov, vc$grp)
cat(sprintf("%.6f %.12g %.12g %.12g %.12g %.12g %.12g %.8f\n", t, fixef(m)[1], fixef(m)[2],
            fixef(m)[3], v[["gov"]], v[["gov:unit"]], v[["Residual"]], REMLcrit(m)))
"""


def time_lme4(df):
    out = run_r(df, R_CODE)
    return None if out is None else (out[0], np.array(out[1:]))


def time_mixedlm(df):
    import statsmodels.api as sm

    t0 = time.perf_counter()
    md = sm.MixedLM.from_formula(
        "y ~ x1 + x2", df, groups=df["gov"], re_formula="1", vc_formula={"unit": "0 + C(unit)"}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = md.fit(reml=True)
    return time.perf_counter() - t0, res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4_300_000)
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--govs", type=int, default=552)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mixedlm-govs", type=int, default=10)
    ap.add_argument("--no-lme4", action="store_true")
    ap.add_argument("--no-mixedlm", action="store_true")
    args = ap.parse_args(argv)

    df = make_data(args.rows, args.units, args.govs)
    print(f"# bench_multilevel_nested  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.processor() or platform.machine()}, cores={os.cpu_count()}")
    n_units = df.groupby(["gov", "unit"]).ngroups
    print(
        f"data: {len(df):,} rows, {n_units:,} units in {df['gov'].nunique():,} governments "
        f"({df['unit'].nunique():,} distinct unit codes)"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores)")
    runs = [time_fast(df) for _ in range(args.repeat)]
    t_fast = min(r[0] for r in runs)
    fit = runs[-1][2]
    fe = fit.fixed["estimate"].to_numpy()
    var = fit.variance.set_index("component")
    print(
        f"fast path ({fit.path}, with profile intervals): best of {args.repeat}: {t_fast:.2f} s; "
        "all: "
        + ", ".join(f"{r[0]:.2f}" for r in runs)
        + f"; CPU s of this process, best {min(r[1] for r in runs):.2f} (profiling runs in a second process)"
    )
    print(
        f"  fixed {np.round(fe, 6)}, converged {fit.converged}, REML criterion {fit.deviance:.6f}"
    )
    print(var[["estimate", "ci_low", "ci_high", "icc", "icc_ci_low", "icc_ci_high"]].to_string())

    if not args.no_lme4:
        got = time_lme4(df)
        if got is None:
            print("lme4: Rscript not found, skipped")
        else:
            t_r, v = got
            ours = np.array(
                [
                    *fe,
                    var.loc["gov", "estimate"],
                    var.loc["gov:unit", "estimate"],
                    var.loc["residual", "estimate"],
                ]
            )
            rel = np.abs(ours - v[:6]) / np.abs(v[:6])
            print(
                f"lme4 lmer (REML, tight tolerances, lmer call only): {t_r:.1f} s; lme4 / fast path {t_r / t_fast:.0f}x"
            )
            print(
                f"  lme4 fixed {np.round(v[:3], 6)}, var gov {v[3]:.6f}, gov:unit {v[4]:.6f}, "
                f"residual {v[5]:.6f}, REMLcrit {v[6]:.6f}"
            )
            print(
                "  max relative difference fast vs lme4 (fixed, 3 variances): "
                f"{rel.max():.1e}; REML criterion difference {fit.deviance - v[6]:.2e}"
            )

    if not args.no_mixedlm:
        sub = df[df["gov"] < args.mixedlm_govs]
        t_m, res = time_mixedlm(sub)
        t_s, _, fit_s = time_fast(sub)
        vs = fit_s.variance.set_index("component")["estimate"]
        print(
            f"MixedLM (variance component, REML) on a subsample of {args.mixedlm_govs} governments "
            f"({len(sub):,} rows, {sub.groupby(['gov', 'unit']).ngroups:,} units): {t_m:.1f} s; "
            f"fast path on the same subsample {t_s:.2f} s ({t_m / t_s:.0f}x)"
        )
        print(
            f"  MixedLM var gov {float(res.cov_re.iloc[0, 0]):.6f} (fast {vs['gov']:.6f}), "
            f"gov:unit {float(res.vcomp[0]):.6f} (fast {vs['gov:unit']:.6f}), "
            f"residual {res.scale:.6f} (fast {vs['residual']:.6f})"
        )


if __name__ == "__main__":
    main()
