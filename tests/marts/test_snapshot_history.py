"""The generated sample's deal_field_history agrees with its extracts wherever both speak.

The dbt test assert_deal_field_history_agrees_with_extracts only warns, since real
exports routinely disagree; the generator writes both from the same versions, so on
its data the test must find nothing, over a comparison that is not empty.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from dagster_project.settings import BUILD_DATABASE_NAME

AGREEMENT_TEST = "assert_deal_field_history_agrees_with_extracts"


def test_field_history_agrees_with_the_extracts(sample: tuple[Path, Path]) -> None:
    _, warehouse = sample
    run_results = json.loads((warehouse.parent / "dbt_target" / "run_results.json").read_text())
    [result] = [
        result
        for result in run_results["results"]
        if result["unique_id"].split(".")[2] == AGREEMENT_TEST
    ]
    assert result["status"] == "pass" and result["failures"] == 0
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        [(versions_with_history,)] = connection.execute(
            "select count(distinct versions.deal_version_id) "
            "from staging.stg_canonical__deal_versions as versions "
            "inner join staging.stg_canonical__deal_field_history as history "
            "on versions.deal_id = history.deal_id and history.changed_at <= versions.updated_at"
        ).fetchall()
    assert versions_with_history > 100
