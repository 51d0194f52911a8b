"""Does culture move public satisfaction? Within-unit and cross-level models, per value.

Two complementary designs, each run for the overall culture index and for
every one of the seven values:

* :func:`within_unit` — unit-wave panel regression of the unit's IKM on its
  culture index (optionally lagged), with unit and wave fixed effects absorbed
  by demeaning; only changes *within* a unit identify the slope, so stable
  differences between units (size, service type) cannot confound it.
  Standard errors are clustered by government (or unit).
* :func:`cross_level` — each citizen's satisfaction (the response's converted
  IKM score, mean of the answered elements x 25) on the culture of the unit
  that served them, with a random intercept per unit-period (the fast
  random-intercept path of :mod:`berakhlak_research.models.multilevel`) and
  period effects.

Both slopes are in IKM points (25-100) per culture index point (0-100).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import IKM_ELEMENT_CODES, VALUE_CODES
from berakhlak_research.keys import check_unit, unit_key
from berakhlak_research.models._ols import absorb, ols_cr1
from berakhlak_research.models.multilevel import random_intercept
from berakhlak_research.vocabulary import renamed

__all__ = [
    "within_unit",
    "cross_level",
    "CrossLevelResult",
    "satisfaction_scores",
    "CULTURE_COLUMNS",
]

CULTURE_COLUMNS = {"overall": "culture_overall", **{v: f"culture_{v}" for v in VALUE_CODES}}
_LINK_COLUMNS = ["value", "estimate", "se", "ci_low", "ci_high", "p_value", "n", "model"]


def _lagged(panel: pd.DataFrame, cols: list[str], lag: int, unit, time: str) -> pd.DataFrame:
    """Add ``<col>_lag<lag>``: the unit's value ``lag`` waves earlier (NA if not observed)."""
    prev = panel[[*unit, time, *cols]].copy()
    prev[time] = prev[time] + lag
    prev = prev.rename(columns={c: f"{c}_lag{lag}" for c in cols})
    return panel.merge(prev, on=[*unit, time], how="left")


def within_unit(
    panel: pd.DataFrame,
    *,
    values: tuple[str, ...] = ("overall", *VALUE_CODES),
    outcome: str = "ikm",
    lag: int = 0,
    cluster: str = "gov_code",
    unit: str = "unit_code",
    time: str = "wave",
    level: float = 0.95,
    joint: bool = False,
    gov: str | None = "gov_code",
) -> pd.DataFrame:
    """Within-unit (two-way fixed effects) slope of IKM on unit culture, per value.

    Parameters
    ----------
    panel : pandas.DataFrame
        Unit-wave panel (contracts.md): ``gov_code, unit_code, wave, ikm,
        culture_overall, culture_BP .. culture_KB``.
    values : tuple of str
        ``"overall"`` and/or value codes; each gets its own regression.
    outcome : str, default "ikm"
    lag : int, default 0
        Use the culture of ``lag`` waves earlier (``wave - lag``).
    cluster : str, default "gov_code"
        Column the standard errors are clustered on (``"gov_code"`` or
        ``"unit_code"``; clustering on the unit uses the unit key).
    unit, time : str
        Unit and wave columns of the panel.
    level : float, default 0.95
    joint : bool, default False
        One regression with all ``values`` together (their partial slopes,
        ``model = "within_unit_joint"``) instead of one regression per value.
    gov : str or None, default "gov_code"
        Government column: the unit is the pair (government, unit). With None,
        a unit code repeated across governments is refused
        (:func:`berakhlak_research.keys.resolve_unit`).

    Returns
    -------
    pandas.DataFrame
        ``value, estimate, se, ci_low, ci_high, p_value, n, model, n_clusters,
        lag``; ``model`` is ``"within_unit"`` (or ``"within_unit_lag<k>"``).
    """
    if not isinstance(unit, str):
        raise TypeError(
            f"within_unit: unit={unit!r}; pass the unit column as a string and the government "
            "column as gov= (e.g. unit='unit_code', gov='gov_code')."
        )
    check_unit(panel, unit, gov=gov, func="within_unit")
    ids = [unit] if gov is None or gov == unit else [gov, unit]
    cols = [CULTURE_COLUMNS.get(v, v) for v in values]
    missing = [c for c in [outcome, *cols, *ids, time] if c not in panel.columns]
    if missing:
        raise InputError(f"within_unit: the panel lacks column(s) {missing}.")
    data = panel
    if lag:
        data = _lagged(panel, cols, lag, ids, time)
        cols = [f"{c}_lag{lag}" for c in cols]
    ukey = unit_key(data, gov, unit) if len(ids) == 2 else data[unit].astype(str)
    data = data.assign(_unit=ukey.to_numpy())
    cl_col = "_unit" if cluster == unit else cluster
    name = "within_unit" + (f"_lag{lag}" if lag else "") + ("_joint" if joint else "")
    specs = (
        [(list(values), cols)] if joint else [([v], [c]) for v, c in zip(values, cols, strict=True)]
    )
    rows = []
    for vs, cs in specs:  # at most eight regressions, not a loop over units
        sub = data[list(dict.fromkeys([outcome, *cs, "_unit", time, cl_col]))].dropna()
        # Units seen once carry no within-unit information.
        sub = sub[sub.groupby("_unit")["_unit"].transform("size") > 1]
        try:
            Z = absorb(sub.astype(dict.fromkeys([outcome, *cs], "float64")), [outcome, *cs],
                       ["_unit", time])  # fmt: skip
            fit = ols_cr1(Z[:, 0], Z[:, 1:], sub[cl_col].to_numpy(), level)
        except EstimationError as err:
            raise EstimationError(f"within_unit failed for value(s) {vs}: {err}") from err
        for j, v in enumerate(vs):
            rows.append(
                {
                    "value": v,
                    "estimate": fit["beta"][j],
                    "se": fit["se"][j],
                    "ci_low": fit["ci_low"][j],
                    "ci_high": fit["ci_high"][j],
                    "p_value": fit["p_value"][j],
                    "n": fit["n"],
                    "model": name,
                    "n_clusters": fit["n_clusters"],
                    "lag": lag,
                }
            )
    return pd.DataFrame(rows)


