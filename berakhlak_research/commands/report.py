"""``berakhlak report``: render every government's report, the index page and the manifests.

Reads a results folder (``berakhlak measure`` and ``berakhlak model``
output), validates every report's parameters before running anything, then
executes the report notebook for each government in parallel (local
processes by default, a Dask cluster with ``--scheduler``), exports HTML
without code, tables (CSV, XLSX) and figures (SVG, or PNG with
``--figure-format png``), a PDF with ``--pdf``, and writes
``<out>/<wave>/index.html`` (and ``index_<lang>.html`` per language).
Failures are isolated, retried once and listed; the exit code is 1 when any
report failed.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "report",
        help="render reports for governments, the index page and manifests",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("--results", required=True, metavar="DIR", help="results folder")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--gov", nargs="+", metavar="CODE", help="government codes or names")
    who.add_argument("--all", action="store_true", help="every government with results")
    p.add_argument("--wave", type=int, default=0, help="survey year (default: the latest)")
    p.add_argument(
        "--lang",
        default="id",
        help="report language(s): id (default), en, or id,en for both (the first is primary; "
        "each report and index page links to the other language)",
    )
    p.add_argument("--min-group", type=int, default=10, help="smallest group shown (default 10)")
    p.add_argument(
        "--figure-format",
        choices=("svg", "png"),
        default="svg",
        help="figures as SVG (default: text stays text, about 3x faster) or PNG",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report to report.pdf (A4, headless Chromium; about 1-2 s per "
        "report, so off by default); the index links it",
    )
    p.add_argument("--jobs", type=int, default=None, help="local worker processes (default: cores)")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true", help="skip reports whose inputs are unchanged")
    p.add_argument(
        "--out", default="reports", metavar="DIR", help="output folder (default reports)"
    )
    p.add_argument("--template", default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.reporting import runner

    kw = {} if args.template is None else {"template": args.template}
    jobs = runner.plan_jobs(
        args.results,
        None if args.all else args.gov,
        args.out,
        wave=args.wave,
        lang=args.lang,
        min_group=args.min_group,
        figure_format=args.figure_format,
        pdf=args.pdf,
        **kw,
    )
    result = runner.run_batch(
        jobs,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
    )
    print(result.summary())
    if result.index is not None:
        print(f"Index page: {result.index.resolve()}")
    sys.stdout.flush()
    return 1 if result.failed else 0
