"""Fixed figure layouts without a second drawing pass.

``tight_layout``, ``constrained_layout`` and ``bbox_inches="tight"`` measure
every text by drawing the figure, which costs as much as the drawing itself
(and a report draws several figures per government). Instead, margins are set
here in inches, the label margin from the labels' widths computed from the
advance widths of DejaVu Sans (matplotlib's default font, the one it measures
and draws with): one table lookup per character, no rendering.

:func:`literal_text` makes every text of a figure literal before it is drawn:
names from data ("Biaya $5 - $10", "$\\frac{") are shown as typed, never
parsed as mathtext (which fails on them or draws them as formulas).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["text_width", "set_margins", "literal_text"]

_FALLBACK_EM = 0.62
# control characters other than a line break: the font has no glyph for them (a
# warning per glyph, and a box drawn); a space stands in
_CONTROL = {
    c: " " for c in (*range(0, 10), *range(11, 32), 127)
}  # a wide average advance, for characters the font lacks


@lru_cache(maxsize=1)
def _font():
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    # a private FT2Font object: the shared one's size is set by the renderers
    font = ft2font.FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    font.set_size(100, 72)  # 100 px per em: advances come out in 1/100 em
    return font


_ADVANCE: dict[str, float] = {}


def _advance(ch: str) -> float:
    em = _ADVANCE.get(ch)
    if em is None:
        font = _font()
        try:
            index = font.get_char_index(ord(ch))
            em = font.load_char(ord(ch)).linearHoriAdvance / 65536 / 100 if index else 0.0
        except Exception:  # noqa: BLE001 - a character the font cannot load
            em = 0.0
        em = em or _FALLBACK_EM
        _ADVANCE[ch] = em
    return em


def text_width(text: str, fontsize: float) -> float:
    """Width of ``text`` set in DejaVu Sans at ``fontsize`` points, in inches (no kerning)."""
    return sum(_advance(ch) for ch in str(text)) * fontsize / 72


def set_margins(fig, left: float, right: float = 0.3, top: float = 0.35, bottom: float = 0.55):
    """Place the axes of ``fig`` with margins given in inches (clipped to sane fractions)."""
    w, h = fig.get_size_inches()
    lo = min(max(left / w, 0.02), 0.6)
    fig.subplots_adjust(
        left=lo,
        right=max(1 - right / w, lo + 0.2),
        top=1 - min(top / h, 0.4),
        bottom=min(bottom / h, 0.4),
    )


def literal_text(fig):
    """Draw every text of ``fig`` as typed: no mathtext (``$...$``) parsing; returns ``fig``.

    Unit and government names come from data, and a ``$`` in them would
    otherwise switch matplotlib to mathtext: "Biaya $5 - $10" loses its
    dollars and ``$\\frac{`` stops the figure with a parse error. The report
    figures use no mathtext, so every text artist (titles, labels, tick
    labels, annotations, legends) is set literal, and control characters
    other than line breaks (a tab or CR in a name) become spaces.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
        raw = text.get_text()
        clean = raw.translate(_CONTROL)
        if clean != raw:
            text.set_text(clean)
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    # tick labels are re-set from the formatter at every draw: clean what it gives
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for fmt in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(fmt, FixedFormatter):
                    fmt.seq = [str(x).translate(_CONTROL) for x in fmt.seq]
                elif isinstance(fmt, FuncFormatter) and not getattr(fmt.func, "_literal", False):
                    fmt.func = _cleaned(fmt.func)
    return fig


def _cleaned(func):
    def label(x, pos=None):
        return str(func(x, pos)).translate(_CONTROL)

    label._literal = True  # wrapped once, however often literal_text runs
    return label
