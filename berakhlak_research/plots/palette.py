"""Colours shared by the matplotlib figures and the report's SVG figures (``reporting.charts``).

One definition, so a stage has the same colour in a researcher's figure and in
every report.
"""

from __future__ import annotations

__all__ = ["STAGE_COLOURS"]

STAGE_COLOURS = {1: "#0072B2", 2: "#56B4E9", 3: "#009E73", 4: "#E69F00", 5: "#CC79A7",
                 6: "#D55E00", 7: "#000000"}  # fmt: skip
"""One colour per stage number of ``framework.STAGES``: the colour-blind-safe Okabe-Ito order."""
