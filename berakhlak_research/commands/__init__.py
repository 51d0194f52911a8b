"""One module per ``berakhlak`` subcommand: ``add_parser(subparsers)`` and ``run(args)``.

A module's ``add_parser`` must call ``parser.set_defaults(run=run)``.
Subcommands, in the order of the data flow: :mod:`.simulate` (synthetic raw
exports with known truth), :mod:`.validate` (check exports, write nothing),
:mod:`.mapping` (a draft questionnaire mapping from an export's headers),
:mod:`.ingest` (validated Parquet and quarantine), :mod:`.measure` (indices,
intervals, benchmarks, psychometrics), :mod:`.model` (programme effects and the
value chain), :mod:`.report` (bilingual HTML reports), :mod:`.replicate` (the
replication package) and :mod:`.demo` (all of them on the demo data). The
modules are imported on use by :mod:`berakhlak_research.cli`, so ``berakhlak
--help`` stays fast.
"""

__all__ = [
    "simulate",
    "validate",
    "mapping",
    "ingest",
    "measure",
    "model",
    "report",
    "replicate",
    "demo",
]
