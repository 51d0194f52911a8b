"""Every parameter of the simulator, in one place (documented in ``docs/simulation.md``).

The values are plain module constants so that ``truth.json`` can record them
verbatim and a researcher can read the whole model on one screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from berakhlak_research.framework import BEHAVIOURS, VALUE_CODES

__all__ = ["Scale", "SCALES", "WAVES", "Params", "default_params"]

WAVES: tuple[int, ...] = (2022, 2023, 2024, 2025)
"""Survey waves (culture) and SKM periods."""

# National 2022 percent favourable per value (docs/domain.md section 3): the
# calibration target of the simulated Likert instrument in 2022.
NATIONAL_2022: dict[str, float] = {
    "BP": 57.9, "AK": 74.1, "KP": 56.7, "HM": 63.8, "LY": 65.8, "AD": 38.9, "KB": 69.4,
}  # fmt: skip

# Kota Pasuruan 2023 (docs/domain.md section 1): overall 61.8, Adaptif 39.8. The
# other six values sit 0.85 above their national 2022 figure, which makes the
# mean of the seven exactly 61.8.
PASURUAN_CODE = "35.75"
PASURUAN_WAVE = 2023
PASURUAN_2023: dict[str, float] = {
    v: (39.8 if v == "AD" else round(NATIONAL_2022[v] + 0.85, 4)) for v in VALUE_CODES
}

UNIT_TYPES: tuple[str, ...] = (
    "sekretariat", "inspektorat", "dinas", "badan", "kecamatan", "kelurahan", "puskesmas", "rsud",
)  # fmt: skip

# Share of the units after the secretariat and the inspectorate, per government kind.
TYPE_MIX: dict[str, dict[str, float]] = {
    "provinsi": {"dinas": 0.60, "badan": 0.28, "rsud": 0.12},
    "kabupaten": {"dinas": 0.28, "badan": 0.10, "kecamatan": 0.22, "kelurahan": 0.18,
                  "puskesmas": 0.19, "rsud": 0.03},
    "kota": {"dinas": 0.30, "badan": 0.10, "kecamatan": 0.12, "kelurahan": 0.33,
             "puskesmas": 0.12, "rsud": 0.03},
}  # fmt: skip

# Median headcount per unit type (lognormal, sd of log 0.35, at least 6).
HEADCOUNT_MEDIAN: dict[str, float] = {
    "sekretariat": 180, "inspektorat": 45, "dinas": 110, "badan": 70, "kecamatan": 35,
    "kelurahan": 12, "puskesmas": 40, "rsud": 450,
}  # fmt: skip
HEADCOUNT_LOG_SD = 0.35

# Probability that a unit of the type serves the public (runs an SKM).
PUBLIC_FACING_P: dict[str, float] = {
    "sekretariat": 0.0, "inspektorat": 0.0, "dinas": 0.6, "badan": 0.2, "kecamatan": 1.0,
    "kelurahan": 1.0, "puskesmas": 1.0, "rsud": 1.0,
}  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """Size of one simulated run."""

    name: str
    governments: tuple[str, ...] | None  # codes; None = rule below
    province: str | None  # all governments of this province (incl. the province)
    units_demo_range: tuple[int, int] | None  # uniform units per government (demo)
    units_base: dict[str, float] = field(default_factory=dict)  # median units per kind
    resp_rate: float = 0.3  # expected respondents = rate x headcount, clipped
    resp_clip: tuple[int, int] = (5, 60)
    skm_mean: float = 20.0  # Poisson mean of SKM responses per public unit and period
    skm_min: int = 8
    chunk_rows: int = 600_000  # respondents per generation chunk (memory bound)


UNITS_BASE = {"provinsi": 88.0, "kabupaten": 74.0, "kota": 52.0}

SCALES: dict[str, Scale] = {
    "demo": Scale(
        "demo",
        ("35.75", "35.14", "35.73", "35.78", "35.07", "35.15", "35.79"),
        None,
        (15, 30),
        resp_rate=0.3,
        resp_clip=(15, 40),
        skm_mean=45.0,
        skm_min=15,
    ),
    "province": Scale("province", None, "35", None, UNITS_BASE, 0.4, (5, 80), 25.0, 8),
    "national": Scale("national", None, None, None, UNITS_BASE, 0.4, (5, 80), 18.0, 8),
}
"""demo: 7 governments of Jawa Timur; province: all of Jawa Timur; national: all 552."""

# Demo governments' whole-government programme cohorts (0 = none); other
# scales draw them (Kota Pasuruan is always 2023: its 15 May 2023 workshop).
DEMO_GOV_COHORTS: dict[str, int] = {
    "35.75": 2023, "35.14": 0, "35.73": 2024, "35.78": 0, "35.07": 2025, "35.15": 0, "35.79": 0,
}  # fmt: skip


def _exchangeable(rho: float, k: int = 7) -> np.ndarray:
    return np.full((k, k), rho) + np.eye(k) * (1.0 - rho)


@dataclass(frozen=True)
class Params:
    """All model parameters (see docs/simulation.md for the equations)."""

    # --- culture: latent value scores eta = gov + unit + person (+ trend + effect)
    var_gov: float = 0.03
    var_unit: float = 0.09
    var_person: float = 0.88
    rho_gov: float = 0.8  # correlation of the seven values' components, by level
    rho_unit: float = 0.7
    rho_person: float = 0.5
    trend: tuple[float, ...] = (0.0, 0.02, 0.04, 0.06)  # common latent shift per wave
    loadings: tuple[float, ...] = (
        0.80, 0.76, 0.72, 0.82, 0.78, 0.74, 0.79, 0.73, 0.77,
        0.81, 0.75, 0.78, 0.70, 0.76, 0.72, 0.83, 0.79, 0.75,
        0.80, 0.77, 0.74,
    )  # fmt: skip
    # tau4 = tau3 + 1.0, tau2 = tau3 - 0.9, tau1 = tau2 - 0.8 (tau3 = favourable cut).
    threshold_gaps: tuple[float, float, float] = (1.0, 0.9, 0.8)
    item_missing: float = 0.02  # MCAR, per answer
    # --- programmes: cohort probabilities and true effects on the latent scale
    gov_cohort_p: tuple[float, float, float, float] = (0.15, 0.15, 0.10, 0.60)  # 2023/24/25/none
    unit_cohort_p: tuple[float, float, float, float] = (0.20, 0.20, 0.15, 0.45)
    effect_base: tuple[tuple[int, float], ...] = ((2023, 0.10), (2024, 0.06), (2025, 0.04))
    effect_growth: tuple[tuple[int, float], ...] = ((2023, 0.08), (2024, 0.06), (2025, 0.05))
    value_weight: tuple[float, ...] = (1.2, 0.8, 1.1, 0.9, 0.6, 1.4, 1.0)  # BP..KB
    # --- public satisfaction: answer = 1 + Binomial(3, q)
    skm_alpha: tuple[float, ...] = (0.70, 0.68, 0.63, 0.76, 0.69, 0.71, 0.74, 0.60, 0.66)
    ikm_on_culture: tuple[float, ...] = (0.20, 0.02, 0.12, 0.03, 0.0, 0.04, 0.03)  # BP..KB
    culture_centre: float = 65.0
    skm_unit_sd: float = 0.05  # unit satisfaction component on q (not culture)
    skm_period: tuple[float, ...] = (0.0, 0.005, 0.01, 0.015)
    direct_effect_q: float = 0.01  # programme effect on q not through culture
    q_clip: tuple[float, float] = (0.02, 0.98)
    skm_missing: float = 0.005

    # derived ---------------------------------------------------------------
    def item_value_index(self) -> np.ndarray:
        return np.array([VALUE_CODES.index(b.value) for b in BEHAVIOURS])

    def thresholds(self) -> np.ndarray:
        """(21, 4) item thresholds tau1..tau4 on the latent response scale.

        An answer is 1 + the number of thresholds the latent response
        y* = loading * eta + sqrt(1 - loading^2) * e exceeds; it is favourable
        (4 or 5) when y* > tau3. tau3 makes P(answer >= 4) equal the national
        2022 target of the item's value when the latent mean is 0 (wave 2022,
        untreated), because y* then has variance 1.
        """
        p = np.array([NATIONAL_2022[VALUE_CODES[i]] / 100 for i in self.item_value_index()])
        t3 = ndtri(1 - p)
        up, g2, g1 = self.threshold_gaps
        return np.column_stack([t3 - g2 - g1, t3 - g2, t3, t3 + up])

    def corr(self, level: str) -> np.ndarray:
        return _exchangeable({"gov": self.rho_gov, "unit": self.rho_unit,
                              "person": self.rho_person}[level])  # fmt: skip

    def effect(self, cohort: np.ndarray, event_time: np.ndarray) -> np.ndarray:
        """True latent effect delta(g, e) = base_g + growth_g * e for e >= 0, else 0."""
        base = dict(self.effect_base)
        growth = dict(self.effect_growth)
        b = np.zeros(len(cohort))
        s = np.zeros(len(cohort))
        for g in base:  # three cohorts, not a loop over units
            b[cohort == g] = base[g]
            s[cohort == g] = growth[g]
        on = (cohort > 0) & (event_time >= 0)
        return np.where(on, b + s * np.maximum(event_time, 0), 0.0)


def default_params() -> Params:
    """The parameters every scale uses."""
    return Params()
