"""Programme section: stage mapping, seven-stage progress, timeline, pooled effects."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from berakhlak_research import framework as fw
from berakhlak_research import store
from berakhlak_research.reporting import views
from tests._data.report import MIN_GROUP

REWARDS = next(s for s in fw.STAGES if s.name_en == "Rewards and recognition")


def test_simulated_events_carry_the_stage_framework_names(demo_sim):
    ev = demo_sim.tables["interventions"]
    assert set(ev["stage"].dropna().astype(int)) <= {s.number for s in fw.STAGES}
    rewards = ev[ev["kind"] == "penghargaan"]
    assert len(rewards) and (rewards["stage"] == REWARDS.number).all()
    # the kind's own name is the stage's name in both languages
    assert fw.INTERVENTION_KINDS["penghargaan"] == (REWARDS.name_id, REWARDS.name_en)
    # the other stage-1 kinds stay at stage 1 (the first event of a cohort)
    first = ev[ev["kind"].isin(["internalisasi", "aktivasi", "komitmen"])]
    assert (first["stage"] == 1).all()


@pytest.fixture()
def demo_events(fixture, tmp_path, demo_sim):
    """The fixture store with Kota Pasuruan's simulated programme events.

    The fixture's waves end a year before the simulator's, so the events move a
    year earlier (the 2025 rewards then fall in the report's last wave).
    """
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    ev = demo_sim.tables["interventions"]
    ev = ev[ev["gov_code"] == "35.75"]
    shift = max(pd.to_datetime(ev["date"]).dt.year) - max(fixture["waves"])
    ev = ev.assign(date=pd.to_datetime(ev["date"]) - pd.DateOffset(years=shift))
    store.write_table(res, "interventions", ev)
    return res, ev


@pytest.mark.parametrize("lang", ["en", "id"])
def test_stage_labels_and_progress(demo_events, lang):
    res, ev = demo_events
    ctx = views.open_report(res, "35.75", 0, lang, MIN_GROUP)
    i = 0 if lang == "id" else 1
    shown = ev[pd.to_datetime(ev["date"]).dt.year <= ctx.wave]
    p = views.programmes_frame(ctx)
    label = f"{REWARDS.number}. {(REWARDS.name_id, REWARDS.name_en)[i]}"
    assert (p["stage"] == label).sum() == (shown["kind"] == "penghargaan").sum() > 0
    s = views.stage_progress_frame(ctx)
    assert list(s["stage"]) == [x.number for x in fw.STAGES]
    assert list(s["stage_name"]) == [(x.name_id, x.name_en)[i] for x in fw.STAGES]
    reached = set(shown["stage"].astype(int))
    assert set(s.loc[s["reached"], "stage"]) == reached
    for r in s[s["reached"]].itertuples():
        d = pd.to_datetime(shown.loc[shown["stage"] == r.stage, "date"])
        assert r.first_date == d.min().strftime("%Y-%m-%d")
        assert r.last_date == d.max().strftime("%Y-%m-%d")
        assert r.events == len(d)
    assert s["events"].sum() == len(shown)
    assert (s.loc[~s["reached"], "first_date"] == "—").all()
    html = views.show(ctx, "stage_progress")
    assert "True" not in html and "False" not in html  # flags shown as words


def test_timeline_frame_and_figures(demo_events):
    res, ev = demo_events
    ctx = views.open_report(res, "35.75", 0, "en", MIN_GROUP)
    tl = views.programme_timeline_frame(ctx)
    shown = ev[pd.to_datetime(ev["date"]).dt.year <= ctx.wave]
    assert len(tl) == len(shown)
    assert tl["whole_gov"].sum() == shown["unit_code"].isna().sum()
    assert (tl.loc[tl["whole_gov"], "scope"] == "Whole government").all()
    assert tl["date"].is_monotonic_increasing
    for name in ("programme_timeline", "stage_progress"):
        html = views.figure(ctx, name, fmt="png")
        assert "<img" in html and ctx.figures[-1][2][:4] == b"\x89PNG"


@pytest.mark.parametrize(("lang", "words"), [("en", "pooled over"), ("id", "gabungan")])
def test_programme_effect_is_labelled_pooled(fixture, lang, words):
    ctx = views.open_report(fixture["results"], "35.75", 0, lang, MIN_GROUP)
    e = views.programme_effects_frame(ctx)
    units = pd.read_parquet(fixture["results"] / "units.parquet")
    g = units["gov_code"].nunique()
    assert e.attrs["n_governments"] == g
    assert (e["pooled"].str.contains(str(g)) & e["pooled"].str.contains(words)).all()
    html = views.show(ctx, "programme_effects")
    assert "staggered_att" not in html  # the code is hidden, the label shown
    assert ("Effect" if lang == "en" else "Efek") in html
    assert ctx.name in html  # "not Kota Pasuruan's own"
    assert ("fewer than 20" if lang == "en" else "kurang dari 20") in html


def test_preferred_rows_only_and_the_wild_bootstrap_said(fixture, tmp_path):
    res = tmp_path / "results"
    shutil.copytree(fixture["results"], res)
    d = pd.read_parquet(res / "did_effects.parquet")
    d = d.assign(inference="cr1", preferred=True, cluster="government")
    over = (d["aggregation"] == "overall") & (d["panel"] == "unit")
    d.loc[over, "preferred"] = False
    wild = d[over].assign(inference="wild_cluster_bootstrap", preferred=True, ci_low=-9.0)
    store.write_table(res, "did_effects", pd.concat([d, wild], ignore_index=True))
    ctx = views.open_report(res, "35.75", 0, "en", MIN_GROUP)
    e = views.programme_effects_frame(ctx)
    assert len(e) == 2 and (e["ci_low"] == -9.0).all()
    assert "wild cluster bootstrap" in views.show(ctx, "programme_effects")
