"""Report throughput: the batch runner against a plain papermill loop over the same notebook.

Usage::

    .venv/bin/python benchmarks/bench_reports.py [--n 40] [--jobs 2] [--results DIR]

Without ``--results`` a synthetic results folder shaped like the results-store
contract is generated for ``n`` governments (tests/_data/report.py). Both
methods render the same ``notebooks/government_report.ipynb`` for the same
governments and export HTML without code:

* baseline: for each government, ``papermill.execute_notebook`` (a new kernel
  per report) then nbconvert's HTMLExporter, one after another;
* runner: ``berakhlak_research.reporting.runner.run_batch`` with ``--jobs``
  worker processes, each keeping one kernel alive.

The runner is also timed on a quarter of the governments so that the
per-report marginal cost (slope) and the fixed start-up cost (intercept) can
be separated; the time for all 552 governments is extrapolated from them.
CPU seconds (this process and its reaped children: workers and kernels) are
reported too, as they are less sensitive to other load on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # repository root: tests._data


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def papermill_loop(jobs) -> tuple[float, float]:
    import papermill
    from nbconvert import HTMLExporter

    t0, c0 = time.perf_counter(), _cpu()
    for job in jobs:
        out = Path(job.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        nb = papermill.execute_notebook(
            job.template, str(out / "report.ipynb"), parameters=job.parameters, progress_bar=False
        )
        body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
        (out / "report.html").write_text(body, encoding="utf-8")
    return time.perf_counter() - t0, _cpu() - c0


def runner_batch(jobs, n_jobs: int) -> tuple[float, float]:
    from berakhlak_research.reporting import runner

    t0, c0 = time.perf_counter(), _cpu()
    res = runner.run_batch(jobs, n_jobs=n_jobs, progress=False, index=True)
    if res.failed:
        raise SystemExit(res.summary())
    return time.perf_counter() - t0, _cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", default=None)
    ap.add_argument("--out", default=str(HERE / "results" / "reports.md"))
    args = ap.parse_args()

    from berakhlak_research.reporting import runner

    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    if args.results:
        results = Path(args.results)
        source = f"results folder {results}"
    else:
        from tests._data.report import make_results

        results = make_results(tmp / "results", seed=0, n_govs=args.n)["results"]
        source = "synthetic contract-shaped results (tests/_data/report.py)"
    govs = runner.plan_jobs(results, None, tmp / "x", lang="id")
    codes = [j.gov_code for j in govs][: args.n]
    n, small = len(codes), max(2 * args.jobs, len(codes) // 4)

    jobs_pm = runner.plan_jobs(results, codes, tmp / "papermill", lang="id")
    jobs_small = runner.plan_jobs(results, codes[:small], tmp / "runner_small", lang="id")
    jobs_all = runner.plan_jobs(results, codes, tmp / "runner", lang="id")

    load0 = os.getloadavg()
    t_small, c_small = runner_batch(jobs_small, args.jobs)
    t_run, c_run = runner_batch(jobs_all, args.jobs)
    t_pm, c_pm = papermill_loop(jobs_pm)
    load1 = os.getloadavg()

    slope = (t_run - t_small) / (n - small)
    intercept = max(0.0, t_run - slope * n)
    t552 = intercept + slope * 552
    lines = [
        "# Report throughput",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}.",
        f"Data: {source}; notebook notebooks/government_report.ipynb; {n} governments; "
        f"`--jobs {args.jobs}`.",
        f"Load average (1 min) before/after: {load0[0]:.1f} / {load1[0]:.1f} "
        "(other processes were using the machine if this exceeds the core count).",
        "",
        "| method | reports | wall s | s/report | reports/min | CPU s/report |",
        "|---|---|---|---|---|---|",
        f"| plain papermill loop (kernel per report, nbconvert export) | {n} | {t_pm:.1f} | "
        f"{t_pm / n:.2f} | {60 * n / t_pm:.1f} | {c_pm / n:.2f} |",
        f"| runner, {args.jobs} workers, kernel reused | {small} | {t_small:.1f} | "
        f"{t_small / small:.2f} | {60 * small / t_small:.1f} | {c_small / small:.2f} |",
        f"| runner, {args.jobs} workers, kernel reused | {n} | {t_run:.1f} | {t_run / n:.2f} | "
        f"{60 * n / t_run:.1f} | {c_run / n:.2f} |",
        "",
        f"- Throughput ratio runner / papermill loop on {n} governments: **{t_pm / t_run:.1f}x**.",
        f"- Marginal cost per report (slope between {small} and {n} reports): **{slope:.2f} s** "
        f"wall with {args.jobs} workers; fixed start-up (intercept) {intercept:.1f} s.",
        f"- Extrapolated time for all 552 governments with {args.jobs} workers: "
        f"**{t552:.0f} s ({t552 / 60:.1f} min)** (goal <= 4 min).",
        f"- CPU per report, runner: {c_run / n:.2f} s; papermill loop: {c_pm / n:.2f} s.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
