"""Figures of the value chain: unit caterpillar, importance-performance matrix, culture vs IKM.

Each function takes a tidy frame (the results-store tables of
:func:`berakhlak_research.models.value_chain.model_tables`, or the unit panel)
and the report language, and returns a matplotlib Figure (None for an empty
frame). Figures are built without pyplot, so no global state is touched.
Nothing is estimated here except the least-squares line drawn through the
scatter, which is labelled as such.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from berakhlak_research.plots._layout import text_width

__all__ = ["unit_caterpillar", "importance_performance_matrix", "culture_ikm_scatter"]

_BLUE, _GREY, _ORANGE, _RED, _GREEN = "#1f5a96", "#8c8c8c", "#d9822b", "#b23a3a", "#3a7d44"

_TEXT = {
    "id": {
        "effect": "Selisih terhadap rata-rata model (interval 95%)",
        "units": "Unit kerja",
        "importance": "Kepentingan (porsi R²)",
        "performance": "Skor",
        "culture": "Indeks budaya unit (0-100)",
        "ikm": "IKM unit (25-100)",
        "fit": "Garis kuadrat terkecil",
        "concentrate_here": "Prioritas utama",
        "keep_up": "Pertahankan",
        "low_priority": "Prioritas berikutnya",
        "possible_overkill": "Sumber daya dapat dialihkan",
        "slope": "kemiringan",
        "more": "unit lain tidak ditampilkan",
    },
    "en": {
        "effect": "Difference from the model average (95% interval)",
        "units": "Work unit",
        "importance": "Importance (share of R²)",
        "performance": "Score",
        "culture": "Unit culture index (0-100)",
        "ikm": "Unit IKM (25-100)",
        "fit": "Least-squares line",
        "concentrate_here": "Top priority",
        "keep_up": "Keep it up",
        "low_priority": "Next in line",
        "possible_overkill": "Resources can be moved",
        "slope": "slope",
        "more": "further units not shown",
    },
}
_QCOLOR = {
    "concentrate_here": _RED,
    "keep_up": _GREEN,
    "low_priority": _ORANGE,
    "possible_overkill": _GREY,
}


def _txt(lang: str) -> dict:
    if lang not in _TEXT:
        raise ValueError(f"lang must be 'id' or 'en', got {lang!r}.")
    return _TEXT[lang]


def unit_caterpillar(
    unit_effects: pd.DataFrame,
    lang: str = "id",
    label: str = "unit_code",
    max_units: int = 60,
    title: str | None = None,
):
    """Caterpillar plot: units' predicted effects sorted, with 95% intervals.

    Parameters
    ----------
    unit_effects : pandas.DataFrame
        ``estimate, ci_low, ci_high`` and the ``label`` column (one outcome,
        one wave: filter the ``unit_effects`` table first).
    lang : {"id", "en"}
    label : str, default "unit_code"
        Column naming the units on the y axis (e.g. ``unit_name``).
    max_units : int, default 60
        With more units, the ``max_units / 2`` lowest and highest are drawn.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or None
        Intervals that exclude zero are coloured (blue above, red below).
    """
    tx = _txt(lang)
    if unit_effects is None or not len(unit_effects):
        return None
    d = unit_effects.sort_values("estimate").reset_index(drop=True)
    hidden = 0
    if len(d) > max_units:
        half = max_units // 2
        hidden = len(d) - 2 * half
        d = pd.concat([d.head(half), d.tail(half)], ignore_index=True)
    y = np.arange(len(d))
    fig = Figure(figsize=(6.4, max(2.4, 0.17 * len(d) + 1.2)))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.3, right=0.97, top=0.93, bottom=0.1)
    est = d["estimate"].to_numpy(float)
    lo, hi = d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float)
    colour = np.where(lo > 0, _BLUE, np.where(hi < 0, _RED, _GREY))
    ax.hlines(y, lo, hi, colors=colour, lw=1.2)
    ax.scatter(est, y, c=colour, s=14, zorder=3)
    ax.axvline(0, color="black", lw=0.7)
    ax.set_yticks(y, d[label].astype(str).to_numpy(), fontsize=6 if len(d) > 30 else 8)
    ax.set_xlabel(tx["effect"])
    ax.set_ylabel(tx["units"])
    if hidden:
        ax.text(0.99, 0.5, f"… {hidden} {tx['more']}", transform=ax.transAxes, ha="right",
                fontsize=7, color=_GREY)  # fmt: skip
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def importance_performance_matrix(ipa: pd.DataFrame, lang: str = "id", title: str | None = None):
    """Importance-performance matrix of one government and target.

    Parameters
    ----------
    ipa : pandas.DataFrame
        Rows of the ``importance_performance`` table for one ``gov_code`` and
        ``target``: ``importance, performance, quadrant, driver_label_id,
        driver_label_en``.
    lang : {"id", "en"}
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or None
        Points coloured by quadrant; dashed lines at the equal importance
        share (1/p) and at the mean score, which define the quadrants.
    """
    tx = _txt(lang)
    if ipa is None or not len(ipa):
        return None
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.12, right=0.97, top=0.92, bottom=0.12)
    perf = ipa["performance"].to_numpy(float)
    imp = ipa["importance"].to_numpy(float)
    for q, colour in _QCOLOR.items():
        m = (ipa["quadrant"] == q).to_numpy()
        if m.any():
            ax.scatter(perf[m], imp[m], s=40, color=colour, label=tx[q], zorder=3)
    # each name to the right of its point, or to the left where it would run off the figure
    x0, x1 = ax.get_xlim()
    fig_w = fig.get_size_inches()[0]
    ax_left, ax_w = 0.12 * fig_w, (0.97 - 0.12) * fig_w
    for x, yv, name in zip(perf, imp, ipa[f"driver_label_{lang}"], strict=True):
        at = ax_left + (x - x0) / (x1 - x0) * ax_w  # the point, inches from the left edge
        width = text_width(str(name), 7) + 0.1
        right = at + width <= fig_w or fig_w - at >= at
        ax.annotate(str(name), (x, yv), xytext=(4 if right else -4, 3), textcoords="offset points",
                    fontsize=7, ha="left" if right else "right")  # fmt: skip
    ax.axhline(1.0 / len(ipa), color=_GREY, ls="--", lw=0.8)
    ax.axvline(perf.mean(), color=_GREY, ls="--", lw=0.8)
    ax.set_xlabel(tx["performance"])
    ax.set_ylabel(tx["importance"])
    ax.legend(fontsize=7, loc="best", frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def culture_ikm_scatter(
    panel: pd.DataFrame,
    value: str = "overall",
    lang: str = "id",
    highlight: str | None = None,
    title: str | None = None,
):
    """Unit culture index against unit IKM, with the least-squares line.

    Parameters
    ----------
    panel : pandas.DataFrame
        Unit-wave rows with ``culture_<value>`` and ``ikm`` (and ``gov_code``
        when ``highlight`` is given).
    value : str, default "overall"
        ``"overall"`` or a value code.
    lang : {"id", "en"}
    highlight : str, optional
        A ``gov_code`` whose units are drawn on top in colour.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    tx = _txt(lang)
    col = f"culture_{value}"
    if panel is None or not len(panel) or col not in panel:
        return None
    d = panel[[col, "ikm", *(["gov_code"] if "gov_code" in panel else [])]].dropna(
        subset=[col, "ikm"]
    )
    if len(d) < 2:
        return None
    x, yv = d[col].to_numpy(float), d["ikm"].to_numpy(float)
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.12, right=0.97, top=0.92, bottom=0.12)
    ax.scatter(x, yv, s=8, color=_GREY, alpha=0.5, lw=0)
    if highlight is not None and "gov_code" in d:
        m = (d["gov_code"] == highlight).to_numpy()
        ax.scatter(x[m], yv[m], s=16, color=_BLUE, zorder=3, label=highlight)
    slope, icpt = np.polyfit(x, yv, 1)
    xs = np.linspace(x.min(), x.max(), 50)
    ax.plot(xs, icpt + slope * xs, color=_RED, lw=1.4,
            label=f"{tx['fit']} ({tx['slope']} {slope:.2f})")  # fmt: skip
    ax.set_xlabel(tx["culture"] + ("" if value == "overall" else f" — {value}"))
    ax.set_ylabel(tx["ikm"])
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
