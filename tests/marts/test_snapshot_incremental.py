"""The incremental fct_deal_daily_snapshot equals a full refresh of the same raw, row for row.

A small sample is loaded without two of its drops and built. Three loads follow, each
built incrementally, then compared, every column of every row, with a
`--full-refresh` build of the same warehouse: the next nightly drop, a late drop
dated before days already built, and a corrected re-delivery of a built drop (the
loader forgets it and every later drop and loads them again, as it does for a drop
waiting at the gate). Before each incremental run every stored row is marked, so the
test also sees which rows the run rewrote: exactly the days from the first day the
load changes.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
from dbt_cli import run_dbt

from dagster_project.ingest import drop_log
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.sample_data import generate
from dagster_project.settings import BUILD_DATABASE_NAME

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 24
SNAPSHOT = "marts.fct_deal_daily_snapshot"
STORED_MARK = "#stored"


def load(warehouse: Path, landing: Path, loaded_at: datetime) -> None:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        report = load_pending_drops(connection, landing, loaded_at)
    assert report.rejected is None


def build_snapshot(warehouse: Path, *flags: str) -> None:
    run_dbt(warehouse, "run", "--select", "+fct_deal_daily_snapshot", *flags)


def snapshot_rows(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        rows = connection.execute(f"select * from {SNAPSHOT}").fetch_df()
    return rows.sort_values(["deal_id", "snapshot_date"]).reset_index(drop=True)


def mark_stored_rows(warehouse: Path) -> None:
    """Suffix every stored row's key, so the rows a run does not rewrite stay marked."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        connection.execute(
            f"update {SNAPSHOT} set deal_snapshot_id = deal_snapshot_id || ?", [STORED_MARK]
        )


def correct_drop(folder: Path) -> None:
    """Re-deliver a drop corrected: its first deal row leaves, its second is repriced."""
    deals_file = folder / "deals.csv"
    deals = pd.read_csv(deals_file, dtype=str, keep_default_na=False)
    deals.loc[1, "amount"] = "123456.78"
    deals.iloc[1:].to_csv(deals_file, index=False)


def first_changed_day(landing: Path, changed: list[Path]) -> date:
    """The first day a load of the `changed` drop folders can change, by the model's rule.

    A drop changes its own day on; an activity it carries changes its deal from the
    first day any version of that activity (in any drop) says it was completed.
    """
    changed_ids = set()
    for folder in changed:
        if (folder / "activities.csv").exists():
            changed_ids |= set(pd.read_csv(folder / "activities.csv", dtype=str)["activity_id"])
    versions = pd.concat(pd.read_csv(path, dtype=str) for path in landing.glob("*/activities.csv"))
    touched = versions[versions["activity_id"].isin(changed_ids) & versions["deal_id"].notna()]
    completed_days = pd.to_datetime(touched["completed_at"], utc=True).dropna().dt.date
    return min([date.fromisoformat(folder.name) for folder in changed] + list(completed_days))


def assert_incremental_run_equals_full_refresh(warehouse: Path, first_changed_day: date) -> None:
    before = snapshot_rows(warehouse)
    mark_stored_rows(warehouse)
    build_snapshot(warehouse)
    incremental = snapshot_rows(warehouse)
    run_dbt(warehouse, "run", "--select", "fct_deal_daily_snapshot", "--full-refresh")
    full = snapshot_rows(warehouse)

    kept = incremental["deal_snapshot_id"].str.endswith(STORED_MARK)
    unmarked = incremental.assign(
        deal_snapshot_id=incremental["deal_snapshot_id"].str.removesuffix(STORED_MARK)
    )
    pd.testing.assert_frame_equal(unmarked, full)
    # The load changed the table, or the comparison would prove nothing ...
    assert not before.equals(full)
    # ... and the run rewrote exactly the days from the first one the load can change.
    assert incremental.loc[~kept, "snapshot_date"].dt.date.min() == first_changed_day
    assert (incremental.loc[kept, "snapshot_date"].dt.date < first_changed_day).all()


def test_incremental_runs_equal_a_full_refresh(tmp_path: Path) -> None:
    source, landing, warehouse = tmp_path / "drops", tmp_path / "landing", tmp_path / "warehouse"
    generate(source, seed=5, reps=4, days=SAMPLE_DAYS, start_date=SAMPLE_START)
    drops = sorted(path for path in source.iterdir() if path.is_dir())
    late, nightly = drops[SAMPLE_DAYS // 2], drops[-1]
    # A weekday drop (weekend drops may hold no deal changes) a few days before the last.
    corrected = max(folder for folder in drops[:-3] if (folder / "deals.csv").exists())
    warehouse.mkdir()
    for folder in drops:
        if folder not in (late, nightly):
            shutil.copytree(folder, landing / folder.name)
    load(warehouse, landing, datetime(2025, 2, 1, 1))
    run_dbt(warehouse, "seed")
    build_snapshot(warehouse)

    shutil.copytree(nightly, landing / nightly.name)
    load(warehouse, landing, datetime(2025, 2, 1, 2))
    assert_incremental_run_equals_full_refresh(
        warehouse, first_changed_day(landing, [landing / nightly.name])
    )

    shutil.copytree(late, landing / late.name)
    load(warehouse, landing, datetime(2025, 2, 1, 3))
    assert_incremental_run_equals_full_refresh(
        warehouse, first_changed_day(landing, [landing / late.name])
    )

    correct_drop(landing / corrected.name)
    # What the loader does with a re-delivered drop waiting at the gate.
    reloaded = [date.fromisoformat(folder.name) for folder in drops if folder >= corrected]
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        drop_log.forget_drops(connection, reloaded)
    load(warehouse, landing, datetime(2025, 2, 1, 4))
    reloaded_folders = [landing / day.isoformat() for day in reloaded]
    assert_incremental_run_equals_full_refresh(
        warehouse, first_changed_day(landing, reloaded_folders)
    )
