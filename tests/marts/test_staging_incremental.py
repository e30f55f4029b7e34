"""The incremental canonical staging tables equal a full refresh of the same raw, row for row.

Activity versions, current activities, current leads, deal versions and deal field
history. A small
sample is loaded without two of its drops and built. Two loads follow, each built
incrementally, then compared with a `--full-refresh` build of the same warehouse: the
next nightly drop with a late drop dated before drops already built, then a corrected
re-delivery whose activities and leads files were withdrawn, and the deals and field
history of the next drop that has them (the loader forgets that drop and every later one
and loads them again, so the corrected extract has no activity or lead rows left and only
a delete by extract can clear its old ones). Before each incremental run every
stored activity version is marked, so the test also sees which rows the run rewrote:
exactly those of the extracts it loaded.
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

from dagster_project.ingest import drop_log
from dagster_project.sample_data import generate
from dagster_project.settings import BUILD_DATABASE_NAME

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 16
VERSIONS = "staging.stg_canonical__activity_versions"
CURRENT = "staging.stg_canonical__activities"
CURRENT_LEADS = "staging.stg_canonical__leads"
FIELD_HISTORY = "staging.stg_canonical__deal_field_history"
DEAL_VERSIONS = "staging.stg_canonical__deal_versions"
STORED_MARK = "#stored"
ROW_ORDER = ["extract_date", "source_file", "source_row"]


def build(warehouse: Path, *flags: str) -> None:
    run_dbt(
        warehouse,
        "run",
        "--select",
        "+stg_canonical__activities",
        "+stg_canonical__leads",
        "+stg_canonical__deal_field_history",
        "+stg_canonical__deal_versions",
        *flags,
    )


def rows(warehouse: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        found = connection.execute(f"select * from {table}").fetch_df()
    return found.sort_values(ROW_ORDER).reset_index(drop=True)


def raw_activity_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        return connection.execute("select count(*) from raw.activities").fetchall()[0][0]


def mark_stored_rows(warehouse: Path) -> None:
    """Suffix every stored version's source_file, so the rows a run keeps stay marked."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        connection.execute(f"update {VERSIONS} set source_file = source_file || ?", [STORED_MARK])


def ids_in(folders: list[Path], file_name: str, key: str) -> set[str]:
    return {
        key_value
        for folder in folders
        if (folder / file_name).exists()
        for key_value in pd.read_csv(folder / file_name, dtype=str)[key]
    }


def without_mark(frame: pd.DataFrame) -> pd.DataFrame:
    unmarked = frame.assign(source_file=frame["source_file"].str.removesuffix(STORED_MARK))
    return unmarked.sort_values(ROW_ORDER).reset_index(drop=True)


def assert_incremental_run_equals_full_refresh(warehouse: Path, loaded: list[date]) -> None:
    before = rows(warehouse, VERSIONS)
    mark_stored_rows(warehouse)
    build(warehouse)
    incremental = rows(warehouse, VERSIONS)
    current = rows(warehouse, CURRENT)
    current_leads = rows(warehouse, CURRENT_LEADS)
    field_history = rows(warehouse, FIELD_HISTORY)
    deal_versions = rows(warehouse, DEAL_VERSIONS)
    build(warehouse, "--full-refresh")
    full = rows(warehouse, VERSIONS)
    pd.testing.assert_frame_equal(current_leads, rows(warehouse, CURRENT_LEADS))
    pd.testing.assert_frame_equal(field_history, rows(warehouse, FIELD_HISTORY))
    pd.testing.assert_frame_equal(deal_versions, rows(warehouse, DEAL_VERSIONS))

    kept = incremental["source_file"].str.endswith(STORED_MARK)
    pd.testing.assert_frame_equal(without_mark(incremental), full)
    assert len(full) == raw_activity_rows(warehouse)
    # Current rows taken from a kept version carry its mark.
    pd.testing.assert_frame_equal(without_mark(current), rows(warehouse, CURRENT))
    # The load changed the table, or the comparison would prove nothing ...
    assert not before.equals(full)
    # ... and the run appended exactly the loaded extracts' rows and kept all others.
    assert set(incremental.loc[~kept, "extract_date"].dt.date) <= set(loaded)
    assert not incremental.loc[kept, "extract_date"].dt.date.isin(loaded).any()


def test_incremental_staging_equals_a_full_refresh(tmp_path: Path) -> None:
    source, landing, warehouse = tmp_path / "drops", tmp_path / "landing", tmp_path / "warehouse"
    generate(source, seed=5, reps=3, days=SAMPLE_DAYS, start_date=SAMPLE_START)
    drops = sorted(path for path in source.iterdir() if path.is_dir())
    with_activities = [folder for folder in drops if (folder / "activities.csv").exists()]
    late, nightly = with_activities[len(with_activities) // 2], drops[-1]
    corrected = with_activities[-3]
    warehouse.mkdir()
    for folder in drops:
        if folder not in (late, nightly):
            shutil.copytree(folder, landing / folder.name)
    load(warehouse, landing, datetime(2025, 2, 1, 1))
    build(warehouse)

    # The next nightly drop, and a late one dated before drops already built.
    for folder in (nightly, late):
        shutil.copytree(folder, landing / folder.name)
    load(warehouse, landing, datetime(2025, 2, 1, 2))
    assert_incremental_run_equals_full_refresh(
        warehouse, [date.fromisoformat(folder.name) for folder in (nightly, late)]
    )

    # Some withdrawn activities and leads have an earlier version and no later one: the
    # earlier version becomes current again, though no row of it was loaded since.
    earlier = [folder for folder in drops if folder < corrected]
    later = [folder for folder in drops if folder > corrected]
    for file_name, key in (("activities.csv", "activity_id"), ("leads.csv", "lead_id")):
        withdrawn = ids_in([corrected], file_name, key)
        assert withdrawn & ids_in(earlier, file_name, key) - ids_in(later, file_name, key)
        (landing / corrected.name / file_name).unlink()
    # Of the withdrawn deal versions and field history, some deals keep rows from earlier
    # drops only, which are deduplicated again; some are left with none at all.
    for file_name in ("deals.csv", "deal_field_history.csv"):
        withdrawn_from = next(folder for folder in later if (folder / file_name).exists())
        withdrawn_deals = ids_in([withdrawn_from], file_name, "deal_id")
        before_withdrawn = [folder for folder in drops if folder < withdrawn_from]
        after_withdrawn = [folder for folder in drops if folder > withdrawn_from]
        not_delivered_later = withdrawn_deals - ids_in(after_withdrawn, file_name, "deal_id")
        assert not_delivered_later & ids_in(before_withdrawn, file_name, "deal_id")
        assert not_delivered_later - ids_in(before_withdrawn, file_name, "deal_id")
        (landing / withdrawn_from.name / file_name).unlink()
    # What the loader does with a re-delivered drop waiting at the gate.
    reloaded = [date.fromisoformat(folder.name) for folder in drops if folder >= corrected]
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        drop_log.forget_drops(connection, reloaded)
    load(warehouse, landing, datetime(2025, 2, 1, 3))
    assert_incremental_run_equals_full_refresh(warehouse, reloaded)
