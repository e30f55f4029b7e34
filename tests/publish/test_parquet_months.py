"""The daily snapshot's Parquet: a folder a month, of which a publish writes only the
months it rewrote and links the others from the served publish."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish.publisher import publish_marts
from dagster_project.publish.rollback import roll_back
from dagster_project.settings import Paths

SNAPSHOT = "fct_deal_daily_snapshot"
REWRITE_UNITS = {SNAPSHOT: "snapshot_date"}
PARQUET_MONTHS = {SNAPSHOT: "snapshot_date"}
JANUARY = "snapshot_month=2025-01"
FEBRUARY = "snapshot_month=2025-02"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(landing=tmp_path / "landing", warehouse=tmp_path / "warehouse")


def build(paths: Paths, *statements: str) -> None:
    paths.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.build_database)) as connection:
        for statement in statements:
            connection.execute(statement)


# Two deals from 30 January to 2 February, and a small mart written as one file.
FULL_BUILD = (
    "create schema marts",
    f"create table marts.{SNAPSHOT} as "
    "select cast(day as date) as snapshot_date, deal_id, 100 * deal_number as amount "
    "from range(date '2025-01-30', date '2025-02-03', interval 1 day) as days(day), "
    "(values (1, 'd1'), (2, 'd2')) as deals(deal_number, deal_id)",
    "create table marts.mart_funnel as select 'open' as stage, 2 as deals",
)
# A nightly run that rebuilds from 1 February: January's rows stay as they were.
FEBRUARY_REBUILT = (
    f"delete from marts.{SNAPSHOT} where snapshot_date >= date '2025-02-01'",
    f"insert into marts.{SNAPSHOT} values "
    "(date '2025-02-01', 'd1', 150), (date '2025-02-02', 'd1', 150), "
    "(date '2025-02-03', 'd1', 175)",
)


def publish(paths: Paths, publish_id: str) -> None:
    publish_marts(paths, publish_id, REWRITE_UNITS, PARQUET_MONTHS)


def build_rows(paths: Paths) -> list[tuple]:
    with duckdb.connect(str(paths.build_database), read_only=True) as reader:
        return reader.execute(f"select * from marts.{SNAPSHOT} order by all").fetchall()


def parquet_rows(folder: Path) -> list[tuple]:
    """The mart as a reader sees its folder: one table, the month a hive column."""
    with duckdb.connect() as connection:
        return connection.execute(
            "select * exclude (snapshot_month) "
            "from read_parquet(?, hive_partitioning = true) order by all",
            [str(folder / "*" / "*.parquet")],
        ).fetchall()


def month_files(folder: Path, month: str) -> list[Path]:
    return sorted((folder / month).iterdir())


def same_files(first: list[Path], second: list[Path]) -> bool:
    return len(first) == len(second) and all(map(os.path.samefile, first, second))


def test_the_snapshot_is_a_folder_a_month_that_reads_as_the_mart(paths: Paths) -> None:
    build(paths, *FULL_BUILD)

    publish(paths, "run-1")

    folder = paths.parquet_dir / SNAPSHOT
    assert sorted(path.name for path in folder.iterdir()) == [JANUARY, FEBRUARY]
    assert parquet_rows(folder) == build_rows(paths)
    with duckdb.connect() as connection:
        months = connection.execute(
            "select snapshot_month, count(*) from read_parquet(?, hive_partitioning = true) "
            "group by all order by all",
            [str(folder / "*" / "*.parquet")],
        ).fetchall()
    assert months == [("2025-01", 4), ("2025-02", 4)]
    # Every other mart stays one file.
    assert (paths.parquet_dir / "mart_funnel.parquet").is_file()


def test_a_nightly_publish_writes_the_months_it_rewrote_and_links_the_others(
    paths: Paths,
) -> None:
    build(paths, *FULL_BUILD)
    publish(paths, "run-1")
    build(paths, *FEBRUARY_REBUILT)

    publish(paths, "run-2")

    folder = paths.parquet_dir / SNAPSHOT
    before = paths.previous_dir / "parquet" / SNAPSHOT
    assert parquet_rows(folder) == build_rows(paths)
    assert len(build_rows(paths)) == 7
    for served, kept in zip(
        month_files(folder, JANUARY), month_files(before, JANUARY), strict=True
    ):
        assert os.path.samefile(served, kept)
    assert not any(
        os.path.samefile(served, older)
        for served in month_files(folder, FEBRUARY)
        for older in month_files(before, FEBRUARY)
    )
    # The previous publish still reads as it was served.
    assert len(parquet_rows(before)) == 8


def test_a_month_the_build_no_longer_holds_leaves_the_parquet(paths: Paths) -> None:
    build(paths, *FULL_BUILD)
    publish(paths, "run-1")
    build(paths, f"delete from marts.{SNAPSHOT} where snapshot_date >= date '2025-02-01'")

    publish(paths, "run-2")

    folder = paths.parquet_dir / SNAPSHOT
    assert sorted(path.name for path in folder.iterdir()) == [JANUARY]
    assert parquet_rows(folder) == build_rows(paths)


def test_after_a_rollback_the_months_come_from_the_publish_served_again(paths: Paths) -> None:
    build(paths, *FULL_BUILD)
    publish(paths, "run-1")
    build(paths, f"update marts.{SNAPSHOT} set amount = 1 where snapshot_date < '2025-02-01'")
    publish(paths, "run-2")
    roll_back(paths)
    build(
        paths,
        f"update marts.{SNAPSHOT} set amount = 100 where snapshot_date < '2025-02-01' "
        "and deal_id = 'd1'",
        f"update marts.{SNAPSHOT} set amount = 200 where snapshot_date < '2025-02-01' "
        "and deal_id = 'd2'",
        *FEBRUARY_REBUILT,
    )

    publish(paths, "run-3")

    # The build's January is run-1's again, so it is linked from run-1, served since the
    # rollback, not from run-2 (amount 1), the publish the rollback replaced.
    folder = paths.parquet_dir / SNAPSHOT
    assert parquet_rows(folder) == build_rows(paths)
    run_1 = paths.warehouse / ".publishes" / "run-1" / "parquet" / SNAPSHOT
    assert same_files(month_files(folder, JANUARY), month_files(run_1, JANUARY))


def test_a_row_without_a_day_stops_the_publish_instead_of_leaving_the_parquet(
    paths: Paths,
) -> None:
    build(paths, *FULL_BUILD, f"insert into marts.{SNAPSHOT} values (null, 'd3', 300)")

    with pytest.raises(ValueError, match="1 rows without snapshot_date"):
        publish(paths, "run-1")
