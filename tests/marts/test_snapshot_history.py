"""The generated sample's deal_field_history agrees with its extracts wherever both speak.

The dbt test assert_deal_field_history_agrees_with_extracts only warns, since real
exports routinely disagree; the generator writes both from the same versions, so on
its data the test must find nothing, over a comparison that is not empty. The days
before a deal's first extract are rebuilt from that history, so deals start there.
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


def test_deals_start_at_their_first_rebuilt_day(sample: tuple[Path, Path]) -> None:
    """A deal with history before its first extract is in the snapshot from that history's
    first day (its creation), no longer from its first extracted version."""
    _, warehouse = sample
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        [(rebuilt_deals, starting_elsewhere, starting_before_first_drop)] = connection.execute(
            """
            with rebuilt as (
                select deal_id, min(cast(updated_at as date)) as first_day
                from intermediate.int_deal_versions_rebuilt_from_history
                group by deal_id
            ),
            snapshot as (
                select deal_id, min(snapshot_date) as first_day
                from marts.fct_deal_daily_snapshot
                group by deal_id
            )
            select
                count(*),
                count(*) filter (where snapshot.first_day is distinct from rebuilt.first_day),
                count(*) filter (
                    where rebuilt.first_day
                    < (select min(extract_date) from staging.stg_canonical__extracts)
                )
            from rebuilt
            left join snapshot using (deal_id)
            """
        ).fetchall()
    assert starting_elsewhere == 0
    # The first drop carries months of history: most rebuilt deals start before it.
    assert rebuilt_deals > 100 and starting_before_first_drop > 0.9 * rebuilt_deals
