"""``berakhlak ingest RAW_DIR --out DIR``: validated Parquet, quarantined rows, ingest log.

Every CSV/XLSX/Parquet file under RAW_DIR (recursively) is read and validated;
accepted rows go to DIR/processed/<table>.parquet, rejected rows with their
rule, column and reason to DIR/interim/rejected/<table>-<source>.csv, and the
row accounting with each raw file's SHA-256 to DIR/interim/ingest-log.json.
Raw files are only read. Exit code 0 when every row was accepted, 1 when some
were rejected, 2 when a file is unusable as a whole (nothing is written).
"""

from __future__ import annotations

import argparse

from berakhlak_research.commands.validate import print_summary
from berakhlak_research.framework import LIKERT_POINTS
from berakhlak_research.periods import DATE_RULES
from berakhlak_research.tables import TABLE_NAMES

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="validate raw exports into Parquet; keep rejected rows aside",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("raw_dir", metavar="RAW_DIR", help="folder (or file) of raw exports")
    p.add_argument("--out", required=True, metavar="DIR", help="data folder to write into")
    p.add_argument("--table", choices=TABLE_NAMES, help="table of every file (default: inferred)")
    p.add_argument("--sheet", help="worksheet to read in workbooks (default: the first)")
    p.add_argument("--likert-points", type=int, default=LIKERT_POINTS,
                   help="length of the culture answer scale (default 5)")  # fmt: skip
    p.add_argument("--period-rule", choices=DATE_RULES, default="year",
                   help="period a survey date in an SKM 'Periode' column belongs to "
                        "(default: its year)")  # fmt: skip
    p.add_argument("--mapping", metavar="FILE",
                   help="questionnaire mapping (TOML or YAML): columns, answer labels, period "
                        "rule, constant codes; `berakhlak mapping draft` writes one")  # fmt: skip
    p.add_argument("--max-problems", type=int, default=20, help="problems to print (default 20)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.io import ingest

    result = ingest(
        args.raw_dir, args.out, table=args.table, likert_points=args.likert_points,
        sheet=args.sheet, period_rule=args.period_rule, mapping=args.mapping,
    )  # fmt: skip
    print_summary(result, args.max_problems)
    for t, info in result.log["tables"].items():
        print(f"wrote {info['output']} ({info['rows_accepted']} rows of {t})")
    n_rej = sum(1 for r in result.log["files"] if r.get("rejected_file"))
    if n_rej:
        print(f"Rejected rows kept in {n_rej} file(s) under {args.out}/interim/rejected/.")
    for line in result.log.get("methods", []):
        print(f"note: {line}")
    print(f"Log: {args.out}/interim/ingest-log.json")
    return result.exit_code
