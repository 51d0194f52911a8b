"""One stage palette for the matplotlib figures and the report's SVG figures."""

from __future__ import annotations

import re

from berakhlak_research import framework as fw
from berakhlak_research import plots
from berakhlak_research.plots import palette, programmes
from berakhlak_research.reporting import charts


def test_every_stage_has_one_distinct_colour():
    numbers = [s.number for s in fw.STAGES]
    assert sorted(palette.STAGE_COLOURS) == sorted(numbers)
    colours = list(palette.STAGE_COLOURS.values())
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch("#[0-9A-F]{6}", c) for c in colours)


def test_figures_and_svg_charts_share_the_palette():
    assert programmes.STAGE_COLOURS is palette.STAGE_COLOURS is plots.STAGE_COLOURS
    assert charts.STAGE_COLOURS is palette.STAGE_COLOURS
