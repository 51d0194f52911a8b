"""The pipeline stages behind ``berakhlak measure`` and ``berakhlak model``.

Each stage reads the validated tables in ``DATA_DIR/processed`` once, computes
everything upstream, and returns (or writes) results-store tables; the
commands are thin argument parsers over these functions, and notebooks can
call them directly. Heavy imports happen here, not when ``berakhlak --help``
builds its parser.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from berakhlak_research import survey
from berakhlak_research.exceptions import FileProblem, ParameterError
from berakhlak_research.framework import SUPPRESSION_FLOOR, SUPPRESSION_MIN_GROUP
from berakhlak_research.indices import (
    check_min_group,
    culture_benchmarks,
    culture_index,
    culture_tables,
    ikm,
    ikm_elements_table,
    item_tables,
    n_threads,
    sample_adequacy,
    suppression_table,
)
from berakhlak_research.store import write_tables

__all__ = [
    "read_processed",
    "respondent_weights",
    "data_origin",
    "measure",
    "model_inputs",
    "fit_models",
    "inference_policy",
]

_INPUTS = ("units", "culture_responses", "skm_responses", "interventions", "published_culture")


def read_processed(data_dir: str | Path, required: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """Read the validated tables that exist in ``DATA_DIR/processed``.

    Parameters
    ----------
    data_dir : path
        Folder written by ``berakhlak ingest`` (it holds ``processed/``).
    required : tuple of str
        Tables that must be there; a missing one is a :class:`FileProblem`.

    Returns
    -------
    dict of str -> pandas.DataFrame
        units, culture_responses, skm_responses, interventions and published_culture, where
        present.
    """
    processed = Path(data_dir) / "processed"
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
        elif name in required:
            raise FileProblem(
                f"{path} is missing: this step needs the validated {name} table. "
                f"Run `berakhlak ingest RAW_DIR --out {data_dir}` first.",
                str(path),
            )
    return out


def respondent_weights(
    resp: pd.DataFrame, units: pd.DataFrame | None
) -> tuple[np.ndarray | None, pd.DataFrame | None]:
    """Weights for population estimates: supplied ones if complete, else raked to headcounts.

    Parameters
    ----------
    resp : pandas.DataFrame
        ``culture_responses``; its ``weight`` column is used when every value
        is present and positive.
    units : pandas.DataFrame or None
        ``units`` with ``headcount``, the raking targets
        (:func:`berakhlak_research.survey.rake_weights`).

    Returns
    -------
    weights : numpy.ndarray or None
        One weight per respondent; None when neither weights nor units exist.
    summary : pandas.DataFrame or None
        Per government and wave: ``n``, ``weight_sum``, ``deff`` (Kish), ``source``
        and, for raked weights, the raking diagnostics.
    """
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


# Calls started by a _Forked: the forked worker inherits them (no pickling of the data).
_FORKED: dict[int, Callable[[], object]] = {}


def _run_forked(key: int) -> object:
    return _FORKED[key]()


class _Forked:
    """``fn()`` started now in a forked process, its result collected by :meth:`result`.

    On a machine with one core, or without the ``fork`` start method (not Linux),
    ``fn`` simply runs when the result is asked for. The child inherits the
    parent's memory copy-on-write, so the responses are not copied; only the
    (small) result comes back pickled. Used by :func:`measure` to fit the
    psychometric models on the second core while the indices are computed.
    """

    def __init__(self, fn: Callable[[], object]):
        self._fn, self._pool, self._future = fn, None, None
        if n_threads() > 1 and "fork" in mp.get_all_start_methods():
            _FORKED[id(self)] = fn
            self._pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
            self._future = self._pool.submit(_run_forked, id(self))

    def result(self) -> object:
        if self._future is None:
            return self._fn()
        try:
            return self._future.result()
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            _FORKED.pop(id(self), None)


def _storable(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical label columns become plain strings in the store.

    The categories are converted once and taken by code (missing code -1 -> NA):
    ``astype("string")`` would build a Python object per row, 13 s for the
    national tables' millions of rows.
    """
    cats = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return df
    out = df.copy(deep=False)
    for c in cats:  # a handful of label columns
        labels = pd.array(df[c].cat.categories.astype(str), dtype="string")
        out[c] = pd.Series(labels.take(df[c].cat.codes.to_numpy(), allow_fill=True),
                           index=df.index, name=c)  # fmt: skip
    return out


