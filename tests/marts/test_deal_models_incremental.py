"""The incremental deal models equal a full refresh of the same raw, row for row.

int_deal_versions, snap_deals, int_deal_stage_entries and fct_stage_transitions are
rebuilt deal by deal. A small sample is loaded without two of its drops and built; then, each built
incrementally and compared (every column but the lineage ones) with a `--full-refresh`
build of the same warehouse: the next nightly drop, which must rewrite only the deals it
carries; a late drop dated before drops already built and a corrected re-delivery, which
rebuild every deal; an as-of date pinned back a week, then released (the stage models
rebuild the deals with a change dated in between, the deal versions none); and two
drops on a pipeline the sample does not use, the first read on a 0-1 probability scale,
the second turning it 0-100, which rebuilds the first drop's deal's versions too; then
that second drop re-delivered with another deal, which withdraws the second deal whole.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_cli import run_dbt
from raw_loads import hold_back_late_and_nightly, load

from dagster_project.ingest import drop_log
from dagster_project.settings import BUILD_DATABASE_NAME

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

SAMPLE_START = date(2025, 1, 6)
# Ends on a Friday, so the nightly drop carries deal changes.
SAMPLE_DAYS = 19
DEAL_VERSIONS = "intermediate.int_deal_versions"
SNAP_DEALS = "marts.snap_deals"
STAGE_TABLES = ("intermediate.int_deal_stage_entries", "marts.fct_stage_transitions")
ROW_ORDER = {
    DEAL_VERSIONS: ["deal_id", "version_number"],
    SNAP_DEALS: ["deal_id", "version_number"],
    "intermediate.int_deal_stage_entries": ["deal_id", "stage_entry_number"],
    "marts.fct_stage_transitions": ["deal_id", "stage_entry_number"],
}
# When and for what a row was written: a full refresh and a run that keeps the row
# give different values by design.
LINEAGE_COLUMNS = ["built_at", "raw_loaded_through", "built_as_of_date"]
# A pipeline of the seed pipeline_stages that the generated sample has no deal on.
UNUSED_PIPELINE = "sales_pipeline"


def build(warehouse: Path, *flags: str) -> None:
    run_dbt(warehouse, "run", "--select", "+fct_stage_transitions", "+snap_deals", *flags)


def rows(warehouse: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        found = connection.execute(f"select * from {table}").fetch_df()
    return found.sort_values(ROW_ORDER[table]).reset_index(drop=True)


def deals_in(folders: list[Path]) -> set[str]:
    """The deals a drop's deals and field-history files carry."""
    return {
        deal_id
        for folder in folders
        for name in ("deals.csv", "deal_field_history.csv")
        if (folder / name).exists()
        for deal_id in pd.read_csv(folder / name, dtype=str)["deal_id"]
    }


def assert_incremental_run_equals_full_refresh(
    warehouse: Path,
    rebuilt_deals: dict[str, set[str] | None],
    *flags: str,
    most_kept: bool = False,
) -> dict[str, pd.DataFrame]:
    """Build incrementally, compare with a full refresh. For each table of
    `rebuilt_deals`, the run rewrote the rows of no deal outside its set and of at least
    one inside it (None: of every deal; an empty set: of none), and with `most_kept`
    kept the rows of most deals. Returns the incremental run's rows."""
    built_before = {table: rows(warehouse, table)["built_at"].max() for table in ROW_ORDER}
    build(warehouse, *flags)
    incremental = {table: rows(warehouse, table) for table in ROW_ORDER}
    build(warehouse, "--full-refresh", *flags)
    for table, expected in rebuilt_deals.items():
        full = rows(warehouse, table)
        pd.testing.assert_frame_equal(
            incremental[table].drop(columns=LINEAGE_COLUMNS, errors="ignore"),
            full.drop(columns=LINEAGE_COLUMNS, errors="ignore"),
            obj=table,
        )
        found = incremental[table]
        rewritten = set(found.loc[found["built_at"] > built_before[table], "deal_id"])
        if expected is None:
            assert rewritten == set(found["deal_id"]), table
        elif not expected:
            assert not rewritten, table
        else:
            assert rewritten and rewritten <= expected, table
        if most_kept:
            assert len(rewritten) < found["deal_id"].nunique() / 2, table
    return incremental


def every_table(rebuilt_deals: set[str] | None) -> dict[str, set[str] | None]:
    return dict.fromkeys(ROW_ORDER, rebuilt_deals)


def deal_version_tables(rebuilt_deals: set[str]) -> dict[str, set[str] | None]:
    """int_deal_versions and snap_deals, which copies its deals' versions."""
    return dict.fromkeys((DEAL_VERSIONS, SNAP_DEALS), rebuilt_deals)


