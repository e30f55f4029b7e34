"""The incremental stage models equal a full refresh of the same raw, row for row.

int_deal_stage_entries and fct_stage_transitions are rebuilt deal by deal. A small
sample is loaded without two of its drops and built; then, each built incrementally
and compared (every column but the lineage ones) with a `--full-refresh` build of the
same warehouse: the next nightly drop, which must rewrite only the deals it carries; a
late drop dated before drops already built and a corrected re-delivery, which rebuild
every deal; and an as-of date pinned back a week, then released.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from dbt_cli import run_dbt
from raw_loads import hold_back_late_and_nightly

from dagster_project.settings import BUILD_DATABASE_NAME

SAMPLE_START = date(2025, 1, 6)
# Ends on a Friday, so the nightly drop carries deal changes.
SAMPLE_DAYS = 19
TABLES = ("intermediate.int_deal_stage_entries", "marts.fct_stage_transitions")
ROW_ORDER = ["deal_id", "stage_entry_number"]
# When and for what a row was written: a full refresh and a run that keeps the row
# give different values by design.
LINEAGE_COLUMNS = ["built_at", "raw_loaded_through", "built_as_of_date"]


def build(warehouse: Path, *flags: str) -> None:
    run_dbt(warehouse, "run", "--select", "+fct_stage_transitions", *flags)


def rows(warehouse: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        found = connection.execute(f"select * from {table}").fetch_df()
    return found.sort_values(ROW_ORDER).reset_index(drop=True)


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
    warehouse: Path, rebuilt_deals: set[str] | None, *flags: str, most_kept: bool = False
) -> None:
    """Build incrementally, compare with a full refresh. The run rewrote the rows of no
    deal outside `rebuilt_deals` and of at least one inside it (None: of every deal),
    and with `most_kept` kept the rows of most deals."""
    built_before = {table: rows(warehouse, table)["built_at"].max() for table in TABLES}
    build(warehouse, *flags)
    incremental = {table: rows(warehouse, table) for table in TABLES}
    build(warehouse, "--full-refresh", *flags)
    for table in TABLES:
        full = rows(warehouse, table)
        pd.testing.assert_frame_equal(
            incremental[table].drop(columns=LINEAGE_COLUMNS),
            full.drop(columns=LINEAGE_COLUMNS),
            obj=table,
        )
        found = incremental[table]
        rewritten = set(found.loc[found["built_at"] > built_before[table], "deal_id"])
        if rebuilt_deals is None:
            assert rewritten == set(found["deal_id"]), table
        else:
            assert rewritten and rewritten <= rebuilt_deals, table
        if most_kept:
            assert len(rewritten) < found["deal_id"].nunique() / 2, table


def test_incremental_stage_models_equal_a_full_refresh(tmp_path: Path) -> None:
    sample = hold_back_late_and_nightly(tmp_path, reps=4, days=SAMPLE_DAYS, start=SAMPLE_START)
    landing, warehouse, nightly = sample.landing, sample.warehouse, sample.nightly
    run_dbt(warehouse, "seed")
    build(warehouse)

    sample.deliver(nightly, datetime(2025, 2, 1, 2))
    assert_incremental_run_equals_full_refresh(
        warehouse, deals_in([landing / nightly.name]), most_kept=True
    )

    sample.deliver(sample.late, datetime(2025, 2, 1, 3))
    assert_incremental_run_equals_full_refresh(warehouse, None)

    sample.redeliver_corrected(datetime(2025, 2, 1, 4))
    assert_incremental_run_equals_full_refresh(warehouse, None)

    # The as-of date pinned back a week, then released: the deals with a change dated
    # in between are rebuilt, each time.
    pinned = date.fromisoformat(nightly.name) - timedelta(days=7)
    changed_since_pinned = deals_in(
        [folder for folder in sample.drops if folder.name > pinned.isoformat()]
    )
    as_of_pinned = ("--vars", f'{{"as_of_date": "{pinned.isoformat()}"}}')
    assert_incremental_run_equals_full_refresh(warehouse, changed_since_pinned, *as_of_pinned)
    assert_incremental_run_equals_full_refresh(warehouse, changed_since_pinned)
