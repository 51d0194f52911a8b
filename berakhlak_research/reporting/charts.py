"""The government report's figures written directly as SVG text (no matplotlib).

A national batch draws ten figures in each of 552 reports. Through matplotlib
(:mod:`berakhlak_research.plots`) building and drawing them took about 0.6 s
per report, half of the report's time, because every axes, tick and marker is
a Python object that the SVG backend then visits; the same pictures written
here as SVG elements take a few milliseconds. The ``plots`` functions stay for
researchers (matplotlib figures to restyle in JupyterLab) and for PNG reports;
the report's SVG figures come from here and show the same things: the same
frames, the same marks, colours and category limits.

Each figure function takes the frame of the matching ``views.*_frame``
function and the report language and returns the SVG as ``bytes`` (or None
when there is nothing to draw). Sizes are in points (1/72 inch) with the
figure sizes of the matplotlib versions, so a page lays out the same.
Every text from data is escaped and stripped of control characters, so a
name such as ``Biaya $5 - $10`` or ``<script>`` is shown as typed and can
never become markup; what comes out passes :func:`outputs.svg_problems`.
Text is drawn by the browser (DejaVu Sans first, as matplotlib would);
label margins are measured with :func:`plots.text_width`.
"""

from __future__ import annotations

import html
import math
import textwrap

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research.i18n import t
from berakhlak_research.plots import STAGE_COLOURS, text_width
from berakhlak_research.reporting import numbers

__all__ = [
    "value_profile",
    "unit_caterpillar",
    "ikm_elements",
    "importance_intervals",
    "timeline",
    "stage_progress",
    "value_trends",
    "nice_ticks",
]

_BLUE, _GREY, _ORANGE, _GREEN = "#1f5a96", "#8c8c8c", "#d9822b", "#3a7d44"
_RED, _LIGHT, _DARK = "#b23a3a", "#7fa7d1", "#555555"
_FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif"
_PT = 72.0  # points per inch
_PAD = 0.2 * _PT  # between a row label and the plot
# control characters other than a line break have no glyph: a space stands in
_CONTROL = {c: " " for c in (*range(0, 10), *range(11, 32), 127)}


def _esc(x) -> str:
    return html.escape(str(x).translate(_CONTROL), quote=True)


def _f(x: float) -> str:
    # coordinates with two decimals (a hundredth of a point), no trailing zeros
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _text(x, y, s, size=7.0, anchor="start", fill="#222222", middle=False, extra="") -> str:
    # dy 0.35em centres a line on y (dominant-baseline is not drawn alike everywhere)
    dy = " dy='0.35em'" if middle else ""
    return (
        f"<text x='{_f(x)}' y='{_f(y)}' font-size='{size:g}' text-anchor='{anchor}' "
        f"fill='{fill}'{dy}{extra}>{_esc(s)}</text>"
    )


def _line(x1, y1, x2, y2, stroke="#000000", width=0.8, dash="") -> str:
    d = f" stroke-dasharray='{dash}'" if dash else ""
    return (
        f"<line x1='{_f(x1)}' y1='{_f(y1)}' x2='{_f(x2)}' y2='{_f(y2)}' stroke='{stroke}' "
        f"stroke-width='{width:g}'{d}/>"
    )


def _svg(width_in: float, height_in: float, label: str, body: list[str]) -> bytes:
    w, h = width_in * _PT, height_in * _PT
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{_f(w)}pt' height='{_f(h)}pt' "
        f"viewBox='0 0 {_f(w)} {_f(h)}' role='img' font-family='{_FONT}'>"
        f"<title>{_esc(label)}</title>"
        f"<rect width='{_f(w)}' height='{_f(h)}' fill='#ffffff'/>" + "".join(body) + "</svg>"
    ).encode("utf-8")


def nice_ticks(lo: float, hi: float, n: int = 6) -> np.ndarray:
    """About ``n`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) in [lo, hi].

    Examples
    --------
    >>> nice_ticks(0, 100).tolist()
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo]) if math.isfinite(lo) else np.array([])
    raw = (hi - lo) / max(n - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-6, step)
    return np.round(ticks, 10)


def _tick_texts(ticks, lang: str) -> list[str]:
    """Tick values in the report's language, with the fewest decimals that show them exactly."""
    ticks = np.asarray(ticks, float)
    digits = next((d for d in range(5) if np.allclose(np.round(ticks, d), ticks, atol=1e-9)), 4)
    if digits == 0:
        return [numbers.year(int(round(v))) for v in ticks]
    return [numbers.number(v, lang, digits) for v in ticks]


