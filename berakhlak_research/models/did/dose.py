"""Effect by programme intensity: training hours or the stage reached.

Two honest summaries, both among treated units:

* by dose bin: the overall group-time ATT (:func:`.staggered.staggered_att`)
  of the treated units whose dose falls in the bin, against the same
  comparison units. Each bin's effect is causal under the usual parallel
  trends; *differences between bins* are causal only if dose is as good as
  random among the treated (units that chose more hours may differ);
* a dose slope: the within-cohort regression of each treated unit's average
  post-treatment change (from period g-1) on its dose. The comparison-group
  change is common to a cohort and drops out with the cohort effects, so the
  slope compares treated units with different doses only: it is the average
  causal response to one more unit of dose under "strong" parallel trends
  (Callaway, Goodman-Bacon and Sant'Anna 2024), otherwise it mixes response
  with selection into dose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.keys import resolve_unit
from berakhlak_research.models._ols import check_columns, codes, group_sums
from berakhlak_research.models.did.staggered import staggered_att
from berakhlak_research.vocabulary import alpha_of, renamed

__all__ = ["dose_response", "DOSE_COLUMNS"]

DOSE_COLUMNS = [
    "dose",
    "aggregation",
    "bin",
    "dose_low",
    "dose_high",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "n",
]


def _unit_dose(data, unit, time, first_treated, dose, dose_at):
    d = pd.to_numeric(data[dose], errors="coerce")
    if dose_at == "last":
        # Cumulative doses reach their maximum at the unit's last wave.
        return d.groupby(data[unit]).max()
    # The dose of the first treated period: the initial intensity, not
    # mechanically tied to how long the unit has been treated.
    t = pd.to_numeric(data[time], errors="coerce")
    g = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
    first = (g > 0) & (t >= g)
    tmin = t.where(first).groupby(data[unit]).transform("min")
    return d.where(first & (t == tmin)).groupby(data[unit]).max()


@renamed(alpha="level")
def dose_response(
    data: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    first_treated: str,
    dose: str,
    *,
    bins: int | list[float] = 3,
    control: str = "never",
    cluster: str | None = None,
    n_boot: int = 999,
    seed: int = 0,
    level: float = 0.95,
    min_cohort_size: int = 2,
    dose_at: str = "first",
    gov: str | None = None,
) -> pd.DataFrame:
    """Treatment effect by dose bin and the dose slope among the treated.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    y, unit, time, first_treated : str
        As in :func:`berakhlak_research.models.did.staggered_att`.
    dose : str
        Column with the dose: cumulative training ``hours`` or ``stage_max``.
        A unit's dose is taken at its first treated period (``dose_at=
        "first"``) or at its last period (``"last"``).
    bins : int or list of float
        Number of quantile bins of the treated units' doses, or explicit bin
        edges. When the treated units have at most ``bins`` distinct doses
        (e.g. stages), each distinct dose is its own bin.
    control : {"never", "notyet"}
        Comparison group of the bin effects.
    cluster : str, optional
        Cluster column (treatment assignment level); default the unit.
    n_boot, seed, level, min_cohort_size
        As in ``staggered_att``.
    dose_at : {"first", "last"}
        "first" (default): the initial intensity. "last": the cumulative dose
        at the end of the panel, which grows with time since treatment and is
        therefore confounded with the cohort (bins then mix early and late
        cohorts; the slope, within cohort, is unaffected).
    gov : str, optional
        Government column; as in ``staggered_att`` (the unit is then the pair).

    Returns
    -------
    pandas.DataFrame
        Columns ``dose`` (the dose column's name), ``aggregation`` ("bin" or
        "slope"), ``bin`` (label), ``dose_low``, ``dose_high`` (range of the
        doses in the bin), ``estimate`` (bin: overall ATT; slope: effect per
        unit of dose), ``se``, ``ci_low``, ``ci_high``, ``p_value``, ``n``
        (bin: treated unit-periods; slope: treated units), ``note`` (why a
        bin could not be estimated, else missing).
    """
    data, unit = resolve_unit(data, unit, gov=gov, func="dose_response")
    check_columns(
        data,
        {"y": y, "unit": unit, "time": time, "first_treated": first_treated, "dose": dose},
    )
    g = pd.to_numeric(data[first_treated], errors="coerce").fillna(0)
    g_unit = g.groupby(data[unit]).max()
    if dose_at not in ("first", "last"):
        raise InputError(f"dose_at={dose_at!r}; use 'first' or 'last'.")
    d_unit = _unit_dose(data, unit, time, first_treated, dose, dose_at)
    treated_units = g_unit.index[g_unit > 0]
    d_tr = d_unit.reindex(treated_units)
    if d_tr.isna().all() or d_tr.nunique() < 2:
        raise EstimationError(
            f"dose={dose!r} does not vary among the treated units; no dose response to estimate."
        )
    distinct = np.sort(d_tr.dropna().unique())
    if isinstance(bins, int):
        if bins < 1:
            raise InputError(f"bins={bins!r} must be a positive integer or a list of edges.")
        if len(distinct) <= bins:
            labels = pd.Series(d_tr.map(lambda v: f"{v:g}"), index=d_tr.index)
        else:
            labels = pd.qcut(d_tr, bins, duplicates="drop").astype(str)
    else:
        labels = pd.cut(d_tr, np.asarray(bins, dtype=float), include_lowest=True).astype(str)
    rows = []
    for lab in pd.unique(labels.dropna()):
        in_bin = labels.index[labels == lab]
        drop = set(treated_units) - set(in_bin)
        sub = data[~data[unit].isin(drop)]
        try:
            res = staggered_att(
                sub,
                y,
                unit,
                time,
                first_treated,
                control=control,
                n_boot=n_boot,
                seed=seed,
                cluster=cluster,
                level=level,
                min_cohort_size=min_cohort_size,
            )
        except EstimationError as err:
            rows.append(dict(aggregation="bin", bin=str(lab), estimate=np.nan, n=0, note=str(err)))
            continue
        ov = res.table.iloc[0]
        lo, hi = float(d_tr[in_bin].min()), float(d_tr[in_bin].max())
        rows.append(
            dict(
                aggregation="bin",
                bin=f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}",
                dose_low=float(d_tr[in_bin].min()),
                dose_high=float(d_tr[in_bin].max()),
                estimate=ov["estimate"],
                se=ov["se"],
                ci_low=ov["ci_low"],
                ci_high=ov["ci_high"],
                p_value=ov["p_value"],
                n=int(ov["n"]),
            )
        )
    rows.append(_slope(data, y, unit, time, first_treated, d_unit, cluster, alpha_of(level)))
    out = pd.DataFrame(rows).reindex(columns=[*DOSE_COLUMNS, "note"])
    out["dose"] = dose
    out = out.sort_values(["aggregation", "dose_low"], ignore_index=True)
    out["n"] = out["n"].fillna(0).astype("int64")
    return out


def _slope(data, y, unit, time, first_treated, d_unit, cluster, alpha) -> dict:
    """Within-cohort OLS of the treated units' mean post change on dose; clustered SE."""
    df = data[[unit, time, first_treated, y] + ([cluster] if cluster else [])].copy()
    df["_g"] = pd.to_numeric(df[first_treated], errors="coerce").fillna(0)
    df["_t"] = pd.to_numeric(df[time], errors="coerce")
    df["_y"] = pd.to_numeric(df[y], errors="coerce")
    df = df[df["_g"] > 0]
    periods = np.sort(pd.to_numeric(data[time], errors="coerce").unique())
    # Base period of each cohort: the last period before g.
    idx = np.searchsorted(periods, df["_g"].to_numpy()) - 1
    base = np.where(idx >= 0, periods[np.clip(idx, 0, None)], np.nan)
    df["_b"] = base
    ybase = df[df["_t"] == df["_b"]].set_index(unit)["_y"]
    post = df[df["_t"] >= df["_g"]]
    change = (post["_y"] - post[unit].map(ybase)).groupby(post[unit]).mean()
    units = change.dropna().index
    first = df.groupby(unit).first()
    g = first.loc[units, "_g"].to_numpy()
    d = d_unit.reindex(units).to_numpy(dtype=float)
    c = change.loc[units].to_numpy()
    ok = np.isfinite(d) & np.isfinite(c)
    g, d, c = g[ok], d[ok], c[ok]
    cl = first.loc[units[ok], cluster].to_numpy() if cluster else np.arange(len(d))
    gc, _ = codes(pd.Series(g))
    counts = np.bincount(gc).astype(float)
    dd = d - (np.bincount(gc, weights=d) / counts)[gc]
    cc_ = c - (np.bincount(gc, weights=c) / counts)[gc]
    sxx = float(dd @ dd)
    if len(d) < 3 or sxx <= 1e-12 * max(float(d @ d), 1.0):
        return dict(
            aggregation="slope",
            bin="per unit of dose",
            estimate=np.nan,
            n=len(d),
            note="dose does not vary within cohorts: no within-cohort slope",
        )
    b = float(dd @ cc_) / sxx
    e = cc_ - b * dd
    clc, _ = codes(pd.Series(cl))
    s = group_sums(clc, (dd * e)[:, None]).ravel()
    G = len(s)
    k = 1 + len(counts)
    adj = G / (G - 1) * (len(d) - 1) / (len(d) - k) if G > 1 and len(d) > k else np.nan
    se = float(np.sqrt(adj * (s @ s)) / sxx)
    q = stats.t.ppf(1 - alpha / 2, max(G - 1, 1))
    return dict(
        aggregation="slope",
        bin="per unit of dose",
        dose_low=float(d.min()),
        dose_high=float(d.max()),
        estimate=b,
        se=se,
        ci_low=b - q * se,
        ci_high=b + q * se,
        p_value=float(2 * stats.t.sf(abs(b / se), max(G - 1, 1))),
        n=len(d),
    )
