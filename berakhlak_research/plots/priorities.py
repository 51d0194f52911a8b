"""Driver importance with its bootstrap interval against the equal share (1/p).

Takes the frame of ``reporting.sections.satisfaction.priorities_frame`` or
``service_priorities_frame`` and returns a matplotlib Figure (no pyplot), or None
when there are no drivers. Points above the equal share with an interval clear
of it are red, below and clear grey, intervals that hold it light blue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from berakhlak_research.i18n import t
from berakhlak_research.plots._layout import set_margins, text_width

__all__ = ["importance_intervals"]

_RED, _GREY, _LIGHT = "#b23a3a", "#8c8c8c", "#7fa7d1"


def importance_intervals(frame: pd.DataFrame, lang: str = "id"):
    """Importance (share of R²) with 95 % intervals per driver; dashed line at 1/p.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``driver_name, importance, ci_low, ci_high, separated``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    d = frame.sort_values("importance").reset_index(drop=True)
    equal = 1.0 / len(d)
    y = np.arange(len(d))
    labels = [str(s)[:40] for s in d["driver_name"]]
    fig = Figure(figsize=(6.4, max(2.0, 0.28 * len(d) + 1.0)))
    ax = fig.subplots()
    set_margins(fig, max(text_width(s, 7) for s in labels) + 0.2)
    imp = d["importance"].to_numpy(float)
    lo, hi = d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float)
    sep = d["separated"].to_numpy(bool)
    colour = np.where(sep & (imp > equal), _RED, np.where(sep, _GREY, _LIGHT))
    has = np.isfinite(lo) & np.isfinite(hi)
    for i in np.flatnonzero(has):  # one line per driver (at most nine)
        ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colour[i], lw=1.6)
    ax.scatter(imp, y, color=colour, s=24, zorder=3)
    ax.axvline(equal, color="#555555", ls="--", lw=0.8)
    ax.text(equal, 1.0, f" 1/{len(d)}", transform=ax.get_xaxis_transform(), fontsize=7,
            va="bottom", color="#555555")  # fmt: skip
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel(t("col_importance", lang) + " (R²)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
