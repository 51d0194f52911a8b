"""Trends: every wave in the store, and the change since the previous wave with a test.

Changes are tested as the difference of two independent survey estimates
(different respondents each wave): z = (x1 - x0) / sqrt(se1^2 + se0^2), two-sided,
the same test as ``culture_benchmarks.change_p_value``. The decision aid follows
FEVS: "increase" or "decrease" where p < 0.05, else "no change". Rows withheld in
either wave (fewer than ``min_group`` respondents or suppressed upstream) are left
out, so no small group is compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.reporting.sections._common import (
    _empty,
    _scoring,
    _shown,
    _unit_names,
    _value_names,
    memo_frame,
)
from berakhlak_research.reporting.sections.context import ReportContext

__all__ = [
    "ALPHA",
    "trend_frame",
    "change_test",
    "changes_frame",
    "behaviour_changes_frame",
    "unit_changes_frame",
]

ALPHA = 0.05
"""Significance level of the change decision (increase / decrease / no change)."""

_CHANGE_COLS = ["item", "item_name", "previous_wave", "previous", "estimate", "change",
                "ci_low", "ci_high", "p_value", "n", "decision", "census"]  # fmt: skip


def change_test(x0, se0, x1, se1, level: float = 0.95) -> pd.DataFrame:
    """Difference of two independent estimates with its interval and two-sided p-value.

    Returns
    -------
    pandas.DataFrame
        ``estimate`` (x1 - x0), ``se``, ``ci_low``, ``ci_high``, ``p_value``.
    """
    x0, se0, x1, se1 = (np.asarray(a, dtype="float64") for a in (x0, se0, x1, se1))
    d = x1 - x0
    se = np.sqrt(se0**2 + se1**2)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(d / se)), np.where(d == 0, 1.0, 0.0))
    return pd.DataFrame({"estimate": d, "se": se, "ci_low": d - z * se, "ci_high": d + z * se,
                         "p_value": p})  # fmt: skip


def _decide(change: pd.Series, p: pd.Series, lang: str) -> list[str]:
    key = np.where(p < ALPHA, np.where(change > 0, "trend_up", "trend_down"), "trend_same")
    key = np.where(p.isna(), "trend_na", key)
    return [t(k, lang) for k in key]


@memo_frame
def _gov_rows(ctx: ReportContext, table: str, item: str) -> pd.DataFrame | None:
    # the government's own rows (every wave) rather than a mask over the national table
    tab = ctx.gov_rows(table, aggregation="government" if table != "culture_index" else None)
    if tab is None:
        return None
    g = _scoring(tab[tab["aggregation"] == "government"])
    g = g[_shown(g, ctx.min_group) & (g["wave"] <= ctx.wave)]
    return g.rename(columns={item: "item"})


@memo_frame
def trend_frame(ctx: ReportContext) -> pd.DataFrame:
    """The government's index and seven values in every wave, with intervals.

    Returns
    -------
    pandas.DataFrame
        ``wave, value, value_name, estimate, ci_low, ci_high, n``; overall first,
        then B-A-K-H-L-A-K, each by wave.
    """
    cols = ["wave", "value", "value_name", "estimate", "ci_low", "ci_high", "n"]
    g = _gov_rows(ctx, "culture_index", "value")
    if g is None or not len(g):
        return _empty(cols)
    order = {c: i for i, c in enumerate(["overall", *fw.VALUE_CODES])}
    g = g.rename(columns={"item": "value"})
    g = g.assign(value_name=g["value"].map(_value_names(ctx.lang)), _o=g["value"].map(order))
    return g.sort_values(["_o", "wave"])[cols].reset_index(drop=True)


def _changes(ctx: ReportContext, rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Current wave against the latest earlier wave, per key, tested."""
    cur = rows[rows["wave"] == ctx.wave]
    earlier = rows[rows["wave"] < ctx.wave]
    if not len(cur) or not len(earlier):
        return pd.DataFrame()
    prev_wave = int(earlier["wave"].max())
    prev = earlier[earlier["wave"] == prev_wave]
    m = cur.merge(prev[[*keys, "estimate", "se"]], on=keys, suffixes=("", "_prev"))
    ch = change_test(m["estimate_prev"], m["se_prev"], m["estimate"], m["se"])
    # both waves surveyed in full: no sampling error, the change is exact (said in words)
    census = (m["se"].eq(0) & m["se_prev"].eq(0)).to_numpy()
    return m.assign(previous_wave=str(prev_wave), previous=m["estimate_prev"], census=census,
                    change=ch["estimate"].to_numpy(), ci_low=ch["ci_low"].to_numpy(),
                    ci_high=ch["ci_high"].to_numpy(), p_value=ch["p_value"].to_numpy(),
                    decision=_decide(ch["estimate"], ch["p_value"], ctx.lang))  # fmt: skip


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    out = out[_CHANGE_COLS].reset_index(drop=True)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").astype("Int64")
    out.attrs["hide"] = ["item"]
    out.attrs["headers"] = {"item": "col_code", "estimate": "col_current", "ci": "col_change_ci"}
    out.attrs["notes"] = [("trend_note", {"alpha": ALPHA})]
    return out