def _padded(values, pad: float = 0.05, floor=None, ceil=None) -> tuple[float, float]:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    span = (hi - lo) or max(abs(hi), 1.0) * 0.1
    lo, hi = lo - pad * span, hi + pad * span
    if floor is not None:
        lo = max(lo, floor)
    if ceil is not None:
        hi = min(hi, ceil)
    return lo, hi


class _Rows:
    """A plot of labelled rows (top to bottom) against a horizontal scale, in points."""

    def __init__(self, width_in, height_in, labels, size, x_domain, top=0.35, bottom=0.55,
                 right=0.3):  # fmt: skip
        self.w, self.h = width_in * _PT, height_in * _PT
        widest = max((text_width(s, size) for s in labels), default=0.0) * _PT
        # the same clipping of the label margin as the matplotlib figures (set_margins)
        self.x0 = min(max(widest + _PAD, 0.02 * self.w), 0.6 * self.w)
        self.x1 = max(self.w - right * _PT, self.x0 + 0.2 * self.w)
        self.y0 = min(top * _PT, 0.4 * self.h)
        self.y1 = self.h - min(bottom * _PT, 0.4 * self.h)
        self.n = len(labels)
        self.lo, self.hi = x_domain
        self.labels, self.size = labels, size

    def x(self, v):
        return self.x0 + (np.asarray(v, float) - self.lo) / (self.hi - self.lo) * (
            self.x1 - self.x0
        )

    def y(self, i):
        # row i (0 = top) at the centre of its band, half a band clear of each edge
        step = (self.y1 - self.y0) / max(self.n, 1)
        return self.y0 + (np.asarray(i, float) + 0.5) * step

    @property
    def step(self) -> float:
        return (self.y1 - self.y0) / max(self.n, 1)

    def frame(self, xlabel: str, lang: str, ticks=None, tick_text=None, label_size=7.0) -> list:
        """Row labels, the left and bottom axis lines, x ticks and the x label."""
        ys = self.y(np.arange(self.n))
        out = [
            _text(self.x0 - 4, y, s, self.size, "end", middle=True)
            for s, y in zip(self.labels, ys, strict=True)
        ]
        out.append(_line(self.x0, self.y0, self.x0, self.y1, "#000000", 0.8))
        out.append(_line(self.x0, self.y1, self.x1, self.y1, "#000000", 0.8))
        ticks = nice_ticks(self.lo, self.hi, 7) if ticks is None else np.asarray(ticks, float)
        ticks = ticks[(ticks >= self.lo - 1e-9) & (ticks <= self.hi + 1e-9)]
        texts = tick_text or _tick_texts(ticks, lang)
        for v, s in zip(self.x(ticks), texts, strict=True):
            out.append(_line(v, self.y1, v, self.y1 + 3.5, "#000000", 0.8))
            out.append(_text(v, self.y1 + 12, s, label_size, "middle"))
        out.append(_text((self.x0 + self.x1) / 2, self.y1 + 26, xlabel, 8, "middle"))
        return out

    def limits(self, bands, label_size=7.0) -> list:
        """Dotted category limits with their codes above the plot (inside the domain only)."""
        out = []
        for b in bands:
            if self.lo < b.lower < self.hi:
                x = float(self.x(b.lower))
                out.append(_line(x, self.y0, x, self.y1, _GREY, 0.6, "1,1.65"))
                out.append(_text(x, self.y0 - 2, f" {b.code}", label_size, fill=_GREY))
        return out


def _intervals(rows: _Rows, lo, hi, ys, colour, width=1.0) -> list:
    ok = np.isfinite(lo) & np.isfinite(hi)
    return [
        _line(a, y, b, y, c, width)
        for a, b, y, c in zip(
            rows.x(lo[ok]), rows.x(hi[ok]), ys[ok], np.asarray(colour)[ok], strict=True
        )  # fmt: skip
    ]


