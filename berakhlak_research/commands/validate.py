"""``berakhlak validate PATH...``: check exports without writing anything.

Reads every CSV/XLSX/Parquet file given (folders searched recursively), maps
headers and labels, checks every rule, and prints the row accounting and each
problem with its file, sheet, row, column, value and rule. Exit code 0 when
every row passes, 1 when some rows would be rejected, 2 when a file is
unusable as a whole.
"""

from __future__ import annotations

import argparse

from berakhlak_research.framework import LIKERT_POINTS
from berakhlak_research.periods import DATE_RULES
from berakhlak_research.tables import TABLE_NAMES

__all__ = ["add_parser", "run", "print_summary"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="check raw exports and list every problem (writes nothing)",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--table", choices=TABLE_NAMES, help="table of every file (default: inferred)")
    p.add_argument("--sheet", help="worksheet to read in workbooks (default: the first)")
    p.add_argument("--likert-points", type=int, default=LIKERT_POINTS,
                   help="length of the culture answer scale (default 5)")  # fmt: skip
    p.add_argument("--period-rule", choices=DATE_RULES, default="year",
                   help="period a survey date in an SKM 'Periode' column belongs to "
                        "(default: its year)")  # fmt: skip
    p.add_argument("--mapping", metavar="FILE",
                   help="questionnaire mapping (TOML or YAML), as for ingest")  # fmt: skip
    p.add_argument("--max-problems", type=int, default=50,
                   help="problems to print (default 50; all are in the result)")  # fmt: skip
    p.set_defaults(run=run)


def print_summary(result, max_problems: int = 50) -> None:
    """Print the row accounting per file and the first problems."""
    for rep in result.log["files"]:
        sheet = f" [sheet {rep['sheet']}]" if rep["sheet"] else ""
        print(
            f"{rep['file']}{sheet}: {rep['table']}: read {rep['rows_read']}, "
            f"accepted {rep['rows_accepted']}, rejected {rep['rows_rejected']}"
            + (
                f" (blank rows skipped: {rep['blank_rows_skipped']})"
                if rep["blank_rows_skipped"]
                else ""
            )  # fmt: skip
        )
        if rep["columns_ignored"]:
            print("  columns not used: " + ", ".join(repr(c) for c in rep["columns_ignored"]))
        for n in rep.get("read_notes", []):
            print(f"  note: {n}")
        for w in rep.get("warnings", []):
            print(
                f"  warning: column {w['column']!r}, value {w['value']!r} in {w['rows']} row(s): "
                f"{w['rule']}; {w['action']}"
            )
        if rep.get("periods"):
            print("  periods: " + ", ".join(f"{k} ({v})" for k, v in rep["periods"].items()))
    for note in result.log["notes"]:
        print(f"note: {note}")
    t = result.log["totals"]
    print(
        f"Total: read {t['rows_read']} = accepted {t['rows_accepted']} "
        f"+ rejected {t['rows_rejected']}"
    )
    probs = result.problems  # a pandas DataFrame
    if len(probs):
        counts = probs.drop_duplicates(["file", "row", "rule"])["rule"].value_counts()
        print("Rejected rows by rule: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print("Problems (file, sheet, row, column, value, rule: reason):")
        for r in probs.head(max_problems).itertuples(index=False):
            sheet = f" [sheet {r.sheet}]" if isinstance(r.sheet, str) and r.sheet else ""
            print(
                f"  {r.file}{sheet} row {r.row}, column {r.column!r}, value {r.value!r}, "
                f"rule {r.rule}: {r.reason}"
            )
        if len(probs) > max_problems:
            print(f"  ... and {len(probs) - max_problems} more problems.")


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.io import validate_paths

    result = validate_paths(
        args.paths, table=args.table, likert_points=args.likert_points, sheet=args.sheet,
        period_rule=args.period_rule, mapping=args.mapping,
    )  # fmt: skip
    print_summary(result, args.max_problems)
    if result.exit_code:
        print("Some rows would be rejected (exit code 1); nothing was written.")
    else:
        print("All rows pass.")
    return result.exit_code