@memo_frame
def changes_frame(ctx: ReportContext) -> pd.DataFrame:
    """Change since the previous wave of the overall index and each value.

    Returns
    -------
    pandas.DataFrame
        ``item`` (value code), ``item_name, previous_wave, previous, estimate``
        (this wave), ``change, ci_low, ci_high`` (of the change), ``p_value, n``
        (this wave), ``decision`` (increase / decrease / no change), ``census`` (both
        waves surveyed in full: the change has no sampling error).
    """
    g = _gov_rows(ctx, "culture_index", "value")
    if g is None:
        return _empty(_CHANGE_COLS)
    out = _changes(ctx, g, ["item"])
    if not len(out):
        return _empty(_CHANGE_COLS)
    order = {c: i for i, c in enumerate(["overall", *fw.VALUE_CODES])}
    out = out.assign(item_name=out["item"].map(_value_names(ctx.lang)), _o=out["item"].map(order))
    return _finish(out.sort_values("_o"))


@memo_frame
def behaviour_changes_frame(ctx: ReportContext) -> pd.DataFrame:
    """Change since the previous wave of each of the 21 behaviours, as :func:`changes_frame`.

    Returns
    -------
    pandas.DataFrame
        As :func:`changes_frame`, ``item`` = behaviour code, ``item_name`` = its text.
    """
    g = _gov_rows(ctx, "culture_behaviour", "behaviour")
    if g is None:
        return _empty(_CHANGE_COLS)
    out = _changes(ctx, g, ["item"])
    if not len(out):
        return _empty(_CHANGE_COLS)
    text = {
        b.code: f"{b.code} {b.text_id if ctx.lang == 'id' else b.text_en}" for b in fw.BEHAVIOURS
    }
    order = {b.code: i for i, b in enumerate(fw.BEHAVIOURS)}
    out = out.assign(item_name=out["item"].map(text), _o=out["item"].map(order))
    return _finish(out.sort_values("_o"))


@memo_frame
def unit_changes_frame(ctx: ReportContext) -> pd.DataFrame:
    """Change since the previous wave of each unit's overall index (units shown in both waves).

    Returns
    -------
    pandas.DataFrame
        As :func:`changes_frame`, ``item`` = unit code, ``item_name`` = unit name;
        largest rise first. ``attrs["withheld"]`` counts units of this wave left
        out because either wave had fewer than ``min_group`` respondents.
    """
    ci = ctx.gov_rows("culture_index")
    if ci is None:
        return _empty(_CHANGE_COLS)
    u = _scoring(ci[(ci["aggregation"] == "unit") & (ci["value"] == "overall")
                    & (ci["wave"] <= ctx.wave)])  # fmt: skip
    n_now = int((u["wave"] == ctx.wave).sum())
    u = u[_shown(u, ctx.min_group)].rename(columns={"unit_code": "item"})
    out = _changes(ctx, u, ["item"])
    if not len(out):
        return _empty(_CHANGE_COLS)
    names = _unit_names(ctx)
    out = out.assign(item_name=out["item"].astype(str).map(names).fillna(out["item"].astype(str)))
    out = _finish(out.sort_values("change", ascending=False))
    out.attrs["withheld"] = n_now - len(out)
    return out
