"""The report's SVG figures (reporting.charts): marks where the data put them, text safe.

Each figure is parsed back as XML and its marks are checked against the
frame it was drawn from: bar lengths, point positions, row order, one mark
per row or event, labels inside the figure, text from data escaped.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from berakhlak_research import framework as fw
from berakhlak_research.plots import text_width
from berakhlak_research.reporting import charts, outputs, views
from tests._data.report import MIN_GROUP, make_results

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("charts") / "results", seed=1)


def _parse(data: bytes):
    assert outputs.svg_problems(data) == []
    return ElementTree.fromstring(data)


def _all(root, tag):
    return root.findall(f".//{NS}{tag}")


def _texts(root):
    return [t.text or "" for t in _all(root, "text")]


def _size(root):
    w, h = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    return w, h


def _labels_inside(root):
    """Every text lies inside the figure (its drawn width from DejaVu Sans advances)."""
    w, h = _size(root)
    for el in _all(root, "text"):
        x, y, size = float(el.get("x")), float(el.get("y")), float(el.get("font-size"))
        if el.get("transform"):
            continue
        width = text_width(el.text or "", size) * 72
        left = {"start": x, "middle": x - width / 2, "end": x - width}[el.get("text-anchor")]
        assert left >= -0.5 and left + width <= w + 0.5, (el.text, left, width, w)
        assert 0 <= y <= h, (el.text, y, h)


def _profile(n_values=7):
    names = [v.name_en for v in fw.VALUES][:n_values]
    est = np.linspace(40, 85, n_values)
    return pd.DataFrame({"value_name": names, "estimate": est, "ci_low": est - 3,
                         "ci_high": est + 3, "peer_median": est - 5, "peer_q75": est + 4})  # fmt: skip


@pytest.mark.parametrize(
    "draw",
    [charts.value_profile, charts.unit_caterpillar, charts.ikm_elements,
     charts.importance_intervals, charts.timeline, charts.stage_progress, charts.value_trends],
)  # fmt: skip
def test_empty_frames_draw_nothing(draw):
    assert draw(None) is None
    assert draw(pd.DataFrame()) is None


def test_value_profile_bars_are_as_long_as_the_estimates():
    frame = _profile()
    root = _parse(charts.value_profile(frame, lang="en"))
    bars = [r for r in _all(root, "rect") if r.get("fill") == "#1f5a96" and r.get("height") != "7"]
    assert len(bars) == 7
    # the axis runs 0-100: bar widths are in the ratio of the estimates
    widths = np.array([float(b.get("width")) for b in bars])
    np.testing.assert_allclose(widths / widths[-1], frame["estimate"] / frame["estimate"].iloc[-1],
                               rtol=1e-3)  # fmt: skip
    # the first row of the frame is the top bar
    ys = [float(b.get("y")) for b in bars]
    assert ys == sorted(ys)
    texts = _texts(root)
    assert "Peer median" in texts
    assert set(frame["value_name"]) <= set(texts)
    # the category limits are drawn and named
    assert {f" {b.code}" for b in fw.CULTURE_CATEGORIES if 0 < b.lower < 100} <= set(texts)
    _labels_inside(root)
    idn = _texts(_parse(charts.value_profile(frame, lang="id")))
    assert "Median sejawat" in idn


def test_caterpillar_highest_unit_on_top_with_its_interval():
    est = np.array([55.0, 72.0, 61.0, 48.0])
    names = ["Dinas A", "Dinas B", "Dinas C", "Badan Perencanaan Pembangunan Daerah dan Penelitian"]
    frame = pd.DataFrame({"unit_name": names, "estimate": est, "ci_low": est - 2,
                          "ci_high": est + [2, 2, 2, 6]})  # fmt: skip
    root = _parse(charts.unit_caterpillar(frame, lang="en"))
    dots = _all(root, "circle")
    assert len(dots) == 4
    cy = [float(c.get("cy")) for c in dots]
    cx = np.array([float(c.get("cx")) for c in dots])
    assert cy == sorted(cy)  # drawn top to bottom ...
    order = np.argsort(-est)
    # ... from the highest estimate down, each at its place on a linear axis
    slope = np.polyfit(est[order], cx, 1)
    np.testing.assert_allclose(np.polyval(slope, est[order]), cx, atol=0.02)
    assert slope[0] > 0
    intervals = [
        ln for ln in _all(root, "line")
        if ln.get("stroke") == "#8c8c8c" and ln.get("y1") == ln.get("y2") and not ln.get("stroke-dasharray")
    ]  # fmt: skip
    spans = sorted(float(ln.get("x2")) - float(ln.get("x1")) for ln in intervals)
    np.testing.assert_allclose(np.array(spans) / spans[0], [1, 1, 1, 2], rtol=1e-3)
    texts = _texts(root)
    assert "Badan Perencanaan Pembangunan Daerah d…" in texts  # cut to 40 characters
    _labels_inside(root)


def test_text_from_data_is_shown_as_typed_never_as_markup():
    frame = pd.DataFrame({"unit_name": ["<script>alert(1)</script>", "Biaya $5 dan $10\tDinas",
                                        "Dinas 'kutip' & \"dua\""],
                          "estimate": [50.0, 60.0, 70.0], "ci_low": [45.0, 55, 65],
                          "ci_high": [55.0, 65, 75]})  # fmt: skip
    data = charts.unit_caterpillar(frame)
    assert b"<script" not in data and b"&lt;script&gt;" in data
    texts = _texts(_parse(data))
    assert "Biaya $5 dan $10 Dinas" in texts  # the tab became a space, the dollars stay
    assert "Dinas 'kutip' & \"dua\"" in texts


def test_ikm_elements_bars_start_at_25():
    frame = pd.DataFrame({"element": [f"U{i}" for i in range(1, 10)],
                          "element_name": [e.name_id for e in fw.IKM_ELEMENTS_2017],
                          "nrr_x25": np.linspace(60, 95, 9)})  # fmt: skip
    root = _parse(charts.ikm_elements(frame, lang="id"))
    bars = [r for r in _all(root, "rect") if r.get("fill") == "#3a7d44"]
    widths = np.array([float(b.get("width")) for b in bars])
    np.testing.assert_allclose(widths / widths[-1], (frame["nrr_x25"] - 25) / 70, rtol=1e-3)
    assert len({b.get("x") for b in bars}) == 1
    _labels_inside(root)


def test_importance_colours_follow_the_separation_from_the_equal_share():
    frame = pd.DataFrame({"driver_name": ["a", "b", "c", "d"],
                          "importance": [0.4, 0.3, 0.2, 0.1],
                          "ci_low": [0.3, 0.1, 0.05, 0.02], "ci_high": [0.5, 0.45, 0.3, 0.2],
                          "separated": [True, False, False, True]})  # fmt: skip
    root = _parse(charts.importance_intervals(frame, lang="id"))
    fills = [c.get("fill") for c in _all(root, "circle")]
    assert fills == ["#b23a3a", "#7fa7d1", "#7fa7d1", "#8c8c8c"]  # most important on top
    assert " 1/4" in _texts(root)
    # tick labels with the report's decimal comma
    assert any(re.fullmatch(r"0,\d+", s) for s in _texts(root))
    _labels_inside(root)


def test_timeline_one_point_per_event_and_a_legend_of_the_stages_present():
    frame = pd.DataFrame({
        "date": ["2023-02-01", "2023-06-01", "2024-03-01", "2025-01-15", "2025-05-01"],
        "stage": [1, 1, 4, 6, 7],
        "scope": ["Whole government", "Dinas A", "Dinas B", "Dinas A", "Whole government"],
        "whole_gov": [True, False, False, False, True],
    })  # fmt: skip
    root = _parse(charts.timeline(frame, lang="en"))
    dots = _all(root, "circle")
    assert len(dots) == len(frame) + 4  # the events, then one per stage in the legend
    texts = _texts(root)
    assert {"2024", "2025"} <= set(texts)
    assert "6. Rewards and recognition" in texts and "2. System alignment" not in texts
    # the whole government's row on top
    rows = [t for t in texts if t in ("Whole government", "Dinas A", "Dinas B")]
    assert rows == ["Whole government", "Dinas A", "Dinas B"]
    _labels_inside(root)


def test_stage_progress_fills_the_stages_reached():
    frame = pd.DataFrame({"stage": [s.number for s in fw.STAGES],
                          "stage_name": [s.name_en for s in fw.STAGES],
                          "reached": [True, False, False, True, False, True, True],
                          "first_date": ["2023-01-05", "—", "—", "2024-02-01", "—", "2025-03-01",
                                         "2025-04-01"]})  # fmt: skip
    root = _parse(charts.stage_progress(frame, lang="en"))
    fills = [c.get("fill") for c in _all(root, "circle")]
    assert [f != "#ffffff" for f in fills] == frame["reached"].tolist()
    texts = _texts(root)
    assert texts.count("not yet") == 3 and "2023" in texts and "2025" in texts
    _labels_inside(root)


def test_trends_a_line_per_index_on_one_shared_scale():
    rows = []
    for k, v in enumerate(["overall", *[x.code for x in fw.VALUES]]):
        for w in (2022, 2023, 2024, 2025):
            e = 50 + k + (w - 2022) * 2
            rows.append((w, v, f"Index {v}", e, e - 1.5, e + 1.5))
    frame = pd.DataFrame(rows, columns=["wave", "value", "value_name", "estimate", "ci_low",
                                        "ci_high"])  # fmt: skip
    root = _parse(charts.value_trends(frame, lang="en"))
    lines = _all(root, "polyline")
    bands = _all(root, "polygon")
    assert len(lines) == len(bands) == 8
    # within a panel, height falls as the estimate rises (2 points a wave)
    first = np.array([[float(c) for c in p.split(",")] for p in lines[0].get("points").split()])
    steps = np.diff(first[:, 1])
    assert (steps < 0).all() and np.allclose(steps, steps[0])
    # panels share the scale: the same estimate is the same height in panels of a row
    second = np.array([[float(c) for c in p.split(",")] for p in lines[1].get("points").split()])
    np.testing.assert_allclose(first[1:, 1] - second[:-1, 1], steps[0] * 0.5, atol=0.02)
    assert "2025" in _texts(root) and "Index overall" in _texts(root)
    _labels_inside(root)


def test_nice_ticks():
    assert charts.nice_ticks(0, 100, 6).tolist() == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(0.043, 0.31, 7).tolist() == [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    assert charts.nice_ticks(61.2, 78.9, 5).tolist() == [65, 70, 75]
    assert charts.nice_ticks(5, 5).tolist() == [5]


def test_every_report_figure_of_the_fixture_is_inert_and_labelled(fixture):
    for lang in ("id", "en"):
        ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP,
                                figure_format="svg")  # fmt: skip
        for name in views.SVG_FIGURES:
            data = views.SVG_FIGURES[name](ctx)
            if data is None:
                continue
            root = _parse(data)
            assert root.find(f"{NS}title").text
            _labels_inside(root)