def _circles(xs, ys, r, colours, edge="") -> list:
    stroke = f" stroke='{edge}' stroke-width='0.8'" if edge else ""
    return [
        f"<circle cx='{_f(x)}' cy='{_f(y)}' r='{r:g}' fill='{c}'{stroke}/>"
        for x, y, c in zip(xs, ys, colours, strict=True)
        if math.isfinite(x) and math.isfinite(y)
    ]


def _legend(x, y, items, size=7.0) -> list:
    """Legend entries in a row from (x, y): (kind, colour, text) with kind bar, tick or diamond."""
    out = []
    for kind, colour, label in items:
        if kind == "bar":
            out.append(f"<rect x='{_f(x)}' y='{_f(y - 3.5)}' width='14' height='7' "
                       f"fill='{colour}' fill-opacity='0.85'/>")  # fmt: skip
        elif kind == "tick":
            out.append(_line(x + 7, y - 5, x + 7, y + 5, colour, 1.5))
        else:
            out.append(_diamond(x + 7, y, 3.2, colour))
        out.append(_text(x + 18, y, label, size, middle=True))
        x += 18 + text_width(label, size) * _PT + 14
    return out


def _diamond(x, y, r, colour) -> str:
    return (
        f"<path d='M{_f(x)} {_f(y - r)}L{_f(x + r)} {_f(y)}L{_f(x)} {_f(y + r)}"
        f"L{_f(x - r)} {_f(y)}Z' fill='{colour}'/>"
    )


def _empty(frame) -> bool:
    return frame is None or not len(frame)


# ---------------------------------------------------------------------------
# the figures
# ---------------------------------------------------------------------------


