"""The suite files: GX's own form, the contract covered, and clear errors for what cannot run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from great_expectations.core import ExpectationSuite

from dagster_project.ingest.contract import ENTITIES
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.quality.parameters import SEEDS_DIR, seed_parameters
from dagster_project.quality.suites import SuiteError, load_suite, suite_path
from dagster_project.settings import EXPECTATIONS_DIR

NOT_NULL = "expect_column_values_to_not_be_null"


@pytest.mark.parametrize("entity", list(RAW_TABLES))
def test_each_entity_has_a_suite_in_the_form_gx_serializes(entity: str) -> None:
    text = suite_path(entity, EXPECTATIONS_DIR).read_text()
    written = json.loads(text)

    serialized = ExpectationSuite(**written).to_json_dict()
    serialized.pop("id")

    assert serialized == written
    suite = load_suite(entity, EXPECTATIONS_DIR)
    assert len(suite.specs) == len(written["expectations"])
    # Every $PARAMETER is one the gate fills in from the dbt seeds or from raw.users.
    supplied = {*seed_parameters(SEEDS_DIR), "user_ids"}
    assert set(re.findall(r'"\$PARAMETER": "(\w+)"', text)) <= supplied


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_every_required_column_must_be_filled_and_ids_without_tolerance(entity: str) -> None:
    specs = load_suite(entity, EXPECTATIONS_DIR).specs
    not_null = {spec.columns[0]: spec for spec in specs if spec.type == NOT_NULL}

    assert set(ENTITIES[entity].required) <= set(not_null)
    ids = [column for column in ENTITIES[entity].required if column.endswith("_id")]
    assert ids, "each entity has a required id"
    for column in ids:
        assert (not_null[column].severity, not_null[column].mostly) == ("critical", 1.0)


def write_suite(directory: Path, expectations: list[dict[str, object]]) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "deals.json").write_text(
        json.dumps({"name": "raw.deals", "expectations": expectations})
    )
    return directory


@pytest.mark.parametrize(
    ("expectation", "error"),
    [
        (
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            "expectation 2 (expect_table_row_count_to_be_between): only row-level expectations",
        ),
        (
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "deal_id"}},
            "ids are unique per drop",
        ),
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "amount::money", "min_value": 0},
            },
            "column amount::money: write <raw column>::<timestamp|date|number|scale|drop_scale>",
        ),
        (
            {"type": "expect_column_values_to_be_blue", "kwargs": {"column": "stage"}},
            "expectation 2 (expect_column_values_to_be_blue)",
        ),
    ],
)
def test_a_suite_the_gate_cannot_run_is_refused_with_file_and_position(
    tmp_path: Path, expectation: dict[str, object], error: str
) -> None:
    first = {"type": NOT_NULL, "kwargs": {"column": "deal_id"}}
    directory = write_suite(tmp_path / "expectations", [first, expectation])

    with pytest.raises(SuiteError) as raised:
        load_suite("deals", directory)

    assert str(raised.value).startswith(str(directory / "deals.json"))
    assert error in str(raised.value)
