"""The worked example of data/README.md, ingested exactly as printed there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from berakhlak_research.cli import main
from tests._data.io_files import hashes

README = Path(__file__).resolve().parents[2] / "data" / "README.md"


def _blocks() -> dict[str, str]:
    """The fenced blocks that follow an ``<!-- example-file: NAME -->`` marker."""
    text = README.read_text(encoding="utf-8")
    found = re.findall(r"<!-- example-file: (\S+) -->\n```[a-z]*\n(.*?)```", text, flags=re.S)
    return dict(found)


def test_readme_worked_example(tmp_path):
    blocks = _blocks()
    assert set(blocks) == {"skm_dpmptsp_2025.csv", "dpmptsp.toml"}
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "skm_dpmptsp_2025.csv").write_text(blocks["skm_dpmptsp_2025.csv"], encoding="utf-8")
    mapping = tmp_path / "dpmptsp.toml"
    mapping.write_text(blocks["dpmptsp.toml"], encoding="utf-8")
    before = hashes(raw)
    # Run as a user would (today's date): the README's figures hold on any day
    # after the last survey date (2025-09-02) and before 2052.
    code = main(["ingest", str(raw), "--out", str(tmp_path / "data"), "--mapping", str(mapping)])
    assert code == 1 and hashes(raw) == before
    log = json.loads((tmp_path / "data" / "interim" / "ingest-log.json").read_text())
    f = log["files"][0]
    assert (f["rows_read"], f["rows_accepted"], f["rows_rejected"]) == (10, 8, 2)
    assert f["rules"] == {"unknown_label": 1, "period_range": 1}
    rej = pd.read_csv(
        tmp_path / "data" / "interim" / "rejected" / "skm_responses-skm_dpmptsp_2025.csv",
        dtype=str,
    )
    assert rej["Nama"].tolist() == ["Sri", "Nur"] and rej["_row"].tolist() == ["7", "11"]
    assert "a, b, c, d" in rej["_reason"].iloc[0]
    assert f["periods"] == {"2025-S1": 5, "2025-S2": 3}
    d = pd.read_parquet(tmp_path / "data" / "processed" / "skm_responses.parquet")
    # Hendra: Unsur 8 = b is U9 = 2, Unsur 9 = c is U8 = 3.
    hendra = d.iloc[0]
    assert (hendra["U9"], hendra["U8"], hendra["U3"]) == (2, 3, 2)
    assert d["education"].tolist()[:5] == ["SMA", "D4/S1", "D4/S1", "SMA", "S2+"]
    assert set(d["sex"]) == {"L", "P"} and set(d["gov_code"]) == {"35.75"}
    assert f["flags"]["counts"] == {"flag_straightlining": 3, "flag_duplicate": 1,
                                    "flag_test": 1, "flag_future": 0}  # fmt: skip
    text = d.astype(str).to_csv()
    assert "Hendra" not in text and "081234500001" not in text
    assert f["element_order"] == {"identified_by": "mapping"}