def value_profile(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """Seven values with 95 % intervals, the peer median (|) and peer upper quartile (diamond).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``value_name, estimate, ci_low, ci_high, peer_median, peer_q75`` (first row on top).
    lang : {"id", "en"}

    Returns
    -------
    bytes or None
        The SVG; None for an empty frame.
    """
    if _empty(frame):
        return None
    names = frame["value_name"].astype(str).tolist()
    rows = _Rows(6.4, 3.4, names, 9, (0.0, 100.0), top=0.6)
    ys = rows.y(np.arange(rows.n))
    est = frame["estimate"].to_numpy(float)
    lo, hi = frame["ci_low"].to_numpy(float), frame["ci_high"].to_numpy(float)
    bar = 0.6 * rows.step
    x0 = float(rows.x(0))
    out = [
        f"<rect x='{_f(x0)}' y='{_f(y - bar / 2)}' width='{_f(max(x - x0, 0))}' "
        f"height='{_f(bar)}' fill='{_BLUE}' fill-opacity='0.85'/>"
        for x, y in zip(rows.x(est), ys, strict=True)
        if math.isfinite(x)
    ]
    ok = np.isfinite(lo) & np.isfinite(hi)
    for a, b, y in zip(rows.x(lo[ok]), rows.x(hi[ok]), ys[ok], strict=True):
        out += [_line(a, y, b, y), _line(a, y - 2, a, y + 2), _line(b, y - 2, b, y + 2)]
    half = 0.3 * rows.step
    out += [_line(x, y - half, x, y + half, _ORANGE, 1.5)
            for x, y in zip(rows.x(frame["peer_median"]), ys, strict=True) if math.isfinite(x)]  # fmt: skip
    out += [_diamond(x, y, 3.2, _GREEN)
            for x, y in zip(rows.x(frame["peer_q75"]), ys, strict=True) if math.isfinite(x)]  # fmt: skip
    out += rows.limits(fw.CULTURE_CATEGORIES)
    out += rows.frame(t("col_estimate", lang) + " (0-100)", lang, ticks=np.arange(0, 101, 20),
                      label_size=8)  # fmt: skip
    out += _legend(rows.x0, rows.y0 - 22, [
        ("bar", _BLUE, t("col_estimate", lang)),
        ("tick", _ORANGE, t("col_peer_median", lang)),
        ("diamond", _GREEN, t("col_peer_q75", lang)),
    ])  # fmt: skip
    return _svg(6.4, 3.4, t("sec_profile", lang), out)


def unit_caterpillar(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """Units' overall index with 95 % intervals, highest on top, and the units' mean (dashed).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``unit_name, estimate, ci_low, ci_high`` (withheld units already dropped).

    Returns
    -------
    bytes or None
        Unit names are cut to 40 characters.
    """
    if _empty(frame):
        return None
    d = frame.sort_values("estimate", ascending=False, kind="stable")
    labels = [s if len(s) <= 40 else s[:38] + "…" for s in d["unit_name"].astype(str)]
    est = d["estimate"].to_numpy(float)
    lo, hi = d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float)
    height = max(2.2, 0.22 * len(d) + 0.9)
    rows = _Rows(6.4, height, labels, 7, _padded(np.r_[est, lo, hi], 0.05, 0, 100),
                 top=0.3, bottom=0.5)  # fmt: skip
    ys = rows.y(np.arange(rows.n))
    out = rows.limits(fw.CULTURE_CATEGORIES)
    mean = float(np.nanmean(est))
    out.append(_line(rows.x(mean), rows.y0, rows.x(mean), rows.y1, _ORANGE, 0.8, "3,1.3"))
    out += _intervals(rows, lo, hi, ys, [_GREY] * len(d))
    out += _circles(rows.x(est), ys, 1.75, [_BLUE] * len(d))
    out += rows.frame(t("col_estimate", lang) + " (0-100)", lang)
    return _svg(6.4, height, t("sec_units", lang), out)


def ikm_elements(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """The nine IKM elements (NRR x 25) against the band limits of PermenPANRB 14/2017.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``element, element_name, nrr_x25`` (first row on top).

    Returns
    -------
    bytes or None
    """
    if _empty(frame):
        return None
    labels = [f"{c} {n}"[:42] for c, n in zip(frame["element"], frame["element_name"],
                                               strict=True)]  # fmt: skip
    rows = _Rows(6.4, 3.4, labels, 7, (25.0, 100.0))
    ys = rows.y(np.arange(rows.n))
    bar, x0 = 0.6 * rows.step, float(rows.x(25))
    out = [
        f"<rect x='{_f(x0)}' y='{_f(y - bar / 2)}' width='{_f(max(x - x0, 0))}' "
        f"height='{_f(bar)}' fill='{_GREEN}' fill-opacity='0.85'/>"
        for x, y in zip(rows.x(frame["nrr_x25"]), ys, strict=True)
        if math.isfinite(x)
    ]
    out += rows.limits(fw.IKM_BANDS["2017"])
    out += rows.frame(t("col_nrr25", lang), lang, ticks=np.arange(30, 101, 10))
    return _svg(6.4, 3.4, t("sec_ikm", lang), out)


def importance_intervals(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """Importance (share of R²) with 95 % intervals per driver, most important on top.

    A dashed line marks the equal share 1/p. Red: above it with an interval
    clear of it; grey: below and clear; light blue: the interval holds it.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``driver_name, importance, ci_low, ci_high, separated``.

    Returns
    -------
    bytes or None
    """
    if _empty(frame):
        return None
    d = frame.sort_values("importance", ascending=False, kind="stable")
    equal = 1.0 / len(d)
    labels = [str(s)[:40] for s in d["driver_name"]]
    imp = d["importance"].to_numpy(float)
    lo, hi = d["ci_low"].to_numpy(float), d["ci_high"].to_numpy(float)
    sep = d["separated"].to_numpy(bool)
    colour = np.where(sep & (imp > equal), _RED, np.where(sep, _GREY, _LIGHT))
    height = max(2.0, 0.28 * len(d) + 1.0)
    rows = _Rows(6.4, height, labels, 7, _padded(np.r_[imp, lo, hi, equal], 0.08, 0))
    ys = rows.y(np.arange(rows.n))
    xe = float(rows.x(equal))
    out = [
        _line(xe, rows.y0, xe, rows.y1, _DARK, 0.8, "3,1.3"),
        _text(xe, rows.y0 - 2, f" 1/{len(d)}", 7, fill=_DARK),
    ]
    out += _intervals(rows, lo, hi, ys, colour, 1.6)
    out += _circles(rows.x(imp), ys, 2.8, colour)
    out += rows.frame(t("col_importance", lang) + " (R²)", lang)
    return _svg(6.4, height, t("col_importance", lang), out)


def _stage_names(lang: str) -> dict[int, str]:
    return {s.number: (s.name_id if lang == "id" else s.name_en) for s in fw.STAGES}


def timeline(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """Events by date (x) and scope (rows: the whole government on top, then units), by stage.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``date, stage, scope, whole_gov`` as from ``programme_timeline_frame``.

    Returns
    -------
    bytes or None
        A legend of the stages present sits right of the plot.
    """
    if _empty(frame):
        return None
    whole = frame.loc[frame["whole_gov"], "scope"].unique().tolist()
    units = sorted(frame.loc[~frame["whole_gov"], "scope"].unique().tolist())
    scopes = [*whole, *units]
    labels = [str(s)[:36] for s in scopes]
    dates = pd.to_datetime(frame["date"])
    days = (dates - pd.Timestamp("1970-01-01")).dt.days.to_numpy(float)
    lo, hi = np.nanmin(days), np.nanmax(days)
    pad = max((hi - lo) * 0.05, 20.0)
    height = max(2.0, 0.2 * len(scopes) + 1.2)
    rows = _Rows(6.4, height, labels, 7, (lo - pad, hi + pad), right=1.9)
    ys = rows.y(np.arange(rows.n))
    out = [_line(rows.x0, y, rows.x1, y, "#eeeeee", 0.6) for y in ys]
    row_of = pd.Series(np.arange(len(scopes)), index=pd.Index(scopes))
    y_ev = ys[row_of.reindex(frame["scope"]).to_numpy(int)]
    stage = frame["stage"].astype("Int64")
    colours = stage.map(STAGE_COLOURS).fillna(_GREY).astype(str).tolist()
    out += _circles(rows.x(days), y_ev, 2.35, colours)
    years = range(pd.Timestamp(int(lo), unit="D").year, pd.Timestamp(int(hi), unit="D").year + 2)
    ticks = [(pd.Timestamp(year=y, month=1, day=1) - pd.Timestamp("1970-01-01")).days
             for y in years]  # fmt: skip
    ticks = [v for v in ticks if rows.lo <= v <= rows.hi]
    out += rows.frame(t("col_date", lang), lang, ticks=ticks,
                      tick_text=[str(pd.Timestamp(int(v), unit="D").year) for v in ticks])  # fmt: skip
    # legend: the stages present, right of the plot
    names = _stage_names(lang)
    lx, ly = rows.x1 + 8, rows.y0 + 4
    out.append(_text(lx, ly, t("col_stage", lang), 7, middle=True))
    for k, number in enumerate(sorted(int(s) for s in stage.dropna().unique())):
        y = ly + 11 * (k + 1)
        out += _circles([lx + 3], [y], 2.35, [STAGE_COLOURS.get(number, _GREY)])
        out.append(_text(lx + 9, y, f"{number}. {names.get(number, '')}"[:30], 6.5, middle=True))
    return _svg(6.4, height, t("sec_timeline", lang), out)


def stage_progress(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """The seven stages as a row of steps: filled where reached, with the year first reached.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``stage, stage_name, reached, first_date`` as from ``stage_progress_frame``.

    Returns
    -------
    bytes or None
    """
    if _empty(frame):
        return None
    w, h = 6.4 * _PT, 2.1 * _PT
    n = len(frame)
    step = w * 0.96 / n
    xs = 0.02 * w + step * (np.arange(n) + 0.5)
    yc = h * 0.55
    reached = frame["reached"].to_numpy(bool)
    out = [_line(xs[0], yc, xs[-1], yc, "#bbbbbb", 1.5)]
    for x, num, name, r, first in zip(xs, frame["stage"], frame["stage_name"], reached,
                                      frame["first_date"], strict=True):  # fmt: skip
        num = int(num)
        fill = STAGE_COLOURS.get(num, _GREY) if r else "#ffffff"
        out += _circles([x], [yc], 8.1, [fill], edge=_DARK)
        out.append(_text(x, yc, str(num), 8, "middle",
                         "#ffffff" if r and num != 2 else "#333333", middle=True))  # fmt: skip
        lines = textwrap.wrap(str(name), 13)[:4]
        for k, line in enumerate(reversed(lines)):
            out.append(_text(x, yc - 16 - 8 * k, line, 6.5, "middle"))
        when = str(first)[:4] if r else t("not_yet", lang)
        out.append(_text(x, yc + 22, when, 7, "middle", "#222222" if r else _GREY))
    return _svg(6.4, 2.1, t("sec_stages", lang), out)


def value_trends(frame: pd.DataFrame, lang: str = "id") -> bytes | None:
    """One panel per index (overall, then the seven values): estimate and interval by wave.

    Panels share their scales (as small multiples should): wave ticks under
    the bottom row, index ticks left of the first column.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``wave, value, value_name, estimate, ci_low, ci_high``.

    Returns
    -------
    bytes or None
    """
    if _empty(frame):
        return None
    values = list(dict.fromkeys(frame["value"]))
    ncol = 4
    nrow = math.ceil(len(values) / ncol)
    width, height = 6.4, 1.75 * nrow + 0.4
    W, H = width * _PT, height * _PT
    left, right, top, bottom = 0.08 * W, 0.98 * W, 0.07 * H, 0.88 * H
    gap_x, gap_y = 0.12, 0.45  # of a panel's width / height, as matplotlib's wspace/hspace
    pw = (right - left) / (ncol + gap_x * (ncol - 1))
    ph = (bottom - top) / (nrow + gap_y * (nrow - 1))
    waves = sorted(frame["wave"].unique())
    w_lo, w_hi = float(waves[0]), float(waves[-1])
    w_pad = max((w_hi - w_lo) * 0.05, 0.25)
    w_lo, w_hi = w_lo - w_pad, w_hi + w_pad
    y_lo, y_hi = _padded(frame[["ci_low", "ci_high", "estimate"]].to_numpy(float).ravel(), 0.05)
    y_ticks = nice_ticks(y_lo, y_hi, 5)
    y_ticks = y_ticks[(y_ticks >= y_lo) & (y_ticks <= y_hi)]
    out = []
    groups = {v: g.sort_values("wave") for v, g in frame.groupby("value", sort=False)}
    for k, v in enumerate(values):
        r, c = divmod(k, ncol)
        x0 = left + c * pw * (1 + gap_x)
        y0 = top + r * ph * (1 + gap_y)

        def sx(a, x0=x0):
            return x0 + (np.asarray(a, float) - w_lo) / (w_hi - w_lo) * pw

        def sy(a, y0=y0):
            return y0 + ph - (np.asarray(a, float) - y_lo) / (y_hi - y_lo) * ph

        d = groups[v]
        for yt in sy(y_ticks):
            out.append(_line(x0, yt, x0 + pw, yt, "#eeeeee", 0.6))
        x = sx(d["wave"])
        lo, hi, est = (sy(d[col]) for col in ("ci_low", "ci_high", "estimate"))
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            pts = [*zip(x[ok], hi[ok], strict=True), *zip(x[ok][::-1], lo[ok][::-1], strict=True)]
            out.append("<polygon points='" + " ".join(f"{_f(a)},{_f(b)}" for a, b in pts)
                       + f"' fill='{_BLUE}' fill-opacity='0.18'/>")  # fmt: skip
        fin = np.isfinite(est)
        out.append("<polyline points='" + " ".join(f"{_f(a)},{_f(b)}" for a, b in
                   zip(x[fin], est[fin], strict=True)) + f"' fill='none' stroke='{_BLUE}' "
                   "stroke-width='1.4'/>")  # fmt: skip
        out += _circles(x[fin], est[fin], 1.5, [_BLUE] * int(fin.sum()))
        out.append(_line(x0, y0, x0, y0 + ph))
        out.append(_line(x0, y0 + ph, x0 + pw, y0 + ph))
        out.append(_text(x0 + pw / 2, y0 - 4, str(d["value_name"].iloc[0])[:24], 7.5, "middle"))
        if c == 0:
            for label, yt in zip(_tick_texts(y_ticks, lang), sy(y_ticks), strict=True):
                out.append(_line(x0 - 3, yt, x0, yt))
                out.append(_text(x0 - 5, yt, label, 6.5, "end", middle=True))
        # the bottom panel of each column carries the wave ticks
        if r == nrow - 1 or k + ncol >= len(values):
            for wv, xt in zip(waves, sx(waves), strict=True):
                out.append(_line(xt, y0 + ph, xt, y0 + ph + 3))
                out.append(_text(xt, y0 + ph + 11, str(int(wv)), 6.5, "middle"))
    out.append(_text(0.01 * W + 4, H / 2, t("col_estimate", lang), 7.5, "middle",
                     extra=f" transform='rotate(-90 {_f(0.01 * W + 4)} {_f(H / 2)})'"))  # fmt: skip
    return _svg(width, height, t("sec_trends", lang), out)
