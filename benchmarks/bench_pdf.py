"""PDF cost per report: headless Chromium printing rendered report pages to A4.

Usage::

    .venv/bin/python benchmarks/bench_pdf.py [--n 8] [--jobs 2]

Renders ``n`` government reports (English, the seeded results fixture of
tests/_data/report.py) with the batch runner, then prints each page to PDF
with :func:`berakhlak_research.reporting.export.write_pdf` one after another
and ``--jobs`` at a time, and reports seconds per report, the cost for 552
governments and whether it exceeds the issue's 0.3 s per report (above it,
PDFs stay opt-in: ``berakhlak report --pdf``). Also times the table exports
(:func:`outputs.write_tables`: two CSV flavours and the formatted XLSX) on the
same reports' tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # repository root: tests._data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)

    import pandas as pd

    from berakhlak_research.reporting import export, outputs, runner
    from tests._data.report import make_results

    if export.find_chromium() is None:
        print("no Chromium: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        info = make_results(Path(tmp) / "results", seed=1, n_govs=max(a.n, 6))
        govs = list(info["govs"])[: a.n]
        jobs = runner.plan_jobs(info["results"], govs, Path(tmp) / "out", lang="en")
        res = runner.run_batch(jobs, n_jobs=a.jobs, progress=False)
        pages = [Path(j.out_dir) / "report.html" for j in jobs]
        assert all(p.exists() for p in pages), res.summary()

        t0 = time.perf_counter()
        for p in pages:
            export.write_pdf(p)
        serial = (time.perf_counter() - t0) / len(pages)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(a.jobs) as pool:  # each call is its own browser process
            list(pool.map(export.write_pdf, pages))
        parallel = (time.perf_counter() - t0) / len(pages)
        sizes = [p.with_name("report.pdf").stat().st_size / 1024 for p in pages]

        # table exports: re-read what the reports wrote and write it again
        tables = [
            {f.stem: pd.read_csv(f) for f in sorted((Path(j.out_dir) / "tables").glob("*.csv"))}
            for j in jobs
        ]
        t0 = time.perf_counter()
        for k, tb in enumerate(tables):
            outputs.write_tables(Path(tmp) / "again" / str(k), tb, lang="id")
        write_s = (time.perf_counter() - t0) / len(tables)

    load = os.getloadavg()
    lines = [
        f"## PDF per report ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `benchmarks/bench_pdf.py --n {len(pages)} --jobs {a.jobs}`)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores visible, load average "
        f"{load[0]:.1f} (shared with other jobs); Chromium {export.find_chromium()}.",
        "",
        f"- One after another: **{serial:.2f} s per report** (a browser start, layout and print each).",
        f"- {a.jobs} at a time: **{parallel:.2f} s per report** wall.",
        f"- 552 governments at that rate: {552 * parallel / 60:.1f} min extra.",
        f"- PDF size: {min(sizes):.0f}-{max(sizes):.0f} kB.",
        "- Above the issue's 0.3 s per report, so PDFs are **opt-in** (`berakhlak report --pdf`).",
        f"- Table exports (program CSV + excel/ CSV + formatted XLSX with notes sheet): {write_s * 1000:.0f} ms per report.",
        "",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
