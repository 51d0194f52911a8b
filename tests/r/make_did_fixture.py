"""Regenerate tests/r/did_panel.csv, the input of did_reference.R.

Run from the repository root: ``.venv/bin/python tests/r/make_did_fixture.py``
then ``Rscript tests/r/did_reference.R``.
"""

from pathlib import Path

from berakhlak_research.simulate.did import staggered_panel

HERE = Path(__file__).parent

if __name__ == "__main__":
    p, _ = staggered_panel(
        n_units=96, units_per_gov=4, seed=11, cohorts={2023: 0.25, 2024: 0.25, 2025: 0.25}
    )
    p = p.rename(columns={"culture_overall": "y"})
    p = p[["gov_code", "unit_code", "wave", "y", "first_treated", "treated"]]
    p["treated"] = p["treated"].astype(int)
    p["y"] = p["y"].round(6)
    p.to_csv(HERE / "did_panel.csv", index=False)
