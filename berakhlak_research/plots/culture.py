"""Figures of a culture report, drawn from the tidy frames of :mod:`reporting.views`.

Each function takes a frame (columns as documented by the matching
``views.*_frame`` function) and the report language, and returns a
matplotlib Figure, or None when the frame is empty. The event-study plot and
the importance-performance matrix live in :mod:`plots.did` and
:mod:`plots.value_chain`. Figures are built without
pyplot (no global state, any backend), so they need no closing. Nothing is computed here
beyond ordering; every number drawn comes from the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.plots._layout import set_margins, text_width

__all__ = ["value_profile", "unit_caterpillar", "ikm_elements", "distribution"]

_PAD = 0.2  # inches between a y label and the axis (tick, padding)
_BLUE, _GREY, _ORANGE, _GREEN = "#1f5a96", "#8c8c8c", "#d9822b", "#3a7d44"


def _bands(ax, bands, scale_max: float) -> None:
    for b in bands:
        if 0 < b.lower < scale_max:
            ax.axvline(b.lower, color=_GREY, lw=0.6, ls=":")
            ax.text(b.lower, 1.0, f" {b.code}", transform=ax.get_xaxis_transform(), fontsize=7,
                    color=_GREY, va="bottom")  # fmt: skip


def value_profile(frame: pd.DataFrame, lang: str = "id"):
    """Seven values with 95% intervals, the peer median (|) and peer upper quartile (diamond).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``value_name, estimate, ci_low, ci_high, peer_median, peer_q75``.
    lang : {"id", "en"}

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    d = frame.iloc[::-1]
    y = np.arange(len(d))
    names = d["value_name"].astype(str).tolist()
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    # margins in inches: the longest value name, the legend above the plot
    set_margins(fig, max(text_width(s, 9) for s in names) + _PAD, top=0.6)
    est = d["estimate"].to_numpy(float)
    ax.barh(y, est, color=_BLUE, alpha=0.85, height=0.6, label=t("col_estimate", lang))
    err = np.vstack([est - d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float) - est])
    ax.errorbar(est, y, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
    ax.scatter(d["peer_median"], y, marker="|", s=220, color=_ORANGE, zorder=3,
               label=t("col_peer_median", lang))  # fmt: skip
    ax.scatter(d["peer_q75"], y, marker="D", s=22, color=_GREEN, zorder=3,
               label=t("col_peer_q75", lang))  # fmt: skip
    _bands(ax, fw.CULTURE_CATEGORIES, 100)
    ax.set_yticks(y, names, fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel(t("col_estimate", lang) + " (0-100)")
    # above the plot, where it cannot cover a bar
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.07), ncol=3, frameon=False,
              borderaxespad=0)  # fmt: skip
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def unit_caterpillar(frame: pd.DataFrame, lang: str = "id"):
    """Units' overall index with 95% intervals, sorted (a caterpillar plot).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``unit_name, estimate, ci_low, ci_high`` (withheld units already dropped).

    Returns
    -------
    matplotlib.figure.Figure or None
        Unit names (cut to 40 characters) are texts of the axes (``ax.texts``)
        beside the y axis rather than tick labels; the left margin fits the
        longest.
    """
    if frame is None or not len(frame):
        return None
    d = frame.sort_values("estimate")
    y = np.arange(len(d))
    labels = [s if len(s) <= 40 else s[:38] + "…" for s in d["unit_name"].astype(str)]
    fig = Figure(figsize=(6.4, max(2.2, 0.22 * len(d) + 0.9)))
    ax = fig.subplots()
    # margins in inches, whatever the height: the longest unit name fits on the left
    set_margins(fig, max(text_width(s, 7) for s in labels) + _PAD, top=0.3, bottom=0.5)
    est = d["estimate"].to_numpy(float)
    err = np.vstack([est - d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float) - est])
    ax.errorbar(est, y, xerr=err, fmt="o", ms=3.5, color=_BLUE, ecolor=_GREY, lw=1)
    ax.axvline(float(np.mean(est)), color=_ORANGE, lw=0.8, ls="--")
    ax.set_ylim(-0.6, len(d) - 0.4)
    # unit names as plain texts beside the axis, not as tick labels: a matplotlib tick is
    # five artists (two lines, two texts, a grid line) and with ~70 units building and
    # drawing them was a third of the figure's cost
    ax.set_yticks([])
    beside = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-4, units="points")
    for yi, label in zip(y, labels, strict=True):
        ax.text(0, yi, label, transform=beside, ha="right", va="center", fontsize=7)
    _bands(ax, fw.CULTURE_CATEGORIES, 100)
    ax.set_xlabel(t("col_estimate", lang) + " (0-100)")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def ikm_elements(frame: pd.DataFrame, lang: str = "id"):
    """The nine IKM elements (NRR x 25) against the band cut-offs of PermenPANRB 14/2017.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``element, element_name, nrr_x25``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    d = frame.iloc[::-1]
    y = np.arange(len(d))
    labels = [f"{c} {n}"[:42] for c, n in zip(d["element"], d["element_name"], strict=True)]
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    set_margins(fig, max(text_width(s, 7) for s in labels) + _PAD)
    ax.barh(y, d["nrr_x25"].to_numpy(float), color=_GREEN, alpha=0.85, height=0.6)
    _bands(ax, fw.IKM_BANDS["2017"], 100)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(25, 100)
    ax.set_xlabel(t("col_nrr25", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def distribution(frame: pd.DataFrame, lang: str = "id"):
    """Histogram of governments' overall index with the category cut-offs.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``estimate`` per government.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.subplots()
    fig.subplots_adjust(left=0.12, right=0.97, top=0.92, bottom=0.18)
    ax.hist(frame["estimate"].astype(float), bins=30, color=_BLUE, alpha=0.85)
    _bands(ax, fw.CULTURE_CATEGORIES, 100)
    ax.set_xlabel(t("overall_index", lang))
    ax.set_ylabel(t("col_count", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return fig
