"""The true aggregate effects, computed from the simulated potential outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import BEHAVIOUR_CODES, VALUE_CODES
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate._observed import observed_scale_truth

__all__ = ["did_truth", "value_chain_truth", "culture_truth"]


def _mean(x: pd.Series) -> float:
    return float(np.mean(x.to_numpy(dtype=float))) if len(x) else float("nan")


def did_truth(uw: pd.DataFrame) -> dict:
    """ATT on the unit culture_overall index (0-100), simple aggregation.

    Each treated unit-wave (wave >= first_treated > 0) has weight one;
    ``att_overall`` is the mean of Y(1) - Y(0) over them, ``att_by_cohort``
    and ``att_by_event_time`` the same mean within a cohort or event time,
    ``att_group_time`` within (cohort, wave).
    """
    tr = uw[uw["treated"]]
    diff = tr["y1_overall"] - tr["y0_overall"]
    by_g = diff.groupby(tr["first_treated"]).mean()
    by_e = diff.groupby(tr["event_time"].astype(int)).mean()
    gt = diff.groupby([tr["first_treated"], tr["wave"]]).mean()
    units = uw.drop_duplicates(["gov_code", "unit_code"])
    cohorts = units["first_treated"].value_counts().sort_index()
    by_value = {v: _mean(tr[f"y1_{v}"] - tr[f"y0_{v}"]) for v in VALUE_CODES}
    return {
        "outcome": "culture_overall (unit mean index 0-100)",
        "aggregation": "simple: every treated unit-wave (wave >= first_treated) weighted equally",
        "att_overall": _mean(diff),
        "att_by_cohort": {str(int(g)): float(v) for g, v in by_g.items()},
        "att_by_event_time": {str(int(e)): float(v) for e, v in by_e.items()},
        "att_group_time": {
            str(int(g)): {str(int(t)): float(gt[(g, t)]) for t in gt.loc[g].index}
            for g in by_g.index
        },
        "att_by_value": by_value,
        "cohorts": {("never" if g == 0 else str(int(g))): int(n) for g, n in cohorts.items()},
        "n_treated_unit_waves": len(tr),
    }


def value_chain_truth(uw: pd.DataFrame, params: P.Params) -> dict:
    """Paths of training -> culture -> satisfaction over treated public-facing unit-waves.

    a = mean (culture_overall(1) - culture_overall(0)); indirect = mean of
    sum_v b_v (culture_v(1) - culture_v(0)); total = mean (E IKM(1) - E IKM(0));
    direct = total - indirect; b = indirect / a.
    """
    pf = uw[uw["public_facing"]]
    tr = pf[pf["treated"]]
    b = dict(zip(VALUE_CODES, params.ikm_on_culture, strict=True))
    a = _mean(tr["y1_overall"] - tr["y0_overall"])
    indirect = _mean(sum(b[v] * (tr[f"y1_{v}"] - tr[f"y0_{v}"]) for v in VALUE_CODES))
    total = _mean(tr["eikm1"] - tr["eikm0"])
    x = pf["culture_overall"].to_numpy(dtype=float)
    yv = pf["eikm"].to_numpy(dtype=float)
    slope = float(np.polyfit(x, yv, 1)[0]) if len(pf) > 2 else float("nan")
    # Variance components of a citizen's satisfaction score (25 x mean answer, 25-100):
    # E[score | unit, period] = 25 + 75 mean_k q_k, so the unit component s_u (on q) is
    # 75 s_u on the score; the residual is the binomial variance within unit-periods.
    n_skm = pf["n_skm"].to_numpy(dtype=float)
    resid = float(np.sum(n_skm * pf["skm_var_within"]) / n_skm.sum()) if len(pf) else np.nan
    units = pf.drop_duplicates(["gov_code", "unit_code"])
    realised = float(np.var(75.0 * units["skm_unit_effect"], ddof=1)) if len(units) > 1 else np.nan
    return {
        "ikm_on_culture": b,
        "ikm_on_culture_units": "converted IKM points (25-100) per unit culture value point (0-100)",
        "a_path": a,
        "b_path": indirect / a if a else float("nan"),
        "indirect": indirect,
        "direct": total - indirect,
        "direct_nominal": 75.0 * params.direct_effect_q,
        "total": total,
        "ikm_on_culture_overall_projection": slope,
        "sample": "treated public-facing unit-waves",
        "n_unit_waves": len(tr),
        "share_q_clipped": float(uw["q_clipped"].mean()),
        "variance_components": {
            "outcome": "citizen satisfaction score = 25 x mean of the answered SKM answers (25-100)",
            "model": (
                "satisfaction ~ culture_BP + ... + culture_KB + wave + treated, random intercept "
                "per unit (constant over periods), public-facing units"
            ),
            "unit": (75.0 * params.skm_unit_sd) ** 2,
            "unit_realised": realised,
            "residual": resid,
            "residual_definition": (
                "mean over SKM responses of Var(score | q of the unit-period), binomial answers "
                "with MCAR missing elements (skm_var_within)"
            ),
            "note": "exact where no q is clipped (share_q_clipped)",
        },
    }


def culture_truth(params: P.Params, pasuruan_shift, pasuruan_effect) -> dict:
    """Culture truth: latent variance components and ICCs, items, calibration.

    The latent keys (``variance``, ``icc_unit``, ``icc_gov``, ...) describe the
    latent value scores; ``observed_scale`` holds the same decomposition for
    the observed value scores (0-100, both scorings) that the estimators see
    (:func:`berakhlak_research.simulate._observed.observed_scale_truth`).
    """
    vg, vu, vp = params.var_gov, params.var_unit, params.var_person
    tot = vg + vu + vp

    def overall_var(var, rho):  # variance of the mean of the seven values
        return var * (1 + 6 * rho) / 7

    og, ou, op = (
        overall_var(vg, params.rho_gov),
        overall_var(vu, params.rho_unit),
        overall_var(vp, params.rho_person),
    )
    tau = params.thresholds()
    out = {
        "scale_of_components": "latent value score (standard normal in total at wave 2022)",
        "variance": {"gov": vg, "unit": vu, "person": vp},
        "correlation_between_values": {
            "gov": params.rho_gov,
            "unit": params.rho_unit,
            "person": params.rho_person,
        },  # fmt: skip
        "icc_unit": (vg + vu) / tot,
        "icc_gov": vg / tot,
        "icc_unit_within_gov": vu / tot,
        "icc_overall_latent": {"unit": (og + ou) / (og + ou + op), "gov": og / (og + ou + op)},
        "loadings": dict(zip(BEHAVIOUR_CODES, params.loadings, strict=True)),
        "thresholds": {c: [float(t) for t in tau[i]] for i, c in enumerate(BEHAVIOUR_CODES)},
        "item_missing_mcar": params.item_missing,
        "trend": dict(zip(map(str, P.WAVES), params.trend, strict=True)),
        "national_2022_target_percent_favourable": P.NATIONAL_2022,
        "pasuruan_2023_target_percent_favourable": P.PASURUAN_2023,
        "pasuruan_gov_effect": (
            None
            if pasuruan_effect is None
            else dict(zip(VALUE_CODES, map(float, pasuruan_effect), strict=True))
        ),
        "observed_scale": observed_scale_truth(params),
    }
    return out
