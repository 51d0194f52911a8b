"""Synthetic data with known ground truth: the simulator behind the demo, tests and benchmarks.

>>> sim = simulate("demo", seed=1)                      # doctest: +SKIP
>>> sim["culture_responses"].shape[0] > 10_000           # doctest: +SKIP
True
>>> round(sim.truth["did"]["att_overall"], 2)            # doctest: +SKIP

Public names: :func:`simulate` (returns a :class:`Simulation`: canonical
tables, the truth and the unit-wave potential outcomes; ``out=`` writes raw
exports, ``messy=True`` injects export defects), :data:`SCALES` (demo,
province, national), :data:`WAVES`, :class:`Params` and :func:`default_params`
(every parameter of the data-generating model). Private modules: ``_params``
(parameters), ``_generate`` (respondents and units), ``_observed``
(observed-scale moments and ICCs), ``_truth`` (truth quantities), ``_export``
(raw files), ``_messy`` (defects). :mod:`.did` is the small unit-wave
generator of staggered roll-outs the DiD tests, power studies and benchmarks
use.

The model, every parameter and the exact definitions of the truth quantities
are in ``docs/simulation.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import BEHAVIOUR_CODES, IKM_ELEMENT_CODES, VALUE_CODES
from berakhlak_research.simulate import _generate as G
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate import _truth as T
from berakhlak_research.tables import TABLES

__all__ = ["simulate", "Simulation", "SCALES", "WAVES", "Params", "default_params"]

SCALES = tuple(P.SCALES)
WAVES = P.WAVES
Params = P.Params
default_params = P.default_params


@dataclass
class Simulation:
    """What :func:`simulate` returns.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        Canonical tables (names, columns and dtypes of ``tables.py``): units,
        culture_responses, published_culture, interventions, skm_responses,
        published_ikm. Empty dict entries for tables not kept in memory
        (national scale written to disk).
    truth : dict
        Everything ``truth.json`` holds.
    unit_waves : pandas.DataFrame
        One row per unit and wave with the potential outcomes (``y0_*``,
        ``y1_*``), observed unit culture (``culture_*``), the model-based
        expected unit culture given the unit's latent effects
        (``expected_culture_*``), expected IKM (``eikm0``, ``eikm1``,
        ``eikm``), the within-unit variance of a citizen's satisfaction score
        (``skm_var_within``), treatment timing.
    defects : list of dict
        Injected defects (messy runs that wrote files), else empty.
    files : list of pathlib.Path
        Files written (empty when ``out`` is None).
    """

    scale: str
    seed: int
    tables: dict[str, pd.DataFrame]
    truth: dict
    unit_waves: pd.DataFrame
    governments: pd.DataFrame
    defects: list[dict] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _codes_frame(codes: np.ndarray, cats) -> pd.api.extensions.ExtensionArray:
    """Strings from category codes via an Arrow take (fast at millions of rows)."""
    import pyarrow as pa

    arr = pa.array(np.asarray(list(cats), dtype=object), pa.string()).take(pa.array(codes))
    return pd.array(arr, dtype="string")


def _ids(prefix: str, numbers: np.ndarray) -> pd.api.extensions.ExtensionArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 8, "0")
    return pd.array(pc.binary_join_element_wise(prefix, text, ""), dtype="string")


def _int8(items: np.ndarray, cols) -> dict:
    out = {}
    for j, c in enumerate(cols):
        v = items[:, j]
        out[c] = pd.arrays.IntegerArray(v, v == 0)
    return out


def culture_frame(res: G.ChunkResult, st: G.Structure) -> pd.DataFrame:
    """Canonical culture_responses from a chunk's arrays."""
    c = res.culture
    df = pd.DataFrame(
        {
            "respondent_id": _ids("R", c["respondent_id_num"]),
            "wave": pd.array(c["wave"], dtype="Int64"),
            "gov_code": _codes_frame(c["gov_idx"], st.govs["code"]),
            "unit_code": _codes_frame(c["unit_idx"], st.units["unit_code"]),
            "response_date": c["response_date"].astype("datetime64[ns]"),
            **_int8(c["items"], BEHAVIOUR_CODES),
            "sex": _codes_frame(c["sex"], G.SEX),
            "age_group": _codes_frame(c["age_group"], G.AGE_ASN),
            "employment_type": _codes_frame(c["employment_type"], G.EMPLOYMENT),
            "weight": c["weight"].astype("float64"),
        }
    )
    return df[list(TABLES["culture_responses"].column_names)]


