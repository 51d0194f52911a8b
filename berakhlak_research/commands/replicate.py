"""``berakhlak replicate``: re-run the replication package on the bundled synthetic study.

Simulates the demo-scale study with its fixed seed, runs ingest, measure and
model with fixed seeds, then executes ``notebooks/replication.ipynb``, which
writes its tables (CSV, XLSX) and figures (PNG) and an HTML page to
``reports/replication/``. With ``--check`` the tables are compared with the
committed expected tables in ``replication/expected/`` within the tolerances
of :data:`TOLERANCE`; any drift fails (exit 1) with the cells that moved.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from berakhlak_research.paths import NOTEBOOKS_DIR, PROJECT_DIR

__all__ = ["add_parser", "run", "compare_tables", "CHECKED_TABLES", "TOLERANCE", "SEED"]

SEED = 20230515
"""The study's seed (the date of the Kota Pasuruan workshop)."""

CHECKED_TABLES = (
    "descriptives",
    "reliability",
    "cfa_fit",
    "did_overall",
    "did_event_time",
    "value_chain",
    "culture_ikm_link",
)
"""Replication tables compared by ``--check`` (provenance holds times and hashes: not compared)."""

TOLERANCE = {"rtol": 1e-6, "atol": 1e-6}
"""Numbers may differ by at most ``atol + rtol * abs(expected)`` (numpy.isclose); text must match."""

EXPECTED_DIR = PROJECT_DIR / "replication" / "expected"
TEMPLATE = NOTEBOOKS_DIR / "replication.ipynb"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "replicate",
        help="re-run the replication notebook on the bundled synthetic study",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("--check", action="store_true", help="compare with replication/expected")
    p.add_argument("--out", default="reports/replication", help="output folder")
    p.add_argument("--n-boot", type=int, default=199, help="bootstrap draws in the models")
    p.add_argument("--reuse", action="store_true", help="reuse the study already in OUT/work")
    p.add_argument("--update-expected", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def compare_tables(
    actual_dir: str | Path, expected_dir: str | Path, tables=CHECKED_TABLES, **tolerance
) -> list[str]:
    """Compare replication tables with the expected ones.

    Parameters
    ----------
    actual_dir, expected_dir : path
        Folders holding ``<table>.csv``.
    tables : iterable of str
        Table names to compare.
    **tolerance
        ``rtol`` and ``atol`` for numbers (default :data:`TOLERANCE`).

    Returns
    -------
    list of str
        One line per problem (missing table, shape or column change, a number
        outside the tolerance, a text cell that differs); empty when all agree.
    """
    import numpy as np
    import pandas as pd

    tol = {**TOLERANCE, **tolerance}
    problems = []
    for name in tables:
        a_path, e_path = Path(actual_dir) / f"{name}.csv", Path(expected_dir) / f"{name}.csv"
        if not e_path.exists():
            problems.append(f"{name}: no expected table {e_path}")
            continue
        if not a_path.exists():
            problems.append(f"{name}: the run wrote no {a_path}")
            continue
        a, e = pd.read_csv(a_path), pd.read_csv(e_path)
        if list(a.columns) != list(e.columns) or len(a) != len(e):
            problems.append(
                f"{name}: shape {a.shape} / columns {list(a.columns)} differ from expected "
                f"{e.shape} / {list(e.columns)}"
            )
            continue
        for col in e.columns:
            ea, aa = e[col], a[col]
            if pd.api.types.is_numeric_dtype(ea) and pd.api.types.is_numeric_dtype(aa):
                x, y = aa.to_numpy(float), ea.to_numpy(float)
                ok = np.isclose(x, y, equal_nan=True, **tol)
                for i in np.flatnonzero(~ok)[:5]:
                    problems.append(
                        f"{name}: row {i}, column {col!r}: {x[i]!r} vs expected {y[i]!r}"
                    )
            else:
                diff = ea.astype("string").fillna("") != aa.astype("string").fillna("")
                for i in np.flatnonzero(diff.to_numpy())[:5]:
                    problems.append(
                        f"{name}: row {i}, column {col!r}: {aa.iloc[i]!r} vs {ea.iloc[i]!r}"
                    )
    return problems


def _stage(argv: list[str]) -> None:
    from berakhlak_research.cli import main
    from berakhlak_research.exceptions import ReportError

    print(f"== berakhlak {' '.join(argv)}", flush=True)
    code = main(argv)
    if code == 2:
        raise ReportError(f"replicate: stage `berakhlak {' '.join(argv)}` failed (exit 2).")


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.reporting import export, runner

    out = Path(args.out).resolve()
    work = out / "work"
    raw, data, results = work / "raw", work / "data", work / "results"
    t0 = time.perf_counter()
    if not (args.reuse and (results / "catalog.json").exists()):
        shutil.rmtree(work, ignore_errors=True)
        _stage(["simulate", "--out", str(raw), "--scale", "demo", "--seed", str(SEED)])
        _stage(["ingest", str(raw), "--out", str(data)])
        _stage(["measure", str(data), "--out", str(results)])
        _stage(["model", str(data), "--out", str(results), "--n-boot", str(args.n_boot),
                "--seed", str(SEED)])  # fmt: skip
    print("== replication notebook", flush=True)
    t_nb = time.perf_counter()
    params = {"results_dir": str(results), "output_dir": str(out), "lang": "en", "min_group": 10,
              "wave": 0}  # fmt: skip
    # this process's long-lived kernel (shut down at exit), shared with `report --jobs 1`
    nb = runner.kernel_worker().execute(str(TEMPLATE), params, cwd=str(out))
    (out / "replication.html").write_text(
        export.notebook_html(nb, "berakhlak-research replication"), encoding="utf-8"
    )
    from berakhlak_research import store

    export.write_manifest(
        out,
        {
            "status": "ok",
            "parameters": {**params, "seed": SEED, "n_boot": args.n_boot},
            "template": str(TEMPLATE),
            "input_hash": export.input_hash(results, TEMPLATE, params),
            "inputs": {
                "template_sha256": store.file_sha256(TEMPLATE),
                "tables_sha256": {k: v["sha256"] for k, v in store.catalog(results).items()},
            },
            "git_commit": export.git_commit(),
            "timings": {"total_s": round(time.perf_counter() - t0, 2),
                        "notebook_s": round(time.perf_counter() - t_nb, 2)},
        },
    )  # fmt: skip
    print(f"replicate: tables in {out / 'tables'}, figures in {out / 'figures'} "
          f"[{time.perf_counter() - t0:.0f} s]")  # fmt: skip
    if args.update_expected:
        EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
        for name in CHECKED_TABLES:
            src = out / "tables" / f"{name}.csv"
            if not src.exists():
                print(f"replicate: no table {name!r} was produced (its results are missing)")
                continue
            shutil.copy(src, EXPECTED_DIR / f"{name}.csv")
        print(f"replicate: expected tables updated in {EXPECTED_DIR}")
    if args.check:
        problems = compare_tables(out / "tables", EXPECTED_DIR)
        if problems:
            print(f"replicate --check: {len(problems)} differences from {EXPECTED_DIR}:")
            for p in problems:
                print("  " + p)
            return 1
        print(f"replicate --check: all {len(CHECKED_TABLES)} tables match {EXPECTED_DIR} "
              f"(rtol {TOLERANCE['rtol']:g}, atol {TOLERANCE['atol']:g}).")  # fmt: skip
    return 0