def data_origin(data_dir: str | Path) -> pd.DataFrame:
    """One row saying whether the processed data came from the simulator.

    Read from ``interim/ingest-log.json`` (ingest records whether its raw folder
    held the simulator's ``truth.json``); without a log the origin is unknown and
    taken as not synthetic.

    Parameters
    ----------
    data_dir : path
        Folder written by ``berakhlak ingest``.

    Returns
    -------
    pandas.DataFrame
        ``synthetic`` (bool), ``source`` ("simulator", "ingest" or "unknown").
    """
    log = Path(data_dir) / "interim" / "ingest-log.json"
    try:
        synthetic = bool(json.loads(log.read_text(encoding="utf-8")).get("synthetic", False))
        source = "simulator" if synthetic else "ingest"
    except (OSError, ValueError, AttributeError):
        synthetic, source = False, "unknown"
    return pd.DataFrame({"synthetic": [synthetic], "source": [source]})


def _ikm_tables(skm: pd.DataFrame, min_group: int) -> dict[str, pd.DataFrame]:
    """The ``ikm``, ``ikm_elements`` and ``sample_adequacy`` tables of :func:`measure`."""
    parts, elems = [], []
    for aggregation, by in (
        ("government", ["gov_code", "period"]),
        ("unit", ["gov_code", "unit_code", "period"]),
    ):
        parts.append(ikm(skm, by=by, min_group=min_group).assign(aggregation=aggregation))
        elems.append(
            ikm_elements_table(skm, by=by, min_group=min_group).assign(aggregation=aggregation)
        )
    t = pd.concat(parts, ignore_index=True)
    t["unit_code"] = t["unit_code"].astype("string")
    cols = [
        "aggregation", "gov_code", "unit_code", "period", "method_version", "ikm_interval",
        "estimate", "se", "ci_low", "ci_high", "n", "elements", "band", "band_label_id",
        "band_label_en", "suppressed", "suppression_reason",
    ]  # fmt: skip
    e = pd.concat(elems, ignore_index=True)
    e["unit_code"] = e["unit_code"].astype("string")
    elem_cols = [
        "aggregation", "gov_code", "unit_code", "period", "element", "element_name_id",
        "element_name_en", "total", "nrr", "nrr_weighted", "nrr_x25", "band", "n", "suppressed",
    ]  # fmt: skip
    return {"ikm": t[cols], "ikm_elements": e[elem_cols], "sample_adequacy": sample_adequacy(skm)}


def _side_tables(data: dict[str, pd.DataFrame], min_group: int) -> dict[str, pd.DataFrame]:
    """The tables that need neither the survey weights nor the culture indices:
    the reliability and CFA fits and the IKM tables (run beside the indices)."""
    out: dict[str, pd.DataFrame] = {}
    if "culture_responses" in data:
        from berakhlak_research import psychometrics

        out.update(psychometrics.measurement_tables(data["culture_responses"]))
    if "skm_responses" in data:
        out.update(_ikm_tables(data["skm_responses"], min_group))
    return out


def _measure_steps(data, units, written, min_group, bootstrap, seed, fpc, progress, side,
                   write_early=None):  # fmt: skip
    """The steps of :func:`measure`, filling ``written`` (a progress bar over the steps).

    ``write_early(tables)`` gets the largest table computed so far (the behaviour
    indices, 6.9 M rows nationally) just before the wait on the forked side
    tables: the main core would idle there, and that one file takes about as long
    to write as the wait lasts.
    """
    steps = ["culture", "benchmarks", "psychometrics and ikm", "suppression"]
    bar = tqdm(steps, desc="measure", unit="step", disable=not progress)
    for step in bar:
        bar.set_postfix_str(step)
        if step == "culture" and "culture_responses" in data:
            resp = data["culture_responses"]
            w, summ = respondent_weights(resp, units)
            tabs = culture_tables(
                resp, units, weights=w, fpc=fpc, min_group=min_group, n_boot=bootstrap, seed=seed
            )
            written.update(tabs)
            if summ is not None:
                written["survey_weights"] = summ
            # what the report's item and demographic sections show (same weights)
            written.update(item_tables(resp, weights=w, min_group=min_group))
        elif step == "benchmarks" and "culture_index" in written:
            written["culture_benchmarks"] = culture_benchmarks(written["culture_index"])
        elif step == "psychometrics and ikm":
            if write_early is not None and written:
                big = max(written, key=lambda k: len(written[k]))
                write_early({big: written[big]})
            written.update(side.result())
        elif step == "suppression":
            written["suppression"] = suppression_table(
                {k: written.get(k) for k in ("culture_index", "culture_behaviour", "ikm")}
            )