def skm_frame(res: G.ChunkResult, st: G.Structure) -> pd.DataFrame:
    """Canonical skm_responses from a chunk's arrays."""
    s = res.skm
    df = pd.DataFrame(
        {
            "response_id": _ids("S", s["response_id_num"]),
            "gov_code": _codes_frame(s["gov_idx"], st.govs["code"]),
            "unit_code": _codes_frame(s["unit_idx"], st.units["unit_code"]),
            "period": pd.array(s["period"], dtype="Int64"),
            # Simulated SKM runs are annual: the period is the year.
            "period_code": pd.array(s["period"], dtype="Int64").astype("string"),
            "response_date": s["response_date"].astype("datetime64[ns]"),
            "service": _codes_frame(s["service"], G.SERVICE_LIST),
            **_int8(s["items"], IKM_ELEMENT_CODES),
            "sex": _codes_frame(s["sex"], G.SEX),
            "age_group": _codes_frame(s["age_group"], G.AGE_SKM),
            "education": _codes_frame(s["education"], G.EDUCATION),
            "occupation": _codes_frame(s["occupation"], G.OCCUPATION),
        }
    )
    return df[list(TABLES["skm_responses"].column_names)]


def _published_culture(frames: list[pd.DataFrame]) -> pd.DataFrame:
    df = pd.concat(frames, ignore_index=True)
    out = pd.DataFrame({"gov_code": pd.array(df["gov_code"].to_numpy(dtype=object), "string")})
    out["wave"] = pd.array(df["wave"].to_numpy(), dtype="Int64")
    for c in ["overall", "BP", "AK", "KP", "HM", "LY", "AD", "KB"]:
        out[c] = df[c].to_numpy(dtype=float).round(1)
    out["respondents"] = pd.array(df["respondents"].to_numpy(), dtype="Int64")
    out["source"] = pd.array(
        ["Simulasi berakhlak-research (dihitung dari mikrodata survei)"] * len(df), "string"
    )
    out["index_kind"] = pd.array(["culture_health"] * len(df), "string")
    return out


def _published_ikm(frames: list[pd.DataFrame]) -> pd.DataFrame:
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["gov_code", "period", "unit_code"], na_position="first", kind="stable")
    return pd.DataFrame(
        {
            "gov_code": pd.array(df["gov_code"].to_numpy(dtype=object), dtype="string"),
            "unit_code": pd.array(df["unit_code"].to_numpy(dtype=object), dtype="string"),
            "period": pd.array(df["period"].to_numpy(), dtype="Int64"),
            "period_code": pd.array(df["period"].to_numpy(), dtype="Int64").astype("string"),
            "ikm": df["ikm"].to_numpy(dtype=float).round(2),
            "method_version": pd.array(["2017"] * len(df), dtype="string"),
            "respondents": pd.array(df["respondents"].to_numpy(), dtype="Int64"),
        }
    ).reset_index(drop=True)


