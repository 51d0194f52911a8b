"""The DiD family's results-store tables: every outcome of both panels in one call.

:func:`model_tables` runs :func:`~berakhlak_research.models.did.staggered_att`,
:func:`~berakhlak_research.models.did.twfe`,
:func:`~berakhlak_research.models.did.event_study` and
:func:`~berakhlak_research.models.did.dose_response` on the unit and
government panels and returns ``did_effects``, ``did_pretrend``, ``did_dose``
and ``did_excluded`` (see ``docs/results_store.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.keys import unit_key
from berakhlak_research.models.did.dose import DOSE_COLUMNS, dose_response
from berakhlak_research.models.did.staggered import (
    EXCLUDED_COLUMNS,
    TABLE_COLUMNS,
    staggered_att,
)
from berakhlak_research.models.did.two_way import event_study, twfe

__all__ = [
    "model_tables",
    "DEFAULT_OUTCOMES",
    "EFFECTS_COLUMNS",
    "PRETREND_COLUMNS",
]

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "culture_overall",
    *(f"culture_{v}" for v in VALUE_CODES),
    "ikm",
)
EFFECTS_COLUMNS = [
    "outcome",
    "estimator",
    *TABLE_COLUMNS,
    "panel",
    "control",
    "band",
    "cluster",
]
PRETREND_COLUMNS = ["outcome", "panel", "statistic", "df", "p_value", "n_cells", "estimator"]


def _panel_frames(unit_panel, gov_panel, min_clusters, notes):
    frames = []
    if unit_panel is not None:
        up = unit_panel.assign(_unit=unit_key(unit_panel))
        # Whole-government events make the government the assignment level:
        # cluster there (also valid, if conservative, for unit-level events),
        # unless there are too few governments for cluster-robust inference.
        n_gov = int(up["gov_code"].nunique())
        cluster = "gov_code"
        if n_gov < min_clusters:
            cluster = None
            notes.append(
                dict(
                    outcome="(all)",
                    panel="unit",
                    kind="inference",
                    n=n_gov,
                    reason=f"only {n_gov} governments (fewer than min_clusters={min_clusters}): "
                    "standard errors clustered by unit, not government; they understate the "
                    "uncertainty if units of a government share shocks",
                )
            )
        frames.append(("unit", up, "_unit", cluster))
    if gov_panel is not None:
        frames.append(("government", gov_panel.assign(_unit=gov_panel["gov_code"]), "_unit", None))
    return frames


def model_tables(
    unit_panel: pd.DataFrame | None,
    gov_panel: pd.DataFrame | None = None,
    outcomes: list[str] | tuple[str, ...] = DEFAULT_OUTCOMES,
    n_boot: int = 999,
    seed: int = 0,
    control: str = "notyet",
    dose: tuple[str, ...] = ("hours", "stage_max"),
    alpha: float = 0.05,
    min_clusters: int = 20,
) -> dict[str, pd.DataFrame]:
    """Intervention effects of every outcome, for the results store.

    Parameters
    ----------
    unit_panel : pandas.DataFrame or None
        Unit-wave panel (``gov_code, unit_code, wave, first_treated``, the
        outcome columns, optionally ``hours``, ``stage_max``), as built by
        :mod:`berakhlak_research.models.panel`. Standard errors are clustered
        by government (by unit when there are fewer than ``min_clusters``
        governments; noted in ``did_excluded``).
    gov_panel : pandas.DataFrame, optional
        Government-wave panel (``gov_code, wave, first_treated``, outcomes).
    outcomes : sequence of str
        Outcome columns; those absent from a panel or without data are skipped
        (and listed in ``did_excluded``).
    n_boot, seed, alpha : int, int, float
        Bootstrap draws, seed and 1 - confidence level of ``staggered_att``.
    control : {"notyet", "never"}
        Comparison group of ``staggered_att``.
    dose : tuple of str
        Dose columns tried for ``did_dose`` (outcome ``culture_overall``).
    min_clusters : int
        Fewest governments for government-clustered inference on the unit
        panel.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``did_effects``: ``outcome, estimator`` ("staggered_att", "twfe"),
        ``level, cohort, event_time, time, estimate, se, ci_low, ci_high,
        p_value, n, panel`` ("unit", "government"), ``control``, ``band``,
        ``cluster`` (the clustering level: "government" or "unit").
        ``did_pretrend``: ``outcome, panel, statistic, df, p_value, n_cells,
        estimator``. ``did_dose``: ``outcome, panel`` plus the columns of
        :func:`dose_response`. ``did_excluded``: ``outcome, panel, kind,
        cohort, time, n, reason``: everything left out, and why.
    """
    if unit_panel is None and gov_panel is None:
        raise InputError("model_tables needs unit_panel or gov_panel.")
    effects, pretrend, doses, excluded = [], [], [], []
    for panel_name, df, unit, cluster in _panel_frames(
        unit_panel, gov_panel, min_clusters, excluded
    ):
        cl_name = "government" if (cluster == "gov_code" or panel_name == "government") else "unit"
        for col in ("wave", "first_treated"):
            if col not in df.columns:
                raise InputError(f"The {panel_name} panel has no column {col!r}.")
        if "treated" not in df.columns:
            g = pd.to_numeric(df["first_treated"], errors="coerce").fillna(0)
            df = df.assign(treated=(g > 0) & (df["wave"] >= g))
        for y in outcomes:
            if y not in df.columns or pd.to_numeric(df[y], errors="coerce").notna().sum() == 0:
                excluded.append(dict(outcome=y, panel=panel_name, kind="outcome", reason="no data"))
                continue
            sub = df[pd.to_numeric(df[y], errors="coerce").notna()]
            try:
                res = staggered_att(
                    sub, y, unit, "wave", "first_treated", control=control,
                    n_boot=n_boot, seed=seed, cluster=cluster, alpha=alpha,
                )  # fmt: skip
            except EstimationError as err:
                excluded.append(dict(outcome=y, panel=panel_name, kind="outcome", reason=str(err)))
                continue
            effects.append(
                res.table.assign(
                    outcome=y,
                    estimator="staggered_att",
                    panel=panel_name,
                    control=control,
                    cluster=cl_name,
                )
            )
            pretrend.append(
                res.pretrend.assign(outcome=y, panel=panel_name, estimator="staggered_att")
            )
            excluded.append(res.excluded.assign(outcome=y, panel=panel_name))
            effects.extend(
                r.assign(cluster=cl_name)
                for r in _twfe_rows(sub, y, unit, cluster, alpha, panel_name, excluded)
            )
            if y == "culture_overall":
                for dcol in dose:
                    if dcol not in sub.columns:
                        continue
                    try:
                        dr = dose_response(
                            sub, y, unit, "wave", "first_treated", dcol, control=control,
                            cluster=cluster, n_boot=n_boot, seed=seed, alpha=alpha,
                        )  # fmt: skip
                    except EstimationError as err:
                        excluded.append(
                            dict(outcome=y, panel=panel_name, kind="dose", reason=str(err))
                        )
                        continue
                    doses.append(dr.assign(outcome=y, panel=panel_name))
    out = {
        "did_effects": _concat(effects, EFFECTS_COLUMNS),
        "did_pretrend": _concat(pretrend, PRETREND_COLUMNS),
        "did_excluded": _concat(excluded, ["outcome", "panel", *EXCLUDED_COLUMNS]),
    }
    if doses:
        out["did_dose"] = _concat(doses, ["outcome", "panel", *DOSE_COLUMNS, "note"])
    return out


def _twfe_rows(sub, y, unit, cluster, alpha, panel_name, excluded):
    rows = []
    try:
        st = twfe(sub, y, unit, "wave", "treated", cluster=cluster, alpha=alpha)
        rows.append(
            pd.DataFrame(
                {
                    "level": ["overall"],
                    "estimate": st["estimate"],
                    "se": st["se"],
                    "ci_low": st["ci_low"],
                    "ci_high": st["ci_high"],
                    "p_value": st["p_value"],
                    "n": st["n"],
                }
            )
        )
        es = event_study(sub, y, unit, "wave", "first_treated", cluster=cluster, alpha=alpha)
        rows.append(es.drop(columns=["term", "n_clusters"]).assign(level="event_time"))
    except EstimationError as err:
        excluded.append(dict(outcome=y, panel=panel_name, kind="twfe", reason=str(err)))
    return [
        r.assign(outcome=y, estimator="twfe", panel=panel_name, control="", band="pointwise")
        for r in rows
    ]


def _concat(frames, columns):
    frames = [pd.DataFrame([f]) if isinstance(f, dict) else f for f in frames]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    extra = [c for c in out.columns if c not in columns]
    out = out[[c for c in columns if c in out.columns] + extra].reindex(columns=[*columns, *extra])
    for c in ("cohort", "event_time", "time"):
        if c in out.columns:
            out[c] = (
                pd.to_numeric(out[c], errors="coerce").astype("Float64").round().astype("Int64")
                if _intlike(out[c])
                else out[c]
            )
    return out


def _intlike(s: pd.Series) -> bool:
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(np.all(np.mod(v, 1) == 0))
