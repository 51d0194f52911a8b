"""plots._layout: text from data is drawn as typed."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from berakhlak_research.plots import _layout  # noqa: E402

NAMES = ["Biaya $5 dan $10", "$\\frac{1}{$", "Dinas <b>", "\tTab\rDinas"]


def _svg(fig) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def _figure():
    fig, ax = plt.subplots()
    ax.barh(range(len(NAMES)), range(1, len(NAMES) + 1))
    ax.set_yticks(range(len(NAMES)), labels=NAMES)
    ax.set_title(NAMES[0])
    ax.text(0.5, 0.5, NAMES[1])
    return fig


def test_dollar_names_break_a_plain_figure():
    # the failure literal_text prevents: mathtext parses the name and fails
    with pytest.raises(ValueError, match="frac"):
        _svg(_figure())


def test_literal_text_draws_names_as_typed():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph 9 missing from font" for the tab
        data = _svg(_layout.literal_text(_figure()))
    texts = re.findall(rb"<text[^>]*>([^<]*)</text>", data)
    assert b"Biaya $5 dan $10" in texts and b"$\\frac{1}{$" in texts
    assert b"Dinas &lt;b&gt;" in texts and b" Tab Dinas" in texts
