"""Seeded fixtures with known truth for the multilevel and value-chain tests (helper module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import IKM_ELEMENT_CODES, VALUE_CODES

__all__ = ["multilevel_fixture", "value_chain_fixture", "skm_fixture", "MEDIATION_TRUTH"]


def multilevel_fixture(
    seed: int = 7,
    n_gov: int = 12,
    units_per_gov: int = 15,
    tau_gov: float = 0.6,
    tau_unit: float = 0.8,
    sigma: float = 1.0,
    beta=(2.0, 0.5, -0.3),
) -> pd.DataFrame:
    """Respondents in units in governments: ``y = b0 + b1 x1 + b2 x2 + u_gov + u_unit + e``.

    ``x1`` varies within units, ``x2`` is a unit-level covariate; unit sizes 1..20.
    """
    rng = np.random.default_rng(seed)
    G = n_gov * units_per_gov
    gov_of_unit = np.repeat(np.arange(n_gov), units_per_gov)
    n_u = rng.integers(1, 21, G)
    unit = np.repeat(np.arange(G), n_u)
    gov = gov_of_unit[unit]
    N = len(unit)
    x1 = rng.normal(size=N)
    x2 = rng.normal(size=G)[unit]
    y = (
        beta[0]
        + beta[1] * x1
        + beta[2] * x2
        + rng.normal(0, tau_gov, n_gov)[gov]
        + rng.normal(0, tau_unit, G)[unit]
        + rng.normal(0, sigma, N)
    )
    return pd.DataFrame(
        {
            "y": y,
            "x1": x1,
            "x2": x2,
            "gov": np.char.add("G", gov.astype(str)),
            "unit": np.char.add("U", unit.astype(str)),
        }
    )


MEDIATION_TRUTH = {"a": 4.0, "b": 0.3, "direct": 1.0}
MEDIATION_TRUTH["indirect"] = MEDIATION_TRUTH["a"] * MEDIATION_TRUTH["b"]
MEDIATION_TRUTH["total"] = MEDIATION_TRUTH["indirect"] + MEDIATION_TRUTH["direct"]


def value_chain_fixture(seed: int = 0, n_gov: int = 40, units_per_gov: int = 12) -> pd.DataFrame:
    """A unit-wave panel (contracts.md format) with known paths.

    Treatment (``treated``) is assigned by government and wave; culture values
    load on the unit's latent culture; ``ikm = 40 + b * culture_overall +
    direct * treated + gov effect + noise``; IKM's weights on the values are in
    ``attrs["ikm_on_culture"]``.
    """
    rng = np.random.default_rng(seed)
    waves = np.array([2022, 2023, 2024, 2025])
    G = n_gov * units_per_gov
    gov = np.repeat(np.arange(n_gov), units_per_gov)
    first = rng.choice([0, 2023, 2024, 2025], n_gov)[gov]
    unit_level = rng.normal(0, 6, G) + rng.normal(0, 3, n_gov)[gov]
    rows = len(waves) * G
    u = np.tile(np.arange(G), len(waves))
    w = np.repeat(waves, G)
    treated = ((first[u] > 0) & (w >= first[u])).astype(float)
    latent = 58 + unit_level[u] + 1.0 * (w - 2022) + MEDIATION_TRUTH["a"] * treated
    latent = latent + rng.normal(0, 3, rows)
    # Values: latent plus value-specific shifts and noise; overall is their mean.
    shifts = np.array([-2.0, 12.0, -3.0, 3.0, 5.0, -18.0, 8.0])
    vals = latent[:, None] + shifts[None, :] + rng.normal(0, 4, (rows, 7))
    overall = vals.mean(axis=1)
    weights = np.array([0.12, 0.02, 0.06, 0.03, 0.0, 0.05, 0.02])
    b = MEDIATION_TRUTH["b"]
    weights = weights / weights.sum() * b  # IKM points per value point; they sum to b
    ikm = (
        40
        + vals @ weights
        + MEDIATION_TRUTH["direct"] * treated
        + rng.normal(0, 2, n_gov)[gov][u]
        + rng.normal(0, 2.5, rows)
    )
    df = pd.DataFrame(
        {
            "gov_code": np.char.add("35.", (10 + gov[u]).astype(str)),
            "unit_code": np.char.add("U", u.astype(str)),
            "wave": w.astype("int64"),
            "culture_overall": overall,
            **{f"culture_{v}": vals[:, k] for k, v in enumerate(VALUE_CODES)},
            "n_resp": rng.integers(5, 60, rows),
            "first_treated": first[u].astype("int64"),
            "treated": treated.astype(bool),
            "hours": treated * 8.0,
            "stage_max": (treated * 3).astype("int64"),
            "ikm": ikm,
            "ikm_n": rng.integers(30, 200, rows),
            "public_facing": True,
            "headcount": rng.integers(10, 200, rows),
            "kind": "kota",
        }
    )
    df.attrs["ikm_on_culture"] = dict(zip(VALUE_CODES, weights, strict=True))
    return df


def skm_fixture(panel: pd.DataFrame, seed: int = 1, per_unit: int = 12) -> pd.DataFrame:
    """Citizen SKM responses for the panel's units: element scores 1..4 driven by unit IKM."""
    rng = np.random.default_rng(seed)
    idx = np.repeat(np.arange(len(panel)), per_unit)
    base = panel["ikm"].to_numpy()[idx] / 25.0
    n = len(idx)
    person = rng.normal(0, 0.35, n)
    load = np.array([0.6, 0.9, 1.2, 0.4, 0.7, 1.0, 1.1, 0.5, 0.8])
    shift = np.array([0.1, -0.1, -0.3, 0.3, 0.0, 0.1, 0.2, -0.2, -0.1])
    latent = base[:, None] + shift[None, :] + load[None, :] * person[:, None]
    latent = latent + rng.normal(0, 0.35, (n, 9))
    scores = np.clip(np.rint(latent), 1, 4).astype("int64")
    out = pd.DataFrame(
        {
            "response_id": np.arange(n),
            "gov_code": panel["gov_code"].to_numpy()[idx],
            "unit_code": panel["unit_code"].to_numpy()[idx],
            "period": panel["wave"].to_numpy()[idx],
            **{c: pd.array(scores[:, k], dtype="Int8") for k, c in enumerate(IKM_ELEMENT_CODES)},
        }
    )
    return out
