"""``berakhlak model DATA_DIR --out RESULTS``: intervention and value-chain models.

Reads the validated tables in ``DATA_DIR/processed``, builds the unit-wave and
government-wave panels once (:mod:`berakhlak_research.models.panel`), fits the
staggered difference-in-differences and TWFE comparison
(:func:`berakhlak_research.models.did.model_tables`), the power table, and the
value-chain models (:func:`berakhlak_research.models.value_chain.model_tables`),
and writes every table to the results store.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from berakhlak_research.exceptions import FileProblem

__all__ = ["add_parser", "run", "fit_models", "model_inputs"]


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


def _read(processed: Path, name: str, required: bool = True) -> pd.DataFrame | None:
    path = processed / f"{name}.parquet"
    if not path.exists():
        if required:
            raise FileProblem(
                f"{path} is missing: `berakhlak model` needs the validated {name} table. "
                f"Run `berakhlak ingest RAW_DIR --out {processed.parent}` first.",
                str(path),
            )
        return None
    return pd.read_parquet(path)


def model_inputs(data_dir: str | Path) -> dict[str, pd.DataFrame | None]:
    """Read the processed tables and build the unit-wave and government-wave panels.

    Unit culture uses "mean" scoring (0-100) computed from the microdata. Units
    with fewer than the floor of 5 respondents in a wave carry no culture value
    for that wave (their mean is withheld everywhere); the DiD estimator lists
    the unit-waves it could not use in ``did_excluded``.

    Returns
    -------
    dict
        ``unit_panel``, ``gov_panel`` (see :mod:`berakhlak_research.models.panel`),
        and the processed ``units``, ``interventions``, ``skm_responses``.
    """
    from berakhlak_research import indices, survey
    from berakhlak_research.models import panel

    processed = Path(data_dir) / "processed"
    units = _read(processed, "units")
    responses = _read(processed, "culture_responses")
    events = _read(processed, "interventions", required=False)
    skm = _read(processed, "skm_responses", required=False)
    floor = indices.MIN_GROUP_FLOOR
    cols = ["gov_code", "unit_code", "wave", "value", "estimate", "n"]
    culture_unit = indices.culture_index(
        responses, by=["gov_code", "unit_code", "wave"], scoring="mean", units=units,
        min_group=floor,
    )[cols]  # fmt: skip
    culture_unit = culture_unit.astype({"value": "string"})
    weights = survey.rake_weights(responses, units).weights.to_numpy()
    culture_gov = indices.culture_index(
        responses, by=["gov_code", "wave"], scoring="mean", weights=weights, units=units,
        min_group=floor,
    )[["gov_code", "wave", "value", "estimate", "n"]].astype({"value": "string"})  # fmt: skip
    ikm_unit = ikm_gov = None
    if skm is not None and len(skm):
        ikm_unit = indices.ikm(skm, by=["gov_code", "unit_code", "period"], min_group=floor)
        ikm_gov = indices.ikm(skm, by=["gov_code", "period"], min_group=floor)
    return {
        "unit_panel": panel.build_unit_panel(units, culture_unit, events, ikm_unit),
        "gov_panel": panel.build_gov_panel(culture_gov, events, ikm_gov),
        "units": units,
        "interventions": events,
        "skm_responses": skm,
    }


def fit_models(data_dir: str | Path, n_boot: int = 999, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Build the panels once and fit every model; return the results tables by name."""
    from berakhlak_research.models import did, power, value_chain

    steps = tqdm(total=4, desc="model", unit="step")
    steps.set_postfix_str("panels")
    inputs = model_inputs(data_dir)
    unit_panel = inputs["unit_panel"]
    steps.update()
    tables: dict[str, pd.DataFrame] = {}
    steps.set_postfix_str("difference-in-differences")
    tables.update(
        did.model_tables(unit_panel, gov_panel=inputs["gov_panel"], n_boot=n_boot, seed=seed)
    )
    steps.update()
    steps.set_postfix_str("power")
    tables.update(power.model_tables(unit_panel))
    steps.update()
    steps.set_postfix_str("value chain")
    tables.update(
        value_chain.model_tables(
            unit_panel, skm_responses=inputs["skm_responses"], n_boot=n_boot, seed=seed
        )
    )
    steps.update()
    steps.close()
    # The panels hold unsuppressed unit figures: they feed the models but are
    # not written to the store, which the reports read.
    return tables


def run(args: argparse.Namespace) -> int:
    from berakhlak_research.reporting import store

    tables = fit_models(args.data_dir, n_boot=args.n_boot, seed=args.seed)
    for name, df in tables.items():
        store.write_table(args.out, name, df)
    print(f"model: wrote {len(tables)} tables to {Path(args.out).resolve()}")
    return 0
