import numpy as np
import pandas as pd

from berakhlak_research.models import panel


def _units():
    return pd.DataFrame(
        {
            "gov_code": ["35.75"] * 3 + ["35.14"] * 2,
            "unit_code": ["A", "B", "C", "A", "D"],
            "public_facing": [True, False, True, True, True],
            "headcount": [40, 20, 30, 50, 60],
        }
    )


def _events():
    return pd.DataFrame(
        {
            "gov_code": ["35.75", "35.75", "35.14", "35.75"],
            # NA unit = a whole-government event: it reaches A, B and C of 35.75.
            "unit_code": pd.array(["A", None, "D", "A"], dtype="string"),
            "date": pd.to_datetime(["2023-05-15", "2024-02-01", "2025-03-01", "2025-01-10"]),
            "hours": [8.0, 4.0, 16.0, np.nan],
            "stage": pd.array([1, 2, 1, 4], dtype="Int64"),
        }
    )


def test_exposure_expands_whole_government_events_and_accumulates():
    ex = panel.exposure(_units(), _events(), [2022, 2023, 2024, 2025])
    ex = ex.set_index(["gov_code", "unit_code", "wave"]).sort_index()
    assert len(ex) == 5 * 4
    # Unit A of 35.75: own event 2023 (8 h, stage 1), whole-gov 2024 (4 h, stage 2), 2025 stage 4.
    a = ex.loc[("35.75", "A")]
    assert a["first_treated"].unique().tolist() == [2023]
    assert a["hours"].tolist() == [0.0, 8.0, 12.0, 12.0]
    assert a["stage_max"].tolist() == [0, 1, 2, 4]
    assert a["treated"].tolist() == [False, True, True, True]
    # Unit B only gets the whole-government event of 2024.
    b = ex.loc[("35.75", "B")]
    assert b["first_treated"].iloc[0] == 2024 and b["hours"].tolist() == [0, 0, 4, 4]
    # Unit A of 35.14 is a different unit (same code, other government): never treated.
    assert ex.loc[("35.14", "A"), "first_treated"].eq(0).all()
    assert ex.loc[("35.14", "D"), "first_treated"].eq(2025).all()


def test_build_unit_and_gov_panels():
    rows = []
    for gov, unit in _units()[["gov_code", "unit_code"]].itertuples(index=False):
        for wave in (2023, 2024):
            for value in ("overall", "BP", "AD"):
                rows.append((gov, unit, wave, value, 60.0 + wave - 2023, 12))
    cu = pd.DataFrame(rows, columns=["gov_code", "unit_code", "wave", "value", "estimate", "n"])
    ikm = pd.DataFrame(
        {
            "gov_code": ["35.75"],
            "unit_code": ["A"],
            "period": [2024],
            "estimate": [82.5],
            "n": [40],
        }
    )
    p = panel.build_unit_panel(_units(), cu, _events(), ikm)
    assert list(p.columns[:6]) == [
        "gov_code",
        "unit_code",
        "wave",
        "culture_overall",
        "culture_BP",
        "culture_AD",
    ]
    assert len(p) == 10
    row = p[(p.unit_code == "A") & (p.gov_code == "35.75") & (p.wave == 2024)].iloc[0]
    assert row["ikm"] == 82.5 and row["n_resp"] == 12 and row["kind"] == "kota"
    assert p["ikm"].notna().sum() == 1
    g = cu.groupby(["gov_code", "wave", "value"], as_index=False).agg(
        estimate=("estimate", "mean"), n=("n", "sum")
    )
    gp = panel.build_gov_panel(g, _events())
    assert gp.set_index(["gov_code", "wave"]).loc[("35.75", 2023), "first_treated"] == 2023
    assert gp.set_index(["gov_code", "wave"]).loc[("35.14", 2024), "treated"] == np.False_
    assert gp.set_index(["gov_code", "wave"]).loc[("35.75", 2024), "hours"] == 12.0
