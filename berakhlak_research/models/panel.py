"""Unit-wave and government-wave panels: the common input of the intervention and value-chain models.

The panels join, per work unit and wave, the unit's culture index (computed
from the respondent microdata, *not* from the suppressed report tables: models
use every unit and only their aggregate results are shown), the programme
exposure read from the interventions table, and the unit's IKM.

Treatment timing
----------------
An event with an empty ``unit_code`` applies to every unit of its government.
A unit's ``first_treated`` is the year of its first event (0 = never treated);
``hours`` is the cumulative training hours of the events up to and including
the wave's year; ``stage_max`` the highest stage reached by then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.regions import governments

__all__ = ["exposure", "build_unit_panel", "build_gov_panel"]


def exposure(units: pd.DataFrame, interventions: pd.DataFrame, waves) -> pd.DataFrame:
    """Programme exposure of every unit in every wave.

    Parameters
    ----------
    units : pandas.DataFrame
        Canonical units table (``gov_code``, ``unit_code``).
    interventions : pandas.DataFrame
        Canonical interventions table (``gov_code``, ``unit_code`` or NA,
        ``date``, ``stage``, ``hours``).
    waves : iterable of int
        The waves (years) of the panel.

    Returns
    -------
    pandas.DataFrame
        One row per (gov_code, unit_code, wave): ``first_treated`` (year of the
        first event, 0 = never), ``hours`` (cumulative to the wave),
        ``stage_max`` (0 = none), ``treated`` (wave >= first_treated > 0).
    """
    keys = units[["gov_code", "unit_code"]].drop_duplicates()
    ev = interventions.assign(year=pd.to_datetime(interventions["date"]).dt.year.astype("int64"))
    ev = ev.assign(
        hours=ev["hours"].astype("float64").fillna(0.0),
        stage=ev["stage"].astype("float64").fillna(0.0),
    )
    whole = ev[ev["unit_code"].isna()].drop(columns="unit_code").merge(keys, on="gov_code")
    per_unit = ev[ev["unit_code"].notna()].merge(keys, on=["gov_code", "unit_code"])
    ev = pd.concat([per_unit, whole], ignore_index=True)[
        ["gov_code", "unit_code", "year", "hours", "stage"]
    ]
    waves = np.sort(np.unique(np.asarray(list(waves), dtype="int64")))
    grid = keys.merge(pd.DataFrame({"wave": waves}), how="cross")
    first = ev.groupby(["gov_code", "unit_code"], as_index=False)["year"].min()
    first = first.rename(columns={"year": "first_treated"})
    # Cumulative exposure: each event counts in every wave from its year on.
    by_year = ev.groupby(["gov_code", "unit_code", "year"], as_index=False).agg(
        hours=("hours", "sum"), stage=("stage", "max")
    )
    hit = by_year.merge(pd.DataFrame({"wave": waves}), how="cross")
    hit = hit[hit["year"] <= hit["wave"]]
    cum = hit.groupby(["gov_code", "unit_code", "wave"], as_index=False).agg(
        hours=("hours", "sum"), stage_max=("stage", "max")
    )
    out = grid.merge(first, on=["gov_code", "unit_code"], how="left").merge(
        cum, on=["gov_code", "unit_code", "wave"], how="left"
    )
    out["first_treated"] = out["first_treated"].fillna(0).astype("int64")
    out["hours"] = out["hours"].fillna(0.0)
    out["stage_max"] = out["stage_max"].fillna(0).astype("int64")
    out["treated"] = (out["first_treated"] > 0) & (out["wave"] >= out["first_treated"])
    return out


def build_unit_panel(
    units: pd.DataFrame,
    culture_unit: pd.DataFrame,
    interventions: pd.DataFrame | None = None,
    ikm_unit: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Join culture, exposure and IKM into the unit-wave panel.

    Parameters
    ----------
    units : pandas.DataFrame
        Canonical units table.
    culture_unit : pandas.DataFrame
        Unit culture indices in long form: ``gov_code, unit_code, wave, value,
        estimate, n`` with ``value`` in "overall", "BP".."KB" ("mean" scoring).
    interventions : pandas.DataFrame, optional
        Canonical interventions table; without it every unit is never treated.
    ikm_unit : pandas.DataFrame, optional
        Unit IKM: ``gov_code, unit_code, period, estimate, n`` (converted 25-100).

    Returns
    -------
    pandas.DataFrame
        One row per (gov_code, unit_code, wave): ``culture_overall``,
        ``culture_BP`` .. ``culture_KB``, ``n_resp``, ``first_treated``,
        ``hours``, ``stage_max``, ``treated``, ``ikm``, ``ikm_n``,
        ``public_facing``, ``headcount``, ``kind``.
    """
    wide = culture_unit.pivot_table(
        index=["gov_code", "unit_code", "wave"], columns="value", values="estimate"
    )
    wide.columns = [f"culture_{c}" for c in wide.columns]
    wide = wide.reset_index()
    n = culture_unit[culture_unit["value"] == "overall"][["gov_code", "unit_code", "wave", "n"]]
    panel = wide.merge(n.rename(columns={"n": "n_resp"}), on=["gov_code", "unit_code", "wave"])
    panel["wave"] = panel["wave"].astype("int64")
    waves = panel["wave"].unique()
    ev = interventions if interventions is not None else _no_events()
    panel = panel.merge(
        exposure(units, ev, waves), on=["gov_code", "unit_code", "wave"], how="left"
    )
    if ikm_unit is not None and len(ikm_unit):
        ikm = ikm_unit[["gov_code", "unit_code", "period", "estimate", "n"]].rename(
            columns={"period": "wave", "estimate": "ikm", "n": "ikm_n"}
        )
        ikm["wave"] = ikm["wave"].astype("int64")
        panel = panel.merge(ikm, on=["gov_code", "unit_code", "wave"], how="left")
    else:
        panel["ikm"] = np.nan
        panel["ikm_n"] = 0
    panel = panel.merge(
        units[["gov_code", "unit_code", "public_facing", "headcount"]],
        on=["gov_code", "unit_code"],
        how="left",
    )
    kinds = governments().set_index("code")["kind"]
    panel["kind"] = panel["gov_code"].map(kinds)
    cols = ["culture_overall", *[f"culture_{v}" for v in VALUE_CODES]]
    lead = ["gov_code", "unit_code", "wave", *[c for c in cols if c in panel]]
    return panel[lead + [c for c in panel.columns if c not in lead]].sort_values(
        ["gov_code", "unit_code", "wave"], ignore_index=True
    )