def simulate(
    scale: str = "demo",
    seed: int = 0,
    out: str | Path | None = None,
    messy: bool = False,
    *,
    keep: bool | None = None,
    fmt: str | None = None,
    params: P.Params | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Simulate culture surveys, programmes and SKM responses with known truth.

    Parameters
    ----------
    scale : {"demo", "province", "national"}
        demo: 7 governments of Jawa Timur (incl. 35.75 Kota Pasuruan and 35.14
        Kabupaten Pasuruan), ~14,000 culture responses; province: all 39 of
        Jawa Timur; national: all 552 governments, ~40,000 units, ~4.3 million
        culture responses.
    seed : int
        Same seed, same data (and byte-identical files).
    out : path, optional
        Folder for the raw exports, ``truth.json`` and truth tables.
    messy : bool
        Inject realistic defects into the written files and list them in
        ``defects.json`` (the in-memory tables stay clean).
    keep : bool, optional
        Keep the big microdata tables in memory (default: True unless the
        national scale is written to ``out``).
    fmt : {"mixed", "csv", "parquet"}, optional
        Raw file formats: "mixed" (CSV, semicolon CSV with decimal comma,
        XLSX; default for demo and province) or one format for every file
        (national default: Parquet for the microdata, CSV for the rest).
    params : Params, optional
        Model parameters (default :func:`default_params`).
    progress : callable, optional
        Called as ``progress(done, total)`` after each generation chunk.

    Returns
    -------
    Simulation
        ``tables`` (canonical DataFrames keyed by table name), ``truth``,
        ``unit_waves`` (potential outcomes per unit and wave), ``defects``,
        ``files``.
    """
    if scale not in P.SCALES:
        raise ParameterError(f"Unknown scale {scale!r}; use one of {', '.join(P.SCALES)}.")
    if fmt not in (None, "mixed", "csv", "parquet"):
        raise ParameterError(f"Unknown format {fmt!r}; use 'mixed', 'csv' or 'parquet'.")
    try:
        seed = int(seed)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"seed must be an integer, got {seed!r}.") from err
    params = params or P.default_params()
    sc = P.SCALES[scale]
    if keep is None:
        keep = not (scale == "national" and out is not None)
    if fmt is None:
        fmt = "parquet" if scale == "national" else "mixed"

    st = G.build_structure(sc, params, seed)
    events = G.build_interventions(st, params, seed)
    plan = G.chunks(st, sc.chunk_rows)

    writer = None
    if out is not None:
        from berakhlak_research.simulate._export import RawWriter

        writer = RawWriter(Path(out), st, fmt=fmt, messy=messy, seed=seed)

    cult, skm, uws, pubc, pubi = [], [], [], [], []
    pas_shift = None
    r_off = s_off = 0
    for i, (g0, g1) in enumerate(plan):  # chunks of governments (one at demo scale)
        res = G.simulate_chunk(st, params, g0, g1, seed, i, r_off, s_off)
        r_off += len(res.culture["wave"])
        s_off += len(res.skm["period"])
        if res.pasuruan_shift is not None:
            pas_shift = res.pasuruan_shift
        cf, sf = culture_frame(res, st), skm_frame(res, st)
        if writer is not None:
            writer.add_microdata(cf, sf)
        if keep:
            cult.append(cf)
            skm.append(sf)
        uws.append(res.unit_waves)
        pubc.append(res.pub_culture)
        pubi.append(res.pub_ikm)
        if progress is not None:
            progress(i + 1, len(plan))

    uw = pd.concat(uws, ignore_index=True)
    pas_effect = None
    if pas_shift is not None:
        pi = int(np.flatnonzero(st.govs["code"].to_numpy() == P.PASURUAN_CODE)[0])
        pas_effect = st.gov_effect[pi] + pas_shift
        st.gov_effect[pi] = pas_effect
    tables = {
        "units": st.units[list(TABLES["units"].column_names)],
        "culture_responses": pd.concat(cult, ignore_index=True) if keep else None,
        "published_culture": _published_culture(pubc),
        "interventions": events[list(TABLES["interventions"].column_names)],
        "skm_responses": pd.concat(skm, ignore_index=True) if keep else None,
        "published_ikm": _published_ikm(pubi),
    }
    tables = {k: v for k, v in tables.items() if v is not None}
    truth = _truth(scale, seed, sc, params, st, uw, pas_shift, pas_effect, r_off, s_off, events)
    sim = Simulation(scale, seed, tables, truth, uw, st.govs.copy())
    if writer is not None:
        sim.files, sim.defects = writer.finish(sim)
    return sim


def _truth(scale, seed, sc, params, st, uw, pas_shift, pas_effect, n_resp, n_skm, events):
    import dataclasses

    p = dataclasses.asdict(params)
    effect = {
        str(g): {str(e): float(params.effect(np.array([g]), np.array([e]))[0])
                 for e in range(0, P.WAVES[-1] - g + 1)}
        for g, _ in params.effect_base
    }  # fmt: skip
    return {
        "generator": "berakhlak_research.simulate",
        "scale": scale,
        "seed": seed,
        "waves": list(P.WAVES),
        "sizes": {
            "governments": len(st.govs),
            "units": len(st.units),
            "public_facing_units": int(st.units["public_facing"].sum()),
            "culture_responses": int(n_resp),
            "skm_responses": int(n_skm),
            "interventions": len(events),
        },
        "culture": T.culture_truth(params, pas_shift, pas_effect),
        "programmes": {
            "gov_cohort_p (2023, 2024, 2025, none)": list(params.gov_cohort_p),
            "unit_cohort_p (2023, 2024, 2025, none)": list(params.unit_cohort_p),
            "effect_latent_by_cohort_event_time": effect,
            "value_weight": dict(zip(VALUE_CODES, params.value_weight, strict=True)),
            "gov_cohorts": dict(zip(st.govs["code"], map(int, st.govs["gov_cohort"]), strict=True)),
        },
        "satisfaction": {
            "answer": "1 + Binomial(3, q), q clipped to q_clip",
            "skm_alpha": dict(zip(IKM_ELEMENT_CODES, params.skm_alpha, strict=True)),
            "culture_centre": params.culture_centre,
            "skm_unit_sd": params.skm_unit_sd,
            "skm_period": dict(zip(map(str, P.WAVES), params.skm_period, strict=True)),
            "direct_effect_q": params.direct_effect_q,
            "q_clip": list(params.q_clip),
            "item_missing_mcar": params.skm_missing,
        },
        "did": T.did_truth(uw),
        "value_chain": T.value_chain_truth(uw, params),
        "parameters": json.loads(json.dumps(p, default=list)),
    }