def measure(
    data_dir: str | Path,
    out: str | Path,
    *,
    min_group: int = SUPPRESSION_MIN_GROUP,
    bootstrap: int = 0,
    seed: int | None = None,
    fpc: bool = True,
    progress: bool = True,
) -> dict[str, pd.DataFrame]:
    """Compute every measurement table from ``data_dir`` and write them to ``out``.

    Parameters
    ----------
    data_dir : path
        Folder written by ``berakhlak ingest`` (it holds ``processed/``); needs
        ``culture_responses`` or ``skm_responses``, uses ``units`` when present
        (headcounts for raking and finite-population corrections).
    out : path
        The results folder (created if needed); tables are written through
        :func:`berakhlak_research.store.write_tables`.
    min_group : int, default 10
        Groups with fewer respondents are withheld (never below 5).
    bootstrap : int, default 0
        Rao-Wu cluster-bootstrap replicates for the culture SEs; 0 uses the
        linearisation (Taylor) SEs only.
    seed : int, optional
        Seed of the bootstrap.
    fpc : bool, default True
        Finite-population corrections from the unit headcounts.
    progress : bool, default True
        Show progress bars.

    Returns
    -------
    dict of str -> pandas.DataFrame
        The tables written, by name: ``culture_index``, ``culture_behaviour``,
        ``survey_weights``, ``culture_benchmarks``, ``ikm``, ``ikm_elements``,
        ``sample_adequacy``, the psychometrics tables, ``suppression``, and the
        ``units`` and ``interventions`` reference tables (whichever the inputs
        allow); their columns are listed in ``docs/results_store.md``.
    """
    min_group = check_min_group(min_group)
    if bootstrap < 0:
        raise ParameterError(f"--bootstrap must be 0 or more, got {bootstrap}.")
    data = read_processed(data_dir)
    if "culture_responses" not in data and "skm_responses" not in data:
        raise FileProblem(
            f"{Path(data_dir) / 'processed'} holds neither culture_responses.parquet nor "
            "skm_responses.parquet; nothing to measure.",
            str(Path(data_dir) / "processed"),
        )
    units = data.get("units")
    written: dict[str, pd.DataFrame] = {}
    # The reliability, CFA and IKM tables on the second core, alongside the array
    # passes of the indices (the results do not change).
    early: dict[str, pd.DataFrame] = {}
    pool = ThreadPoolExecutor(max_workers=1)
    pending = []

    def write_early(tables):
        early.update(tables)
        # one thread: the second core is still busy with the side tables
        pending.append(pool.submit(write_tables, out, tables, convert=_storable, threads=1))

    side = _Forked(lambda: _side_tables(data, min_group))
    try:
        _measure_steps(data, units, written, min_group, bootstrap, seed, fpc, progress, side,
                       write_early=write_early)  # fmt: skip
    finally:
        side.close()
        # The early write ends before the last one starts: each call rewrites the
        # catalogue whole, so the two must not overlap. Its errors surface here.
        for job in pending:
            job.result()
        pool.shutdown()
    # Where the data came from: reports on simulated data carry a "synthetic data" banner.
    written["data_origin"] = data_origin(data_dir)
    # Reference tables the reports label with (unit names, programme events) or set
    # beside their own figures (the officially published index); none holds personal data.
    for name in ("units", "interventions", "published_culture"):
        if name in data:
            written[name] = data[name]
    rest = {k: v for k, v in written.items() if k not in early}
    write_tables(out, rest, convert=_storable, threads=n_threads(), progress=progress)
    return written


