"""Seeded fixtures for the measurement tests (culture and SKM responses, units, populations)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import BEHAVIOUR_CODES, IKM_ELEMENT_CODES


def culture_sample(seed=1, govs=("35.75", "35.14", "11.01"), units_per=5, resp=(5, 40),
                   waves=(2023, 2024), miss=0.05):  # fmt: skip
    """Respondents of several governments, units and waves, with some missing answers."""
    rng = np.random.default_rng(seed)
    units = pd.DataFrame(
        [(g, f"U{u}", int(rng.integers(30, 120))) for g in govs for u in range(units_per)],
        columns=["gov_code", "unit_code", "headcount"],
    )
    parts = []
    for wave in waves:
        nr = rng.integers(*resp, size=len(units))
        idx = np.repeat(np.arange(len(units)), nr)
        d = units.iloc[idx][["gov_code", "unit_code"]].reset_index(drop=True)
        eff = rng.normal(0, 0.5, len(units))[idx]
        x = np.clip(np.round(3.5 + eff[:, None] + rng.normal(0, 1, (len(idx), 21))), 1, 5)
        x[rng.random(x.shape) < miss] = np.nan
        for j, c in enumerate(BEHAVIOUR_CODES):
            d[c] = pd.array(x[:, j]).astype("Int8")
        d["wave"] = wave
        d["sex"] = rng.choice(["L", "P"], len(idx))
        parts.append(d)
    r = pd.concat(parts, ignore_index=True)
    r["gov_code"] = r["gov_code"].astype("string")
    r["unit_code"] = r["unit_code"].astype("string")
    r["wave"] = r["wave"].astype("Int64")
    units["gov_code"] = units["gov_code"].astype("string")
    units["unit_code"] = units["unit_code"].astype("string")
    return r, units


def culture_population(rng, n_govs=4, units_per=6, points=5):
    """A finite population of employees (all 21 answers), for coverage studies."""
    sizes = rng.integers(20, 90, n_govs * units_per)
    unit = np.repeat(np.arange(sizes.size), sizes)
    gov = unit // units_per
    level = 3.2 + rng.normal(0, 0.3, n_govs)[gov] + rng.normal(0, 0.4, sizes.size)[unit]
    person = rng.normal(0, 0.7, unit.size)
    x = np.clip(
        np.round(level[:, None] + person[:, None] + rng.normal(0, 0.8, (unit.size, 21))), 1, points
    )
    pop = pd.DataFrame(x.astype(np.int8), columns=list(BEHAVIOUR_CODES))
    pop.insert(0, "unit_code", pd.array([f"U{u:03d}" for u in unit], dtype="string"))
    pop.insert(0, "gov_code", pd.array([f"{11 + g}.01" for g in gov], dtype="string"))
    pop.insert(0, "wave", 2024)
    units = (
        pop.groupby(["gov_code", "unit_code"], as_index=False)
        .size()
        .rename(columns={"size": "headcount"})
    )
    return pop, units


def skm_from_totals(totals, n=29, seed=0):
    """``n`` SKM responses whose element column totals are ``totals`` (answers 1..4)."""
    rng = np.random.default_rng(seed)
    cols = {}
    for code, total in zip(IKM_ELEMENT_CODES, totals, strict=True):
        a = np.full(n, total // n)
        a[: total - a.sum()] += 1
        cols[code] = pd.array(rng.permutation(a), dtype="Int8")
    d = pd.DataFrame(cols)
    d.insert(0, "period", 2024)
    d.insert(0, "unit_code", "A")
    d.insert(0, "gov_code", "35.75")
    return d


def skm_sample(seed=2, units=(("35.75", "A"), ("35.75", "B"), ("35.75", "C"), ("35.14", "A")),
               resp=(3, 60), miss=0.04):  # fmt: skip
    """SKM responses of a few units with unit effects and missing answers."""
    rng = np.random.default_rng(seed)
    parts = []
    for (g, u), n in zip(units, rng.integers(*resp, size=len(units)), strict=True):
        q = np.clip(0.7 + rng.normal(0, 0.08), 0.05, 0.95)
        x = (1 + rng.binomial(3, q, (n, 9))).astype(float)
        x[rng.random(x.shape) < miss] = np.nan
        d = pd.DataFrame(
            {c: pd.array(x[:, j]).astype("Int8") for j, c in enumerate(IKM_ELEMENT_CODES)}
        )
        d.insert(0, "period", 2024)
        d.insert(0, "unit_code", u)
        d.insert(0, "gov_code", g)
        parts.append(d)
    out = pd.concat(parts, ignore_index=True)
    out["gov_code"] = out["gov_code"].astype("string")
    out["unit_code"] = out["unit_code"].astype("string")
    return out