def _no_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gov_code": pd.Series(dtype="string"),
            "unit_code": pd.Series(dtype="string"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "hours": pd.Series(dtype="float64"),
            "stage": pd.Series(dtype="Int64"),
        }
    )


def build_gov_panel(
    culture_gov: pd.DataFrame,
    interventions: pd.DataFrame | None = None,
    ikm_gov: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The government-wave panel.

    Parameters
    ----------
    culture_gov : pandas.DataFrame
        Government culture indices in long form (``gov_code, wave, value,
        estimate, n``), measured or published.
    interventions : pandas.DataFrame, optional
        Canonical interventions table. A government counts as treated from the
        year of its first event of any scope (whole government or one unit).
    ikm_gov : pandas.DataFrame, optional
        Government IKM (``gov_code, period, estimate, n``).

    Returns
    -------
    pandas.DataFrame
        One row per (gov_code, wave): ``culture_overall``, ``culture_BP`` ..
        ``culture_KB``, ``n_resp``, ``first_treated`` (0 = never), ``hours``
        (cumulative), ``treated``, ``ikm``, ``ikm_n``, ``kind``.
    """
    wide = culture_gov.pivot_table(index=["gov_code", "wave"], columns="value", values="estimate")
    wide.columns = [f"culture_{c}" for c in wide.columns]
    wide = wide.reset_index()
    n = culture_gov[culture_gov["value"] == "overall"][["gov_code", "wave", "n"]]
    panel = wide.merge(n.rename(columns={"n": "n_resp"}), on=["gov_code", "wave"], how="left")
    panel["wave"] = panel["wave"].astype("int64")
    ev = interventions if interventions is not None else _no_events()
    ev = ev.assign(
        year=pd.to_datetime(ev["date"]).dt.year.astype("int64"),
        hours=ev["hours"].astype("float64").fillna(0.0),
    )
    first = ev.groupby("gov_code")["year"].min().rename("first_treated")
    panel = panel.merge(first, left_on="gov_code", right_index=True, how="left")
    panel["first_treated"] = panel["first_treated"].fillna(0).astype("int64")
    yearly = ev.groupby(["gov_code", "year"], as_index=False)["hours"].sum()
    hit = yearly.merge(panel[["gov_code", "wave"]], on="gov_code")
    hit = hit[hit["year"] <= hit["wave"]].groupby(["gov_code", "wave"], as_index=False)["hours"]
    panel = panel.merge(hit.sum(), on=["gov_code", "wave"], how="left")
    panel["hours"] = panel["hours"].fillna(0.0)
    panel["treated"] = (panel["first_treated"] > 0) & (panel["wave"] >= panel["first_treated"])
    if ikm_gov is not None and len(ikm_gov):
        ikm = ikm_gov[["gov_code", "period", "estimate", "n"]].rename(
            columns={"period": "wave", "estimate": "ikm", "n": "ikm_n"}
        )
        ikm["wave"] = ikm["wave"].astype("int64")
        panel = panel.merge(ikm, on=["gov_code", "wave"], how="left")
    else:
        panel["ikm"] = np.nan
        panel["ikm_n"] = 0
    panel["kind"] = panel["gov_code"].map(governments().set_index("code")["kind"])
    return panel.sort_values(["gov_code", "wave"], ignore_index=True)
