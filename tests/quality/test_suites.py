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
from dagster_project.quality.results import DriftRule
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


KEY_TIMESTAMPS = ("created_at", "updated_at", "changed_at")
# Required columns that may be null (a dirty CRM): the gate warns, the marts cope.
BUSINESS_FIELDS = {"deals": {"account_id", "owner_id", "amount", "expected_close_date"}}


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_nulls_in_ids_and_key_timestamps_block_and_in_business_fields_warn(entity: str) -> None:
    specs = load_suite(entity, EXPECTATIONS_DIR).specs
    not_null = {spec.columns[0]: spec for spec in specs if spec.type == NOT_NULL}
    contract = ENTITIES[entity]

    assert set(contract.required) <= set(not_null)
    keys = [column for column in contract.key if column.endswith("_id")]
    keys += [column for column in contract.required if column in KEY_TIMESTAMPS]
    assert keys, "each entity has a required id"
    for column in keys:
        assert (not_null[column].severity, not_null[column].mostly) == ("critical", 1.0)
    for column in BUSINESS_FIELDS.get(entity, set()):
        assert (not_null[column].severity, not_null[column].mostly) == ("warning", 1.0)


@pytest.mark.parametrize("entity", list(RAW_TABLES))
def test_every_suite_blocks_a_jump_above_three_times_the_median_of_30_drops(entity: str) -> None:
    drift = {spec.drift for spec in load_suite(entity, EXPECTATIONS_DIR).specs}

    assert drift == {
        DriftRule(history_drops=30, times_median=3.0, points_above_median=5.0, min_failing_rows=10)
    }


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


@pytest.mark.parametrize(
    ("drift", "error"),
    [
        ({"history_drops": 30, "times_median": 3, "points_above_median": 5}, "meta.drift must be"),
        (
            {
                "history_drops": 30,
                "times_median": 3,
                "points_above_median": -5,
                "min_failing_rows": 10,
            },
            "positive",
        ),
        (
            {
                "history_drops": 7.5,
                "times_median": 3,
                "points_above_median": 5,
                "min_failing_rows": 10,
            },
            "history_drops is a whole number",
        ),
        (
            {
                "history_drops": 30,
                "times_median": 3,
                "points_above_median": 5,
                "min_failing_rows": 2.5,
            },
            "min_failing_rows is a whole number",
        ),
    ],
)
def test_a_drift_rule_without_its_four_positive_numbers_is_refused(
    tmp_path: Path, drift: dict[str, float], error: str
) -> None:
    (tmp_path / "deals.json").write_text(
        json.dumps(
            {
                "name": "raw.deals",
                "expectations": [{"type": NOT_NULL, "kwargs": {"column": "deal_id"}}],
                "meta": {"drift": drift},
            }
        )
    )

    with pytest.raises(SuiteError, match=error):
        load_suite("deals", tmp_path)