def deliver_deal_on_unused_pipeline(
    landing: Path, drop_day: date, deal_id: str, stage: str, probability: str
) -> None:
    """A deals-only drop on `drop_day`: one new deal, a copy of a sample deal's row moved
    to UNUSED_PIPELINE, created that morning."""
    template = pd.read_csv(
        next(iter(sorted(landing.glob("*/deals.csv")))), dtype=str, keep_default_na=False
    ).iloc[[0]]
    deal = template.assign(
        deal_id=deal_id,
        pipeline=UNUSED_PIPELINE,
        stage=stage,
        probability=probability,
        closed_at="",
        lost_reason="",
        is_deleted="false",
        created_at=f"{drop_day.isoformat()}T09:00:00Z",
        updated_at=f"{drop_day.isoformat()}T09:00:00Z",
    )
    folder = landing / drop_day.isoformat()
    folder.mkdir()
    deal.to_csv(folder / "deals.csv", index=False)
    (folder / "_SUCCESS").touch()


def probability_of(versions: pd.DataFrame, deal_id: str) -> float:
    (probability,) = versions.loc[versions["deal_id"] == deal_id, "probability"]
    return float(probability)


def test_incremental_deal_models_equal_a_full_refresh(tmp_path: Path) -> None:
    sample = hold_back_late_and_nightly(tmp_path, reps=4, days=SAMPLE_DAYS, start=SAMPLE_START)
    landing, warehouse, nightly = sample.landing, sample.warehouse, sample.nightly
    run_dbt(warehouse, "seed")
    build(warehouse)

    sample.deliver(nightly, datetime(2025, 2, 1, 2))
    assert_incremental_run_equals_full_refresh(
        warehouse, every_table(deals_in([landing / nightly.name])), most_kept=True
    )

    sample.deliver(sample.late, datetime(2025, 2, 1, 3))
    assert_incremental_run_equals_full_refresh(warehouse, every_table(None))

    sample.redeliver_corrected(datetime(2025, 2, 1, 4))
    assert_incremental_run_equals_full_refresh(warehouse, every_table(None))

    # The as-of date pinned back a week, then released: the stage models rebuild the
    # deals with a change dated in between, each time; the deal versions do not depend
    # on the as-of date, and nothing was loaded.
    pinned = date.fromisoformat(nightly.name) - timedelta(days=7)
    changed_since_pinned = deals_in(
        [folder for folder in sample.drops if folder.name > pinned.isoformat()]
    )
    as_of_pinned = ("--vars", f'{{"as_of_date": "{pinned.isoformat()}"}}')
    for flags in (as_of_pinned, ()):
        assert_incremental_run_equals_full_refresh(
            warehouse,
            {**every_table(changed_since_pinned), **deal_version_tables(set())},
            *flags,
        )

    # docs/metrics.md "Probability": the pipeline's only deal says 0.4, read as 0-1; the next
    # drop's deal says 60, so the pipeline is 0-100 and the first deal's 0.4 is 0.4%.
    first_day = date.fromisoformat(nightly.name) + timedelta(days=1)
    deliver_deal_on_unused_pipeline(landing, first_day, "scale-1", "engaging", "0.4")
    load(warehouse, landing, datetime(2025, 2, 2, 1))
    versions = assert_incremental_run_equals_full_refresh(warehouse, every_table({"scale-1"}))
    assert probability_of(versions[DEAL_VERSIONS], "scale-1") == 0.4

    deliver_deal_on_unused_pipeline(
        landing, first_day + timedelta(days=1), "scale-2", "prospecting", "60"
    )
    load(warehouse, landing, datetime(2025, 2, 3, 1))
    versions = assert_incremental_run_equals_full_refresh(
        warehouse,
        {**every_table({"scale-2"}), **deal_version_tables({"scale-1", "scale-2"})},
    )
    deal_versions = versions[DEAL_VERSIONS]
    assert probability_of(deal_versions, "scale-1") == 0.004
    assert probability_of(deal_versions, "scale-2") == 0.6
    rewritten = deal_versions.loc[deal_versions["built_at"] == deal_versions["built_at"].max()]
    assert set(rewritten["deal_id"]) == {"scale-1", "scale-2"}

    # The second drop re-delivered with another deal instead, as the loader reloads a
    # re-delivered drop: scale-2 has no version left and leaves every table, and the
    # pipeline reads 0-1 again.
    second_day = first_day + timedelta(days=1)
    shutil.rmtree(landing / second_day.isoformat())
    deliver_deal_on_unused_pipeline(landing, second_day, "scale-3", "engaging", "0.5")
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        drop_log.forget_drops(connection, [second_day])
    load(warehouse, landing, datetime(2025, 2, 3, 2))
    versions = assert_incremental_run_equals_full_refresh(warehouse, every_table(None))
    assert "scale-2" not in set(versions[SNAP_DEALS]["deal_id"])
    assert probability_of(versions[SNAP_DEALS], "scale-1") == 0.4
