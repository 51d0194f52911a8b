"""The pandera schemas: one per table, lazy, every rule documented."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pandera.pandas as pa
import pytest

from berakhlak_research.io import validate_paths
from berakhlak_research.schemas import RULES, table_schema
from berakhlak_research.tables import TABLES
from tests._data.io_files import CLEAN


@pytest.fixture(scope="module")
def clean_tables():
    return validate_paths([CLEAN / "csv"], progress=False).tables


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_accepts_clean_processed_table(clean_tables, name):
    ts = table_schema(name)
    assert set(ts.schema.columns) == set(TABLES[name].column_names)
    ts.schema.validate(clean_tables[name], lazy=True)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_rule_has_a_message_and_a_definition(name):
    ts = table_schema(name)
    for rule in ts.messages:
        assert rule in RULES, rule
    used = {c.error for col in ts.schema.columns.values() for c in col.checks}
    used |= {c.error for c in ts.schema.checks}
    for rule in used:
        assert rule in RULES and rule in ts.messages, (name, rule)


def test_lazy_validation_reports_every_problem_at_once(clean_tables):
    df = clean_tables["culture_responses"].copy()
    df.loc[0, "BP1"] = 9
    df.loc[1, "wave"] = 2019
    df.loc[2, "respondent_id"] = df.loc[3, "respondent_id"]
    df.loc[2, "wave"] = df.loc[3, "wave"]
    df.loc[4, "weight"] = -1.0
    with pytest.raises(pa.errors.SchemaErrors) as err:
        table_schema("culture_responses").schema.validate(df, lazy=True)
    fc = err.value.failure_cases
    found = set(fc["check"].astype(str))
    assert {"answer_range", "wave_range", "weight_not_positive"} <= found
    assert "multiple_fields_uniqueness" in found
    assert set(fc.loc[fc["check"] == "answer_range", "index"]) == {0}


def test_scale_length_and_today_are_parameters(clean_tables):
    df = clean_tables["culture_responses"]
    table_schema("culture_responses", likert_points=5).schema.validate(df)
    with pytest.raises(pa.errors.SchemaError):
        table_schema("culture_responses", likert_points=4).schema.validate(df)
    # With "today" in 2023, the 2024 responses lie in the future.
    with pytest.raises(pa.errors.SchemaErrors) as err:
        table_schema("culture_responses", today=dt.date(2023, 12, 31)).schema.validate(
            df, lazy=True
        )
    assert {"date_future", "wave_range"} <= set(err.value.failure_cases["check"].astype(str))


def test_published_ikm_key_allows_one_government_row_per_period(clean_tables):
    df = clean_tables["published_ikm"]
    dup = pd.concat([df, df.iloc[[1]]], ignore_index=True)  # the government-level row twice
    with pytest.raises(pa.errors.SchemaErrors):
        table_schema("published_ikm").schema.validate(dup, lazy=True)


def test_messages_name_the_value():
    ts = table_schema("skm_responses")
    assert ts.messages["answer_range"].format(value=5) == "answer 5 is outside 1..4"
    for msg in ts.messages.values():
        assert not re.search(r"\{(?!value\})", msg)
