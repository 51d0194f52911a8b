"""``berakhlak measure``: indices, uncertainty, benchmarks and suppression into the results store.

Reads the canonical tables that exist in ``DATA_DIR/processed/*.parquet``
(units, culture_responses, skm_responses, interventions) and writes, through
``store.write_table``: culture_index, culture_behaviour,
culture_benchmarks, survey_weights, ikm, ikm_elements, sample_adequacy,
suppression, reliability, item_total, cfa_fit, cfa_loadings, and the
reference tables units and interventions. Columns: ``docs/results_store.md``.
"""

from __future__ import annotations

import argparse

from berakhlak_research.framework import SUPPRESSION_MIN_GROUP as MIN_GROUP

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "measure",
        help="compute culture and IKM indices with intervals, benchmarks and suppression",
        description=__doc__.split("\n\n")[1],
    )
    p.add_argument("data_dir", metavar="DATA_DIR", help="folder holding processed/*.parquet")
    p.add_argument("--out", required=True, metavar="RESULTS", help="results folder")
    p.add_argument(
        "--min-group",
        type=int,
        default=MIN_GROUP,
        help=f"withhold groups with fewer respondents (default {MIN_GROUP}, at least 5)",
    )
    p.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="also compute Rao-Wu cluster-bootstrap intervals with N replicates",
    )
    p.add_argument("--seed", type=int, default=20230515, help="bootstrap seed")
    p.add_argument(
        "--no-fpc",
        action="store_true",
        help="ignore finite-population corrections (with-replacement variance)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.pipeline import measure

    written = measure(
        args.data_dir,
        args.out,
        min_group=args.min_group,
        bootstrap=args.bootstrap,
        seed=args.seed,
        fpc=not args.no_fpc,
    )
    print(f"measure: wrote {len(written)} tables to {args.out}: {', '.join(sorted(written))}")
    n_sup = len(written.get("suppression", []))
    if n_sup:
        print(
            f"measure: {n_sup} groups withheld (fewer than {args.min_group} respondents); see 'suppression'."
        )
    return 0
