"""``berakhlak mapping draft`` and ``berakhlak ingest --mapping`` from the command line."""

from __future__ import annotations

import json
import tomllib

from berakhlak_research.cli import main
from tests._data.io_files import FIXTURES, hashes

MAP = FIXTURES / "mapping"


def test_draft_writes_a_toml_file_that_ingest_accepts(tmp_path, capsys):
    out = tmp_path / "draft.toml"
    assert main(["mapping", "draft", str(MAP / "gforms_skm.csv"), "-o", str(out)]) == 0
    draft = tomllib.loads(out.read_text())
    assert draft["columns"]["Cap waktu"] == "response_date"
    # Fill in what the draft asks for (the office's codes), then ingest with it.
    text = out.read_text().replace('# gov_code = "35.75"', 'gov_code = "35.75"')
    text = text.replace('# unit_code = "D01"', 'unit_code = "DPMPTSP"')
    text = text.replace("[answers]", '[answers]\nU9 = { "Sangat Memuaskan" = 4, "Memuaskan" = 3 }')
    assert 'response_id = "row"' in text  # a Google Form has no response number
    out.write_text(text)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "gforms_skm.csv").write_bytes((MAP / "gforms_skm.csv").read_bytes())
    before = hashes(raw)
    code = main(["ingest", str(raw), "--out", str(tmp_path / "data"), "--mapping", str(out)])
    assert code == 0 and hashes(raw) == before
    log = json.loads((tmp_path / "data" / "interim" / "ingest-log.json").read_text())
    assert log["totals"]["rows_accepted"] == 5 and log["mapping"]["file"] == str(out)


def test_draft_prints_to_stdout(capsys):
    assert main(["mapping", "draft", str(MAP / "unsur_numbers.csv")]) == 0
    assert '# "Unsur 8" = "U?"' in capsys.readouterr().out


def test_draft_of_a_missing_file_exits_2(tmp_path, capsys):
    assert main(["mapping", "draft", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_validate_takes_the_mapping_too(capsys):
    m = MAP / "app_letters.toml"
    before = hashes(MAP)
    assert main(["validate", str(MAP / "app_letters.csv"), "--mapping", str(m)]) == 0
    assert main(["validate", str(MAP / "app_letters.csv")]) == 1  # letters unknown without it
    assert hashes(MAP) == before  # validate writes nothing, beside the files or elsewhere
