"""``berakhlak measure``: indices, uncertainty, benchmarks and suppression into the results store.

Reads the canonical tables that exist in ``DATA_DIR/processed/*.parquet``
(units, culture_responses, skm_responses) and writes, through
``reporting.store.write_table``: culture_index, culture_behaviour,
culture_benchmarks, survey_weights, ikm, ikm_elements, sample_adequacy,
suppression and (when the psychometrics module provides them) reliability,
item_total, cfa_fit and cfa_loadings. Columns: ``docs/results_store.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from berakhlak_research import survey
from berakhlak_research.exceptions import FileProblem, ParameterError
from berakhlak_research.indices import (
    MIN_GROUP,
    check_min_group,
    culture_benchmarks,
    culture_tables,
    ikm,
    ikm_elements_table,
    sample_adequacy,
    suppression_table,
)
from berakhlak_research.reporting.store import write_table

__all__ = ["add_parser", "run", "measure"]

_INPUTS = ("units", "culture_responses", "skm_responses")


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


def _read_inputs(data_dir: Path) -> dict[str, pd.DataFrame]:
    processed = data_dir / "processed"
    if not processed.is_dir():
        raise FileProblem(
            f"{processed} does not exist. Run `berakhlak ingest RAW --out {data_dir}` first.",
            str(processed),
        )
    out = {}
    for name in _INPUTS:
        path = processed / f"{name}.parquet"
        if path.exists():
            try:
                out[name] = pd.read_parquet(path)
            except Exception as err:  # pyarrow raises several kinds
                raise FileProblem(f"Cannot read {path}: {err}", str(path)) from err
    if "culture_responses" not in out and "skm_responses" not in out:
        raise FileProblem(
            f"{processed} holds neither culture_responses.parquet nor skm_responses.parquet; "
            "nothing to measure.",
            str(processed),
        )
    return out


def _storable(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical label columns become plain strings in the store."""
    cats = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    return df.astype({c: "string" for c in cats}) if cats else df


def _weights(resp: pd.DataFrame, units: pd.DataFrame | None):
    if "weight" in resp.columns and resp["weight"].notna().all() and (resp["weight"] > 0).all():
        w = resp["weight"].to_numpy(dtype=float)
        g, keys = survey.factorize_columns(resp, ["gov_code", "wave"])
        summ = keys.assign(
            n=np.bincount(g), weight_sum=np.bincount(g, w),
            deff=np.bincount(g) * np.bincount(g, w * w) / np.bincount(g, w) ** 2,
            source="supplied",
        )  # fmt: skip
        return w, summ
    if units is None:
        return None, None
    res = survey.rake_weights(resp, units)
    return res.weights.to_numpy(), res.summary.assign(source="raked to unit headcounts")


def measure(
    data_dir: str | Path,
    out: str | Path,
    *,
    min_group: int = MIN_GROUP,
    bootstrap: int = 0,
    seed: int | None = None,
    fpc: bool = True,
    progress: bool = True,
) -> dict[str, pd.DataFrame]:
    """Compute every measurement table from ``data_dir`` and write them to ``out``.

    Returns
    -------
    dict of str -> pandas.DataFrame
        The tables written, by name.
    """
    min_group = check_min_group(min_group)
    if bootstrap < 0:
        raise ParameterError(f"--bootstrap must be 0 or more, got {bootstrap}.")
    data = _read_inputs(Path(data_dir))
    units = data.get("units")
    written: dict[str, pd.DataFrame] = {}
    steps = ["culture", "benchmarks", "ikm", "psychometrics", "suppression"]
    bar = tqdm(steps, desc="measure", unit="step", disable=not progress)
    for step in bar:
        bar.set_postfix_str(step)
        if step == "culture" and "culture_responses" in data:
            resp = data["culture_responses"]
            w, summ = _weights(resp, units)
            tabs = culture_tables(
                resp, units, weights=w, fpc=fpc, min_group=min_group, n_boot=bootstrap, seed=seed
            )
            written.update(tabs)
            if summ is not None:
                written["survey_weights"] = summ
        elif step == "benchmarks" and "culture_index" in written:
            written["culture_benchmarks"] = culture_benchmarks(written["culture_index"])
        elif step == "ikm" and "skm_responses" in data:
            skm = data["skm_responses"]
            parts, elems = [], []
            for level, by in (
                ("government", ["gov_code", "period"]),
                ("unit", ["gov_code", "unit_code", "period"]),
            ):
                t = ikm(skm, by=by, min_group=min_group).assign(level=level)
                e = ikm_elements_table(skm, by=by, min_group=min_group).assign(level=level)
                parts.append(t)
                elems.append(e)
            t = pd.concat(parts, ignore_index=True)
            t["unit_code"] = t["unit_code"].astype("string")
            cols = [
                "level", "gov_code", "unit_code", "period", "method_version", "ikm_interval",
                "estimate", "se", "ci_low", "ci_high", "n", "elements", "band", "band_label_id",
                "band_label_en", "suppressed", "suppression_reason",
            ]  # fmt: skip
            written["ikm"] = t[cols]
            e = pd.concat(elems, ignore_index=True)
            e["unit_code"] = e["unit_code"].astype("string")
            written["ikm_elements"] = e[
                ["level", "gov_code", "unit_code", "period", "element", "element_name_id",
                 "element_name_en", "total", "nrr", "nrr_weighted", "nrr_x25", "band", "n",
                 "suppressed"]
            ]  # fmt: skip
            written["sample_adequacy"] = sample_adequacy(skm)
        elif step == "psychometrics" and "culture_responses" in data:
            from berakhlak_research import psychometrics

            if hasattr(psychometrics, "measurement_tables"):
                written.update(psychometrics.measurement_tables(data["culture_responses"]))
        elif step == "suppression":
            written["suppression"] = suppression_table(
                {k: written.get(k) for k in ("culture_index", "culture_behaviour", "ikm")}
            )
    for name, df in tqdm(written.items(), desc="write", unit="table", disable=not progress):
        write_table(out, name, _storable(df))
    return written


def run(args: argparse.Namespace) -> int:
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
