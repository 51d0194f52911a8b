"""Figures of a government's culture programmes: the event timeline and the seven stages.

Each function takes a frame of :mod:`berakhlak_research.reporting.sections.programmes`
and the report language and returns a matplotlib Figure (no pyplot), or None
when the frame is empty. Nothing is computed here beyond placing points.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.plots._layout import set_margins, text_width
from berakhlak_research.plots.palette import STAGE_COLOURS  # re-exported: callers reach it here

__all__ = ["timeline", "stage_progress", "STAGE_COLOURS"]

_PAD = 0.2


def timeline(frame: pd.DataFrame, lang: str = "id"):
    """Events by date (x) and scope (y: the whole government on top, then units), by stage.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``date, stage, scope, whole_gov`` as from ``programme_timeline_frame``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    whole = frame.loc[frame["whole_gov"], "scope"].unique().tolist()
    units = sorted(frame.loc[~frame["whole_gov"], "scope"].unique().tolist())
    rows = [*whole, *units]
    y_of = {s: len(rows) - 1 - i for i, s in enumerate(rows)}
    fig = Figure(figsize=(6.4, max(2.0, 0.2 * len(rows) + 1.2)))
    ax = fig.subplots()
    labels = [str(s)[:36] for s in rows]
    set_margins(fig, max(text_width(s, 7) for s in labels) + _PAD, right=1.9)
    stage = frame["stage"].astype("Int64")
    for number in sorted(stage.dropna().unique()):
        d = frame[stage == number]
        name = {s.number: (s.name_id if lang == "id" else s.name_en) for s in fw.STAGES}
        ax.scatter(pd.to_datetime(d["date"]), d["scope"].map(y_of).to_numpy(float), s=22,
                   color=STAGE_COLOURS.get(int(number), "#8c8c8c"),
                   label=f"{int(number)}. {name.get(int(number), '')}"[:30], zorder=3)  # fmt: skip
    ax.set_yticks(np.arange(len(rows)), labels[::-1], fontsize=7)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="y", color="#eeeeee", lw=0.6)
    from matplotlib.dates import DateFormatter, YearLocator

    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(t("col_date", lang), fontsize=8)
    ax.legend(title=t("col_stage", lang), fontsize=6.5, title_fontsize=7, frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))  # fmt: skip
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def stage_progress(frame: pd.DataFrame, lang: str = "id"):
    """The seven stages as a row of steps: filled where reached, with the year first reached.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``stage, stage_name, reached, first_date`` as from ``stage_progress_frame``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    fig = Figure(figsize=(6.4, 2.1))
    ax = fig.add_axes((0.02, 0.05, 0.96, 0.9))
    x = np.arange(len(frame))
    reached = frame["reached"].to_numpy(bool)
    colours = [STAGE_COLOURS.get(int(s), "#8c8c8c") if r else "#ffffff"
               for s, r in zip(frame["stage"], reached, strict=True)]  # fmt: skip
    ax.plot(x, np.zeros(len(x)), color="#bbbbbb", lw=1.5, zorder=1)
    ax.scatter(x, np.zeros(len(x)), s=260, c=colours, edgecolors="#555555", zorder=2)
    for xi, (num, name, r, first) in enumerate(
        zip(frame["stage"], frame["stage_name"], reached, frame["first_date"], strict=True)
    ):
        ax.text(xi, 0, str(int(num)), ha="center", va="center", fontsize=8,
                color="#ffffff" if r and int(num) != 2 else "#333333", zorder=3)  # fmt: skip
        label = "\n".join(textwrap.wrap(str(name), 13)[:4])
        ax.text(xi, 0.55, label, ha="center", va="bottom", fontsize=6.5, color="#222222")
        when = str(first)[:4] if r else t("not_yet", lang)
        ax.text(xi, -0.55, when, ha="center", va="top", fontsize=7,
                color="#222222" if r else "#8c8c8c")  # fmt: skip
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_ylim(-1.3, 2.6)
    ax.axis("off")
    return fig
