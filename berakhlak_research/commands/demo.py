"""``berakhlak demo``: the main job on bundled synthetic data, end to end.

Runs, in order, every pipeline stage whose command exists: simulate the demo
scale, ingest (validate and quarantine), measure, model, and report for every
government. Each stage is the ordinary subcommand with ordinary arguments, so
the demo exercises exactly what a user runs. Ends by saying what it produced
and where.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

__all__ = ["add_parser", "run", "demo_plan"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the main job on bundled synthetic data, end to end",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("--out", default="demo", help="folder for everything the demo writes")
    p.add_argument("--seed", type=int, default=20230515)
    p.add_argument("--jobs", type=int, default=None, help="parallel report workers")
    p.set_defaults(run=run)


def demo_plan(out: Path, seed: int, jobs: int | None) -> list[tuple[str, list[str], str]]:
    """The stages: (command, arguments, what it produces)."""
    raw, data, results, reports = out / "raw", out / "data", out / "results", out / "reports"
    job = [] if jobs is None else ["--jobs", str(jobs)]
    return [
        ("simulate", ["--out", str(raw), "--scale", "demo", "--seed", str(seed)],
         f"raw exports and truth.json in {raw}"),
        ("ingest", [str(raw), "--out", str(data)],
         f"validated Parquet in {data / 'processed'}, rejected rows in {data / 'interim'}"),
        ("measure", [str(data), "--out", str(results)], f"indices in {results}"),
        ("model", [str(data), "--out", str(results)], f"model tables in {results}"),
        ("report", ["--results", str(results), "--all", "--out", str(reports), *job],
         f"reports and index page in {reports}"),
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.cli import main

    out = Path(args.out)
    done, skipped = [], []
    for command, argv, produces in demo_plan(out, args.seed, args.jobs):
        if importlib.util.find_spec(f"berakhlak_research.commands.{command}") is None:
            skipped.append(command)
            continue
        print(f"== berakhlak {command} {' '.join(argv)}", flush=True)
        t0 = time.perf_counter()
        code = main([command, *argv])
        if code == 2:
            print(f"demo: stage '{command}' failed (exit 2); stopping.")
            return 2
        done.append((command, produces, time.perf_counter() - t0, code))
    print("\nDemo finished. It produced:")
    for command, produces, secs, code in done:
        note = " (some rows rejected or reports failed; see above)" if code == 1 else ""
        print(f"  - {command}: {produces} [{secs:.1f} s]{note}")
    if skipped:
        print("Stages not yet part of this version: " + ", ".join(skipped) + ".")
    index = out / "reports"
    for page in sorted(index.glob("*/index.html")):
        print(f"Open the index page: {page.resolve()}")
    return 0
