"""The generated sample's deal_field_history agrees with its extracts wherever both speak.

The dbt test assert_deal_field_history_agrees_with_extracts only warns, since real
exports routinely disagree; the generator writes both from the same versions, so on
its data the test must find nothing, over a comparison that is not empty. It compares
only the deals loaded since the last publish, which a changed sample checks. The days
before a deal's first extract are rebuilt from that history, so deals start there.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_cli import run_dbt
from raw_loads import load
from shared_states import check_evaluations

from dagster_project.publish.history import PUBLISHES_TABLE, ensure_publishes_table
from dagster_project.sample_data import generate
from dagster_project.settings import BUILD_DATABASE_NAME, Paths

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

AGREEMENT_TEST = "assert_deal_field_history_agrees_with_extracts"


def test_field_history_agrees_with_the_extracts(published_sample: Paths) -> None:
    # The run that published the sample loaded every drop since no publish: its check
    # compared every deal.
    [evaluation] = [
        evaluation
        for evaluation in check_evaluations(published_sample)
        if evaluation["check"] == AGREEMENT_TEST
    ]
    assert evaluation["passed"]
    warehouse = published_sample.warehouse
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


def disagree_on_one_change(drop: Path, keep_out: set[str]) -> str:
    """Rewrite the first amount change in `drop`'s field history, of a deal not in
    `keep_out`, to a value no extract holds; returns that deal's id."""
    history_file = drop / "deal_field_history.csv"
    history = pd.read_csv(history_file, dtype=str, keep_default_na=False)
    [row] = history.index[
        (history["field"] == "amount") & ~history["deal_id"].isin(keep_out)
    ].tolist()[:1]
    history.loc[row, "new_value"] = "0.123"
    history.to_csv(history_file, index=False)
    return history.loc[row, "deal_id"]


def reported_deals(warehouse: Path, *, rebuilt: bool = False) -> set[str]:
    """The deals the agreement check reports; where `rebuilt`, after the seeds and models
    it reads were built by the same dbt invocation (their own tests left out)."""
    command = (
        ["build", "--select", f"+{AGREEMENT_TEST}", "--indirect-selection", "empty"]
        if rebuilt
        else ["test", "--select", AGREEMENT_TEST]
    )
    run_dbt(warehouse, *command, "--exclude-resource-type", "unit_test", "--store-failures")
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        found = connection.execute(
            f"select distinct deal_id from dbt_test__audit.{AGREEMENT_TEST}"
        ).fetchall()
    return {deal_id for (deal_id,) in found}


def test_agreement_check_reads_the_deals_loaded_since_the_last_publish(tmp_path: Path) -> None:
    """A disagreement loaded before the last publish was reported by that run and is not
    again; one loaded since is. With no publish recorded, both are."""
    source, landing, warehouse = tmp_path / "drops", tmp_path / "landing", tmp_path / "warehouse"
    generate(source, seed=5, reps=3, days=12, start_date=date(2025, 1, 6))
    with_history = sorted(
        folder for folder in source.iterdir() if (folder / "deal_field_history.csv").exists()
    )
    earlier, nightly = with_history[-3], with_history[-1]
    in_nightly = set(pd.read_csv(nightly / "deals.csv", dtype=str)["deal_id"]) | set(
        pd.read_csv(nightly / "deal_field_history.csv", dtype=str)["deal_id"]
    )
    published_deal = disagree_on_one_change(earlier, keep_out=in_nightly)
    nightly_deal = disagree_on_one_change(nightly, keep_out=set())
    for folder in source.iterdir():
        if folder.name <= earlier.name:
            shutil.copytree(folder, landing / folder.name)
    warehouse.mkdir()
    load(warehouse, landing, datetime(2025, 2, 1, 1))
    assert reported_deals(warehouse, rebuilt=True) == {published_deal}

    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        ensure_publishes_table(connection)
        connection.execute(
            f"insert into {PUBLISHES_TABLE} values "
            "('p1', 'publish', '2025-02-01 01:30:00', 'fct_deal_daily_snapshot', 0, '')"
        )
    for folder in source.iterdir():
        if folder.name > earlier.name:
            shutil.copytree(folder, landing / folder.name)
    load(warehouse, landing, datetime(2025, 2, 1, 2))
    assert reported_deals(warehouse, rebuilt=True) == {nightly_deal}

    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        connection.execute(f"delete from {PUBLISHES_TABLE}")
    assert reported_deals(warehouse) == {published_deal, nightly_deal}