def satisfaction_scores(skm_responses: pd.DataFrame) -> pd.DataFrame:
    """Each SKM response's satisfaction: mean of its answered elements x 25 (25-100).

    Returns
    -------
    pandas.DataFrame
        ``gov_code, unit_code, period, satisfaction, n_answered``; responses
        with no answered element are dropped.
    """
    missing = [c for c in ["gov_code", "unit_code", "period", *IKM_ELEMENT_CODES]
               if c not in skm_responses.columns]  # fmt: skip
    if missing:
        raise InputError(f"skm_responses lacks column(s) {missing}.")
    U = skm_responses[list(IKM_ELEMENT_CODES)].to_numpy(dtype="float64", na_value=np.nan)
    U[(U < 1) | (U > 4)] = np.nan
    n_ans = np.isfinite(U).sum(axis=1)
    with np.errstate(invalid="ignore"):
        score = np.nanmean(np.where(n_ans[:, None] > 0, U, 0.0), axis=1) * 25.0
    out = skm_responses[["gov_code", "unit_code", "period"]].copy()
    out["satisfaction"] = score
    out["n_answered"] = n_ans
    return out[n_ans > 0].reset_index(drop=True)


@dataclass
class CrossLevelResult:
    """What :func:`cross_level` fitted; :meth:`tidy` is the results table.

    Attributes
    ----------
    table : pandas.DataFrame
        ``value, estimate, se, ci_low, ci_high, p_value, n, model, n_groups, path``.
    fits : dict of str to MixedResult
        The random-intercept fit of each value.
    groups : pandas.DataFrame
        ``_group`` (the grouping code of the fits) -> ``gov_code, unit_code, period``.
    """

    table: pd.DataFrame
    fits: dict = field(repr=False)
    groups: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """The results table (:attr:`table`)."""
        return self.table


@renamed(
    return_fits="cross_level returns a CrossLevelResult; its .tidy() is the table and "
    ".fits, .groups what return_fits=True added"
)
def cross_level(
    skm_responses: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    values: tuple[str, ...] = ("overall", *VALUE_CODES),
    level: float = 0.95,
) -> CrossLevelResult:
    """Citizen satisfaction on the serving unit's culture, random intercept per unit-period.

    Parameters
    ----------
    skm_responses : pandas.DataFrame
        Canonical SKM responses (``gov_code, unit_code, period, U1..U9``).
    panel : pandas.DataFrame
        Unit-wave panel with the culture columns; joined on ``period == wave``.
    values : tuple of str
    level : float, default 0.95

    Returns
    -------
    CrossLevelResult
        ``.tidy()``: ``value, estimate, se, ci_low, ci_high, p_value, n, model,
        n_groups, path``; ``model = "cross_level"``, ``path`` says which
        fitting path ran. ``.fits``: the
        :class:`~berakhlak_research.models.multilevel.MixedResult` of each
        value; ``.groups`` maps ``_group`` to ``gov_code, unit_code, period``.
    """
    scores = satisfaction_scores(skm_responses)
    cols = [CULTURE_COLUMNS.get(v, v) for v in values]
    keys = ["gov_code", "unit_code", "wave"]
    unit_cul = panel[[*keys, *cols]].rename(columns={"wave": "period"})
    data = scores.merge(unit_cul, on=["gov_code", "unit_code", "period"], how="inner")
    if data.empty:
        raise EstimationError("No SKM response matches a unit-wave of the culture panel.")
    grp = pd.factorize(
        data["gov_code"].astype(str) + "/" + data["unit_code"].astype(str) + "/"
        + data["period"].astype(str)
    )[0]  # fmt: skip
    data["_group"] = grp
    periods = np.sort(data["period"].unique())
    dummies = []
    for p in periods[1:]:  # a handful of periods
        name = f"_period_{int(p)}"
        data[name] = (data["period"] == p).astype("float64")
        dummies.append(name)
    rows, fits = [], {}
    for v, c in zip(values, cols, strict=True):
        fit = random_intercept(data, " + ".join([f"satisfaction ~ {c}", *dummies]), "_group",
                               level=level)  # fmt: skip
        fits[v] = fit
        r = fit.fixed.set_index("term").loc[c]
        rows.append(
            {
                "value": v,
                "estimate": r["estimate"],
                "se": r["se"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "p_value": r["p_value"],
                "n": int(r["n"]),
                "model": "cross_level",
                "n_groups": int(fit.variance["n_groups"].iloc[0]),
                "path": fit.path,
            }
        )
    table = pd.DataFrame(rows)
    groups = data.drop_duplicates("_group")[["_group", "gov_code", "unit_code", "period"]]
    return CrossLevelResult(table, fits, groups.reset_index(drop=True))
