"""Trend lines: the index and each value over the waves, with 95 % intervals.

Takes the frame of ``reporting.sections.trends.trend_frame`` and returns a
matplotlib Figure (no pyplot) of small multiples, one panel per index, or None
when the frame is empty. Every number drawn is a column of the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from berakhlak_research.i18n import t

__all__ = ["value_trends"]

_BLUE = "#1f5a96"


def value_trends(frame: pd.DataFrame, lang: str = "id"):
    """One panel per index (overall, then the seven values): estimate and interval by wave.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``wave, value, value_name, estimate, ci_low, ci_high``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    values = list(dict.fromkeys(frame["value"]))
    ncol = 4
    nrow = int(np.ceil(len(values) / ncol))
    fig = Figure(figsize=(6.4, 1.75 * nrow + 0.4))
    axes = np.atleast_1d(fig.subplots(nrow, ncol, sharex=True, sharey=True)).ravel()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.12, wspace=0.12, hspace=0.45)
    waves = sorted(frame["wave"].unique())
    for ax, v in zip(axes, values, strict=False):
        d = frame[frame["value"] == v].sort_values("wave")
        x = d["wave"].to_numpy(float)
        ax.fill_between(x, d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float),
                        color=_BLUE, alpha=0.18, lw=0)  # fmt: skip
        ax.plot(x, d["estimate"].to_numpy(float), color=_BLUE, marker="o", ms=3, lw=1.4)
        ax.set_title(str(d["value_name"].iloc[0])[:24], fontsize=7.5)
        ax.set_xticks(waves, [str(int(w)) for w in waves], fontsize=6.5)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.grid(axis="y", color="#eeeeee", lw=0.6)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(values) :]:
        ax.set_visible(False)
    fig.text(0.01, 0.5, t("col_estimate", lang), rotation=90, va="center", fontsize=7.5)
    return fig
