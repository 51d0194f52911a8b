"""The mediation path diagram: programme -> work culture -> IKM, with each path's estimate.

Takes the frame of ``reporting.sections.satisfaction.value_chain_frame`` (paths a,
b, direct, indirect, total with their intervals) and returns a matplotlib Figure
(no pyplot), or None when the paths are missing. Nothing is computed here except
the indirect share printed under the diagram (indirect / total, both from the frame).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from berakhlak_research.i18n import t

__all__ = ["mediation_diagram"]

_BOX = "#eef3f8"
_EDGE = "#1f5a96"


def _label(row) -> str:
    return f"{row['estimate']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]"


def mediation_diagram(frame: pd.DataFrame, lang: str = "id"):
    """Three boxes (programme, culture, IKM) and arrows a, b and direct, labelled.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``path, estimate, ci_low, ci_high`` with paths ``a``, ``b``, ``direct``
        (``indirect`` and ``total`` for the share line).

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    if frame is None or not len(frame):
        return None
    rows = {p: r for p, r in zip(frame["path"], frame.to_dict("records"), strict=True)}
    if not {"a", "b", "direct"} <= set(rows):
        return None
    fig = Figure(figsize=(6.4, 2.6))
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.96))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.2)
    ax.axis("off")
    boxes = {"x": (1.2, 1.0), "m": (5.0, 3.1), "y": (8.8, 1.0)}
    names = {"x": t("med_programme", lang), "m": t("med_culture", lang), "y": t("med_ikm", lang)}
    for k, (cx, cy) in boxes.items():
        ax.add_patch(FancyBboxPatch((cx - 1.05, cy - 0.4), 2.1, 0.8,
                                    boxstyle="round,pad=0.05", fc=_BOX, ec=_EDGE, lw=1.0))  # fmt: skip
        ax.text(cx, cy, names[k], ha="center", va="center", fontsize=8)

    def arrow(a, b, text, dy, colour=_EDGE, dx=0.0, ha="center"):
        (x0, y0), (x1, y1) = boxes[a], boxes[b]
        ax.add_patch(FancyArrowPatch((x0 + 1.1 * np.sign(x1 - x0), y0 + 0.42 * np.sign(y1 - y0)),
                                     (x1 - 1.1 * np.sign(x1 - x0), y1 - 0.42 * np.sign(y1 - y0)),
                                     arrowstyle="-|>", mutation_scale=12, color=colour, lw=1.2))  # fmt: skip
        ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, text, ha=ha, va="center", fontsize=7)

    # labels beside the slanted arrows, on their outer side, clear of the lines
    arrow("x", "m", f"a = {_label(rows['a'])}", 0.25, dx=-0.25, ha="right")
    arrow("m", "y", f"b = {_label(rows['b'])}", 0.25, dx=0.25, ha="left")
    arrow("x", "y", f"{t('med_direct', lang)} = {_label(rows['direct'])}", -0.3, "#8c8c8c")
    ind, tot = rows.get("indirect"), rows.get("total")
    if ind is not None and tot is not None and tot["estimate"]:
        share = 100 * ind["estimate"] / tot["estimate"]
        ax.text(5.0, 0.12, t("med_share", lang, ind=_label(ind), tot=_label(tot),
                             share=f"{share:.0f}"), ha="center", va="bottom", fontsize=7)  # fmt: skip
    return fig