def model_inputs(data_dir: str | Path) -> dict[str, pd.DataFrame | None]:
    """Read the processed tables and build the unit-wave and government-wave panels.

    Unit culture uses "mean" scoring (0-100) computed from the microdata. Units
    with fewer than the floor of 5 respondents in a wave carry no culture value
    for that wave (their mean is withheld everywhere); the DiD estimator lists
    the unit-waves it could not use in ``did_excluded``.

    Parameters
    ----------
    data_dir : path
        Folder written by ``berakhlak ingest``; ``units`` and
        ``culture_responses`` are required.

    Returns
    -------
    dict
        ``unit_panel``, ``gov_panel`` (see :mod:`berakhlak_research.models.panel`),
        and the processed ``units``, ``interventions``, ``skm_responses``.
    """
    from berakhlak_research.models import panel

    data = read_processed(data_dir, required=("units", "culture_responses"))
    units, responses = data["units"], data["culture_responses"]
    events, skm = data.get("interventions"), data.get("skm_responses")
    floor = SUPPRESSION_FLOOR
    cols = ["gov_code", "unit_code", "wave", "value", "estimate", "n"]
    culture_unit = culture_index(
        responses, by=["gov_code", "unit_code", "wave"], scoring="mean", units=units,
        min_group=floor,
    )[cols]  # fmt: skip
    culture_unit = culture_unit.astype({"value": "string"})
    weights, _ = respondent_weights(responses, units)
    culture_gov = culture_index(
        responses, by=["gov_code", "wave"], scoring="mean", weights=weights, units=units,
        min_group=floor,
    )[["gov_code", "wave", "value", "estimate", "n"]].astype({"value": "string"})  # fmt: skip
    ikm_unit = ikm_gov = None
    if skm is not None and len(skm):
        ikm_unit = ikm(skm, by=["gov_code", "unit_code", "period"], min_group=floor)
        ikm_gov = ikm(skm, by=["gov_code", "period"], min_group=floor)
    return {
        "unit_panel": panel.build_unit_panel(units, culture_unit, events, ikm_unit),
        "gov_panel": panel.build_gov_panel(culture_gov, events, ikm_gov),
        "units": units,
        "interventions": events,
        "skm_responses": skm,
    }


def fit_models(data_dir: str | Path, n_boot: int = 999, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Build the panels once and fit every model; return the results tables by name.

    Parameters
    ----------
    data_dir : path
        Folder written by ``berakhlak ingest`` (see :func:`model_inputs`).
    n_boot : int, default 999
        Bootstrap draws of the DiD bands and the mediation intervals.
    seed : int, default 0
        Seed of every bootstrap.

    Returns
    -------
    dict of str -> pandas.DataFrame
        The DiD, power and value-chain tables for the results store, by name
        (``did_effects``, ``did_pretrend``, ``did_dose``, ``did_excluded``, the
        power tables and the value-chain tables; columns in
        ``docs/results_store.md``). The panels are not returned: they hold
        unsuppressed unit figures.
    """
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
    tables["inference_policy"] = inference_policy(unit_panel, inputs["gov_panel"])
    # The panels hold unsuppressed unit figures: they feed the models but are
    # not written to the store, which the reports read.
    return tables


def inference_policy(
    unit_panel: pd.DataFrame | None, gov_panel: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Which inference each model table's rows should be read with, and the caveat key.

    One :func:`~berakhlak_research.models.few_clusters.few_clusters_policy`
    decision per panel, written to the results store so that a report prints
    the same caveat the models acted on.

    Parameters
    ----------
    unit_panel : pandas.DataFrame or None
        The unit-wave panel (:func:`model_inputs`); None skips its rows.
    gov_panel : pandas.DataFrame, optional
        The government-wave panel.

    Returns
    -------
    pandas.DataFrame
        One row per table and panel: ``table`` (``did_effects``,
        ``value_chain_paths``, ``culture_ikm_link``), ``panel`` ("unit",
        "government"), ``n_clusters`` (governments), ``threshold``, ``few``,
        ``inference`` ("wild_cluster_bootstrap" or "cluster_robust"),
        ``caveat`` (text key "few_clusters", or missing).
    """
    from berakhlak_research.models.few_clusters import few_clusters_policy

    rows = []
    panels = [("unit", unit_panel), ("government", gov_panel)]
    for name, panel in panels:
        if panel is None or not len(panel):
            continue
        pol = few_clusters_policy(max(int(panel["gov_code"].nunique()), 1))
        tables = ["did_effects"] + (
            ["value_chain_paths", "culture_ikm_link"] if name == "unit" else []
        )
        rows.extend(
            dict(table=t, panel=name, n_clusters=pol.n_clusters, threshold=pol.threshold,
                 few=pol.few, inference=pol.inference, caveat=pol.caveat)
            for t in tables
        )  # fmt: skip
    cols = ["table", "panel", "n_clusters", "threshold", "few", "inference", "caveat"]
    return pd.DataFrame(rows, columns=cols).astype({"caveat": "string"})
