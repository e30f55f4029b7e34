"""Publishing a mart by patching a copy of the served file gives the build's mart exactly."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import storage_format
from dagster_project.publish.checksums import served_mart_versions
from dagster_project.publish.patch import patch_mart
from dagster_project.publish.publisher import publish_marts
from dagster_project.publish.rollback import roll_back
from dagster_project.publish.storage_format import OLDEST_SERVED_READER, oldest_reader
from dagster_project.settings import Paths

SNAPSHOT = "fct_deal_daily_snapshot"
REWRITE_UNITS = {SNAPSHOT: "snapshot_date"}


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(landing=tmp_path / "landing", warehouse=tmp_path / "warehouse")


def full_build(paths: Paths) -> None:
    """Three days of two deals, and a small mart that is always copied whole."""
    paths.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.build_database)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            f"create table marts.{SNAPSHOT} as "
            "select cast(day as date) as snapshot_date, deal_id, 100 * deal_number as amount "
            "from range(date '2025-01-01', date '2025-01-04', interval 1 day) as days(day), "
            "(values (1, 'd1'), (2, 'd2')) as deals(deal_number, deal_id)"
        )
        connection.execute("create table marts.mart_funnel as select 'open' as stage, 2 as deals")


def build(paths: Paths, *statements: str) -> None:
    with duckdb.connect(str(paths.build_database)) as connection:
        for statement in statements:
            connection.execute(statement)


# What an incremental run does: delete the days from the first changed one, rebuild them.
NIGHTLY_RUN = (
    f"delete from marts.{SNAPSHOT} where snapshot_date >= date '2025-01-03'",
    f"insert into marts.{SNAPSHOT} values "
    "(date '2025-01-03', 'd1', 150), "
    "(date '2025-01-03', 'd2', 200), "
    "(date '2025-01-04', 'd2', 250)",
    "update marts.mart_funnel set deals = 1",
)


def served_rows(paths: Paths, mart: str) -> list[tuple]:
    with duckdb.connect(str(paths.served_database), read_only=True) as reader:
        return reader.execute(f"select * from marts.{mart} order by all").fetchall()


def build_rows(paths: Paths, mart: str) -> list[tuple]:
    with duckdb.connect(str(paths.build_database), read_only=True) as reader:
        return reader.execute(f"select * from marts.{mart} order by all").fetchall()


def parquet_rows(paths: Paths, mart: str) -> list[tuple]:
    with duckdb.connect() as connection:
        return connection.execute(
            "select * from read_parquet(?) order by all",
            [str(paths.parquet_dir / f"{mart}.parquet")],
        ).fetchall()


def patch_against_build(paths: Paths) -> object:
    """patch_mart on a copy of the served file, as publish_marts runs it."""
    copy = paths.warehouse / "patched.duckdb"
    copy.write_bytes(paths.served_database.read_bytes())
    with duckdb.connect(str(copy)) as connection:
        connection.execute("attach ? as build (read_only)", [str(paths.build_database)])
        return patch_mart(connection, SNAPSHOT, "snapshot_date", build_catalog="build")


def test_a_nightly_publish_patches_the_rewritten_days_and_serves_the_build_exactly(
    paths: Paths,
) -> None:
    full_build(paths)
    publish_marts(paths, "run-1", REWRITE_UNITS)
    build(paths, *NIGHTLY_RUN)

    assert patch_against_build(paths) is not None
    report = publish_marts(paths, "run-2", REWRITE_UNITS)

    expected = build_rows(paths, SNAPSHOT)
    assert len(expected) == 7
    assert served_rows(paths, SNAPSHOT) == expected
    assert parquet_rows(paths, SNAPSHOT) == expected
    # The copy of the served file it patched keeps the format older DuckDB releases read.
    assert oldest_reader(paths.served_database) <= OLDEST_SERVED_READER
    assert served_rows(paths, "mart_funnel") == [("open", 1)]
    assert served_mart_versions(paths.served_database) == report.marts


def test_a_day_the_build_no_longer_holds_leaves_the_served_copy_too(paths: Paths) -> None:
    full_build(paths)
    publish_marts(paths, "run-1", REWRITE_UNITS)
    build(paths, f"delete from marts.{SNAPSHOT} where snapshot_date = date '2025-01-01'")

    assert patch_against_build(paths) is not None
    publish_marts(paths, "run-2", REWRITE_UNITS)

    assert served_rows(paths, SNAPSHOT) == build_rows(paths, SNAPSHOT)
    assert len(served_rows(paths, SNAPSHOT)) == 4


def test_a_mart_whose_columns_changed_is_copied_whole(paths: Paths) -> None:
    full_build(paths)
    publish_marts(paths, "run-1", REWRITE_UNITS)
    build(
        paths,
        *NIGHTLY_RUN,
        f"alter table marts.{SNAPSHOT} add column stage varchar default 'open'",
    )

    assert patch_against_build(paths) is None
    publish_marts(paths, "run-2", REWRITE_UNITS)

    assert served_rows(paths, SNAPSHOT) == build_rows(paths, SNAPSHOT)
    assert served_rows(paths, SNAPSHOT)[0][-1] == "open"


def test_after_a_rollback_the_next_publish_patches_from_the_older_served_file(
    paths: Paths,
) -> None:
    full_build(paths)
    publish_marts(paths, "run-1", REWRITE_UNITS)
    build(paths, *NIGHTLY_RUN)
    publish_marts(paths, "run-2", REWRITE_UNITS)
    roll_back(paths)
    build(
        paths,
        f"delete from marts.{SNAPSHOT} where snapshot_date >= date '2025-01-04'",
        f"insert into marts.{SNAPSHOT} values (date '2025-01-04', 'd2', 300)",
    )

    assert patch_against_build(paths) is not None
    publish_marts(paths, "run-3", REWRITE_UNITS)

    assert served_rows(paths, SNAPSHOT) == build_rows(paths, SNAPSHOT)
    assert (
        "2025-01-03",
        150,
    ) in {(str(day), amount) for day, _, amount in served_rows(paths, SNAPSHOT)}


def test_a_served_file_in_duckdb_2_format_is_not_patched_but_written_whole_in_the_served_format(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_build(paths)
    with monkeypatch.context() as release_before:
        release_before.setattr(storage_format, "SERVED_STORAGE_COMPATIBILITY", "latest")
        publish_marts(paths, "run-1", REWRITE_UNITS)
    assert oldest_reader(paths.served_database) == (2, 0, 0)
    build(paths, *NIGHTLY_RUN)

    publish_marts(paths, "run-2", REWRITE_UNITS)

    assert oldest_reader(paths.served_database) <= OLDEST_SERVED_READER
    assert served_rows(paths, SNAPSHOT) == build_rows(paths, SNAPSHOT)
    assert served_rows(paths, "mart_funnel") == [("open", 1)]
