"""``berakhlak mapping draft FILE [-o OUT]``: a draft questionnaire mapping from an export's headers.

Headers that name a known column, an SKM element or a question text asking
about one element are mapped; code-only headers ("Unsur 8") and everything
else are listed as comments to fill in. Check the draft, then run
``berakhlak ingest RAW_DIR --out DIR --mapping OUT``. See data/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "mapping",
        help="write a draft questionnaire mapping from an export's headers",
        description=__doc__.split("\n\n")[1],
    )
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = acts.add_parser("draft", help="draft a mapping (TOML) from a file's headers")
    d.add_argument("file", metavar="FILE", help="an SKM export (CSV, XLSX, Parquet)")
    d.add_argument("-o", "--out", metavar="OUT", help="write here (default: print it)")
    d.add_argument("--sheet", help="worksheet of a workbook (default: the first)")
    d.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.exceptions import FileProblem
    from berakhlak_research.io.mapping import draft_mapping

    text = draft_mapping(args.file, sheet=args.sheet)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.resolve() == Path(args.file).resolve():
        raise FileProblem(f"{out}: would overwrite the export itself; choose another -o.", str(out))
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}; check it, then: berakhlak ingest RAW_DIR --out DIR --mapping {out}")
    return 0
