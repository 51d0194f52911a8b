"""``berakhlak model DATA_DIR --out RESULTS``: intervention and value-chain models.

Reads the validated tables in ``DATA_DIR/processed``, builds the unit-wave and
government-wave panels once (:func:`berakhlak_research.pipeline.model_inputs`), fits the
staggered difference-in-differences and TWFE comparison
(:func:`berakhlak_research.models.did.model_tables`), the power table, and the
value-chain models (:func:`berakhlak_research.models.value_chain.model_tables`),
and writes every table to the results store.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "model",
        help="fit intervention (staggered DiD) and value-chain models -> results store",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("data_dir", help="folder written by `berakhlak ingest` (holds processed/)")
    p.add_argument("--out", required=True, help="results folder (the results store)")
    p.add_argument("--n-boot", type=int, default=999, help="bootstrap draws (default 999)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from berakhlak_research import store
    from berakhlak_research.pipeline import fit_models

    tables = fit_models(args.data_dir, n_boot=args.n_boot, seed=args.seed)
    for name, df in tables.items():
        store.write_table(args.out, name, df)
    print(f"model: wrote {len(tables)} tables to {Path(args.out).resolve()}")
    return 0
