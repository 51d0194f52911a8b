"""The ``berakhlak`` command.

Each subcommand lives in its own module under :mod:`berakhlak_research.commands`
with two functions, ``add_parser(subparsers)`` and ``run(args) -> int``. The
command lists the subcommands whose module exists, in the order of the data
flow, so ``berakhlak --help`` grows as features land.

Exit codes: 0 success; 1 done, but some rows were rejected or some reports
failed (said on screen); 2 unusable input (nothing written).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from berakhlak_research import __version__
from berakhlak_research.exceptions import BerakhlakError, FileProblem, InputError

__all__ = ["main", "build_parser", "COMMANDS"]

COMMANDS = (
    "simulate",
    "validate",
    "mapping",
    "ingest",
    "measure",
    "model",
    "report",
    "replicate",
    "demo",
)


def _available() -> list[str]:
    return [
        c
        for c in COMMANDS
        if importlib.util.find_spec(f"berakhlak_research.commands.{c}") is not None
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="berakhlak",
        description=(
            "Measure BerAKHLAK work culture, evaluate culture programmes and model "
            "their link to public satisfaction (IKM)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _available():
        module = importlib.import_module(f"berakhlak_research.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except FileProblem as err:
        print(f"berakhlak {args.command}: {err}", file=sys.stderr)
        return 2
    except (InputError, BerakhlakError) as err:
        print(f"berakhlak {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
