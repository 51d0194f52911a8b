"""Figures of the intervention models, drawn from their tidy tables.

Each function takes a table as produced by :mod:`berakhlak_research.models.did`
(``StaggeredResult.table``, the results-store table ``did_effects``, or
``did_dose``), optionally filters it to one outcome and panel, and returns a
matplotlib Figure (built without pyplot, so no global state and nothing to
close). Nothing is computed here: every number drawn is a column of the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from berakhlak_research.exceptions import InputError

__all__ = ["event_study_plot", "cohort_plot", "group_time_plot", "dose_plot"]

_BLUE, _ORANGE, _GREY = "#1f5a96", "#d9822b", "#8c8c8c"
_LABELS = {
    "event_time": ("Tahun sejak program (0 = tahun pertama)", "Years since programme (0 = first)"),
    "effect": ("Efek (poin indeks)", "Effect (index points)"),
    "cohort": ("Kohort (tahun mulai)", "Cohort (first year)"),
    "overall": ("Keseluruhan", "Overall"),
    "time": ("Tahun", "Year"),
    "staggered_att": (
        "ATT kelompok-waktu (Callaway-Sant'Anna)",
        "Group-time ATT (Callaway-Sant'Anna)",
    ),
    "twfe": ("TWFE (pembanding, bias)", "TWFE (comparison, biased)"),
    "uniform": ("pita simultan 95%", "95% simultaneous band"),
    "pointwise": ("interval 95%", "95% interval"),
    "dose_bin": ("Efek menurut dosis", "Effect by dose"),
}


def _lab(key: str, lang: str) -> str:
    if lang not in ("id", "en"):
        raise InputError(f"lang={lang!r}; use 'id' or 'en'.")
    return _LABELS[key][0 if lang == "id" else 1]


def _select(table: pd.DataFrame, aggregation: str, outcome, panel) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame) or "aggregation" not in table.columns:
        raise InputError("Pass a tidy effects table (columns aggregation, estimate, ci_low, ...).")
    d = table[table["aggregation"] == aggregation]
    if outcome is not None and "outcome" in d.columns:
        d = d[d["outcome"] == outcome]
    if panel is not None and "panel" in d.columns:
        d = d[d["panel"] == panel]
    if "outcome" in d.columns and d["outcome"].nunique() > 1:
        raise InputError(
            f"The table holds several outcomes {sorted(d['outcome'].unique())}; pass outcome=."
        )
    if "panel" in d.columns and d["panel"].nunique() > 1:
        raise InputError("The table holds several panels; pass panel='unit' or 'government'.")
    return d


def _new(ax, size):
    if ax is None:
        fig = Figure(figsize=size)
        return fig, fig.subplots()
    return ax.figure, ax


def event_study_plot(
    effects: pd.DataFrame,
    outcome: str | None = None,
    panel: str | None = None,
    lang: str = "en",
    ax=None,
    title: str | None = None,
):
    """Event-study plot: effect by years since the programme, with intervals.

    Parameters
    ----------
    effects : pandas.DataFrame
        Rows with ``aggregation == "event_time"`` and columns ``event_time,
        estimate, ci_low, ci_high``; optional ``estimator`` (each estimator
        drawn as its own series, the group-time estimate with a shaded band,
        TWFE with error bars), ``band`` ("uniform"/"pointwise"), ``outcome``,
        ``panel``.
    outcome, panel : str, optional
        Filters for a ``did_effects`` table holding several.
    lang : {"id", "en"}
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    d = _select(effects, "event_time", outcome, panel)
    if "estimator" not in d.columns:
        d = d.assign(estimator="staggered_att")
    fig, ax = _new(ax, (6.4, 3.4))
    order = [e for e in ("staggered_att", "twfe") if e in set(d["estimator"])]
    order += sorted(set(d["estimator"]) - set(order))
    for k, est in enumerate(order):
        s = d[d["estimator"] == est].sort_values("event_time")
        x = s["event_time"].astype(float).to_numpy()
        y = s["estimate"].astype(float).to_numpy()
        lo, hi = s["ci_low"].astype(float).to_numpy(), s["ci_high"].astype(float).to_numpy()
        name = _LABELS[est][0 if lang == "id" else 1] if est in _LABELS else str(est)
        if est == "staggered_att":
            band = s["band"].iloc[0] if "band" in s.columns and len(s) else "pointwise"
            ax.fill_between(x, lo, hi, color=_BLUE, alpha=0.18, lw=0,
                            label=f"{_lab(band if band in _LABELS else 'pointwise', lang)}")  # fmt: skip
            ax.plot(x, y, "o-", color=_BLUE, ms=4, lw=1.4, label=name)
        else:
            off = 0.08 * (k if k else 1)
            err = np.vstack([y - lo, hi - y])
            ax.errorbar(x + off, y, yerr=np.nan_to_num(err), fmt="s--", ms=3.5, lw=0.9,
                        capsize=2, color=_ORANGE if est == "twfe" else None, label=name)  # fmt: skip
    ax.axhline(0, color=_GREY, lw=0.7)
    ax.axvline(-0.5, color=_GREY, lw=0.7, ls=":")
    ax.set_xlabel(_lab("event_time", lang))
    ax.set_ylabel(_lab("effect", lang))
    xs = np.sort(d["event_time"].dropna().astype(int).unique())
    ax.set_xticks(xs)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def cohort_plot(
    effects: pd.DataFrame,
    outcome: str | None = None,
    panel: str | None = None,
    lang: str = "en",
    ax=None,
    title: str | None = None,
):
    """Effect by adoption cohort, with the overall effect, as point ranges.

    Parameters
    ----------
    effects : pandas.DataFrame
        Rows with ``aggregation`` "cohort" (columns ``cohort, estimate, ci_low,
        ci_high``, optional ``n``) and "overall"; a ``did_effects`` table is
        restricted to ``estimator == "staggered_att"``.
    outcome, panel, lang, ax, title
        As in :func:`event_study_plot`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "estimator" in effects.columns:
        effects = effects[effects["estimator"] == "staggered_att"]
    coh = _select(effects, "cohort", outcome, panel).sort_values("cohort")
    ov = _select(effects, "overall", outcome, panel)
    fig, ax = _new(ax, (5.6, 0.5 * (len(coh) + 1) + 1.2))
    labels = [str(int(c)) if float(c).is_integer() else str(c) for c in coh["cohort"]]
    rows = pd.concat([coh, ov.head(1)], ignore_index=True)
    labels = labels + ([_lab("overall", lang)] if len(ov) else [])
    y = np.arange(len(rows))[::-1]
    est = rows["estimate"].astype(float).to_numpy()
    err = np.vstack([est - rows["ci_low"].astype(float), rows["ci_high"].astype(float) - est])
    colors = [_BLUE] * len(coh) + [_ORANGE] * (len(rows) - len(coh))
    for yi, e, lo, hi, c in zip(y, est, err[0], err[1], colors, strict=True):
        ax.errorbar(e, yi, xerr=[[lo], [hi]], fmt="o", color=c, capsize=3, ms=5)
    if "n" in rows.columns:
        for yi, e, n in zip(y, est, rows["n"], strict=True):
            ax.annotate(f"n={int(n)}", (e, yi), xytext=(0, 6), textcoords="offset points",
                        fontsize=6, ha="center", color=_GREY)  # fmt: skip
    ax.axvline(0, color=_GREY, lw=0.7)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(_lab("effect", lang))
    ax.set_ylabel(_lab("cohort", lang))
    if title:
        ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def group_time_plot(
    effects: pd.DataFrame,
    outcome: str | None = None,
    panel: str | None = None,
    lang: str = "en",
    title: str | None = None,
):
    """Group-time effects ATT(g, t): one small panel per cohort over calendar time.

    Parameters
    ----------
    effects : pandas.DataFrame
        Rows with ``aggregation == "group_time"``: ``cohort, time, estimate, ci_low,
        ci_high``. Pre-treatment cells (t < g) are placebo comparisons.
    outcome, panel, lang, title
        As in :func:`event_study_plot`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "estimator" in effects.columns:
        effects = effects[effects["estimator"] == "staggered_att"]
    d = _select(effects, "group_time", outcome, panel)
    cohorts = sorted(d["cohort"].dropna().unique())
    if not cohorts:
        raise InputError("The table has no group_time rows.")
    fig = Figure(figsize=(2.4 * len(cohorts) + 0.6, 2.8))
    axes = np.atleast_1d(fig.subplots(1, len(cohorts), sharey=True))
    for ax, g in zip(axes, cohorts, strict=True):
        s = d[d["cohort"] == g].sort_values("time")
        x = s["time"].astype(float).to_numpy()
        y = s["estimate"].astype(float).to_numpy()
        post = x >= float(g)
        err = np.vstack([y - s["ci_low"].astype(float), s["ci_high"].astype(float) - y])
        for mask, c in ((~post, _GREY), (post, _BLUE)):
            ax.errorbar(x[mask], y[mask], yerr=err[:, mask], fmt="o", color=c, capsize=2, ms=4)
        ax.axhline(0, color=_GREY, lw=0.7)
        ax.axvline(float(g) - 0.5, color=_GREY, lw=0.7, ls=":")
        ax.set_title(f"{_lab('cohort', lang).split(' (')[0]} {int(g)}", fontsize=9)
        ax.set_xticks(np.unique(x))
        ax.set_xlabel(_lab("time", lang))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel(_lab("effect", lang))
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def dose_plot(
    dose: pd.DataFrame,
    dose_name: str | None = None,
    outcome: str | None = None,
    panel: str | None = None,
    lang: str = "en",
    ax=None,
):
    """Effect by dose bin (point ranges) with the within-cohort slope in the legend.

    Parameters
    ----------
    dose : pandas.DataFrame
        A ``did_dose`` table or :func:`berakhlak_research.models.did.dose_response`
        output: ``dose, aggregation, bin, dose_low, dose_high, estimate, ci_low, ci_high``.
    dose_name : str, optional
        Which dose (``"hours"``, ``"stage_max"``) when the table holds several.
    outcome, panel, lang, ax
        As in :func:`event_study_plot`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(dose, pd.DataFrame) or "aggregation" not in dose.columns:
        raise InputError("Pass a tidy dose table (columns aggregation, bin, dose_low, ...).")
    d = dose
    for col, val in (("dose", dose_name), ("outcome", outcome), ("panel", panel)):
        if val is not None and col in d.columns:
            d = d[d[col] == val]
    if "dose" in d.columns and d["dose"].nunique() > 1:
        raise InputError("The table holds several doses; pass dose_name=.")
    bins = d[d["aggregation"] == "bin"].sort_values("dose_low")
    slope = d[d["aggregation"] == "slope"]
    fig, ax = _new(ax, (5.6, 3.2))
    x = np.arange(len(bins))
    y = bins["estimate"].astype(float).to_numpy()
    err = np.vstack([y - bins["ci_low"].astype(float), bins["ci_high"].astype(float) - y])
    label = _lab("dose_bin", lang)
    if len(slope) and np.isfinite(slope["estimate"].astype(float)).all():
        s = slope.iloc[0]
        label += f" (slope {s['estimate']:.3g} [{s['ci_low']:.3g}, {s['ci_high']:.3g}])"
    ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="o", color=_BLUE, capsize=3, label=label)
    ax.axhline(0, color=_GREY, lw=0.7)
    ax.set_xticks(x, bins["bin"].astype(str), fontsize=8)
    name = str(bins["dose"].iloc[0]) if "dose" in bins.columns and len(bins) else "dose"
    ax.set_xlabel(name)
    ax.set_ylabel(_lab("effect", lang))
    ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
