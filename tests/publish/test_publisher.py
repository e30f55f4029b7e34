"""Publishing: marts only, swapped in atomically, previous version kept."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import storage_format
from dagster_project.publish.checksums import served_mart_versions
from dagster_project.publish.history import publish_history
from dagster_project.publish.publisher import (
    PUBLISHES_DIR_NAME,
    REPORT_DIR_PREFIX,
    NothingToRollBackError,
    publish_marts,
    served_publish_id,
    swap_symlink,
)
from dagster_project.publish.rollback import roll_back
from dagster_project.publish.storage_format import oldest_reader
from dagster_project.settings import Paths


def build_warehouse(paths: Paths, open_pipeline: int) -> None:
    paths.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.build_database)) as connection:
        connection.execute("create schema if not exists raw")
        connection.execute("create or replace table raw.users as select 'ann@example.com' as email")
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.fct_deal_daily_snapshot as "
            "select * from (values (date '2025-01-01', 'd1', ?)) "
            "as t(snapshot_date, deal_id, amount)",
            [open_pipeline],
        )
        connection.execute(
            "create or replace view marts.open_deals as "
            "select * from marts.fct_deal_daily_snapshot where amount > 0"
        )


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(landing=tmp_path / "landing", warehouse=tmp_path / "warehouse")


def parquet_amounts(path: Path) -> list[tuple[int]]:
    with duckdb.connect() as connection:
        return connection.execute("select amount from read_parquet(?)", [str(path)]).fetchall()


def served_amount(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as reader:
        return reader.execute("select amount from marts.fct_deal_daily_snapshot").fetchone()[0]


def test_publish_serves_the_marts_schema_only(paths: Paths) -> None:
    build_warehouse(paths, open_pipeline=100)

    report = publish_marts(paths, publish_id="run-1")

    assert report.rows_per_mart == {"fct_deal_daily_snapshot": 1, "open_deals": 1}
    assert served_mart_versions(paths.served_database) == report.marts
    with duckdb.connect(str(paths.served_database), read_only=True) as reader:
        schemas = {
            row[0]
            for row in reader.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
    assert schemas == {"marts"}
    parquet = sorted(path.name for path in paths.parquet_dir.iterdir())
    assert parquet == ["fct_deal_daily_snapshot.parquet", "open_deals.parquet"]
    assert parquet_amounts(paths.parquet_dir / "fct_deal_daily_snapshot.parquet") == [(100,)]


def test_republish_swaps_in_new_marts_and_keeps_the_previous_version(paths: Paths) -> None:
    build_warehouse(paths, open_pipeline=100)
    publish_marts(paths, publish_id="run-1")
    # A BI reader holds the served file open while the next publish happens.
    reader = duckdb.connect(str(paths.served_database), read_only=True)
    build_warehouse(paths, open_pipeline=250)

    publish_marts(paths, publish_id="run-2")

    assert reader.execute("select amount from marts.fct_deal_daily_snapshot").fetchone() == (100,)
    reader.close()
    assert served_amount(paths.served_database) == 250
    assert served_amount(paths.previous_dir / "pipehealth.duckdb") == 100
    previous_parquet = paths.previous_dir / "parquet" / "fct_deal_daily_snapshot.parquet"
    assert parquet_amounts(previous_parquet) == [(100,)]
    current_parquet = paths.parquet_dir / "fct_deal_daily_snapshot.parquet"
    assert parquet_amounts(current_parquet) == [(250,)]


def test_only_the_current_and_previous_publish_are_kept(paths: Paths) -> None:
    for run in range(1, 5):
        build_warehouse(paths, open_pipeline=run)
        publish_marts(paths, publish_id=f"run-{run}")

    kept = sorted(path.name for path in (paths.warehouse / ".publishes").iterdir())
    assert kept == ["run-3", "run-4"]
    assert served_amount(paths.served_database) == 4


def test_checksum_ignores_row_order_and_tells_contents_apart(paths: Paths) -> None:
    build_warehouse(paths, open_pipeline=100)
    with duckdb.connect(str(paths.build_database)) as connection:
        connection.execute(
            "insert into marts.fct_deal_daily_snapshot values (date '2025-01-02', 'd2', 7)"
        )
    first = publish_marts(paths, publish_id="run-1").marts["fct_deal_daily_snapshot"]
    with duckdb.connect(str(paths.build_database)) as connection:
        connection.execute(
            "create or replace table marts.fct_deal_daily_snapshot as "
            "select * from marts.fct_deal_daily_snapshot order by deal_id desc"
        )
    reordered = publish_marts(paths, publish_id="run-2").marts["fct_deal_daily_snapshot"]
    with duckdb.connect(str(paths.build_database)) as connection:
        connection.execute("update marts.fct_deal_daily_snapshot set amount = 8 where amount = 7")
    changed = publish_marts(paths, publish_id="run-3").marts["fct_deal_daily_snapshot"]

    assert first.rows == reordered.rows == changed.rows == 2
    assert first.checksum == reordered.checksum
    assert changed.checksum != first.checksum
    assert len(first.checksum) == 16


def test_rollback_serves_the_previous_version_and_a_second_one_rolls_forward(
    paths: Paths,
) -> None:
    build_warehouse(paths, open_pipeline=100)
    publish_marts(paths, publish_id="run-1")
    build_warehouse(paths, open_pipeline=250)
    publish_marts(paths, publish_id="run-2")
    reader = duckdb.connect(str(paths.served_database), read_only=True)

    report = roll_back(paths)

    # A reader that opened the file before the rollback keeps its consistent view.
    assert reader.execute("select amount from marts.fct_deal_daily_snapshot").fetchone() == (250,)
    reader.close()
    assert report.publish_id == "run-1" == served_publish_id(paths)
    assert served_amount(paths.served_database) == 100
    assert parquet_amounts(paths.parquet_dir / "fct_deal_daily_snapshot.parquet") == [(100,)]
    assert served_amount(paths.previous_dir / "pipehealth.duckdb") == 250

    assert roll_back(paths).publish_id == "run-2"
    assert served_amount(paths.served_database) == 250
    assert parquet_amounts(paths.parquet_dir / "fct_deal_daily_snapshot.parquet") == [(250,)]
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        history = publish_history(connection, limit=5)
    assert [(event.publish_id, event.action) for event in history] == [
        ("run-2", "rollback"),
        ("run-1", "rollback"),
    ]
    assert history[1].marts == report.marts


def test_rollback_serves_the_report_of_the_publish_it_restores(paths: Paths) -> None:
    build_warehouse(paths, open_pipeline=100)
    publish_marts(paths, publish_id="run-1")
    report_of_run_1 = paths.warehouse / PUBLISHES_DIR_NAME / "run-1" / f"{REPORT_DIR_PREFIX}1"
    report_of_run_1.mkdir()
    (report_of_run_1 / "index.html").write_text("run-1")
    swap_symlink(paths.report_dir, report_of_run_1)
    build_warehouse(paths, open_pipeline=250)
    publish_marts(paths, publish_id="run-2")

    roll_back(paths)
    assert (paths.report_dir / "index.html").read_text() == "run-1"
    # run-2's report was never built: no report rather than one of another publish.
    roll_back(paths)
    assert not paths.report_dir.exists()


def test_rollback_without_a_previous_version_changes_nothing(paths: Paths) -> None:
    build_warehouse(paths, open_pipeline=100)
    publish_marts(paths, publish_id="run-1")
    served_before = paths.served_database.read_bytes()

    with pytest.raises(NothingToRollBackError):
        roll_back(paths)

    assert paths.served_database.read_bytes() == served_before


def test_a_publish_killed_between_its_two_swaps_keeps_a_consistent_previous_version(
    paths: Paths,
) -> None:
    build_warehouse(paths, open_pipeline=100)
    publish_marts(paths, publish_id="run-1")
    build_warehouse(paths, open_pipeline=250)
    publish_marts(paths, publish_id="run-2")
    # What a run killed after swapping the file, before swapping the Parquet, leaves.
    interrupted = paths.warehouse / "parquet.interrupted"
    interrupted.symlink_to(".publishes/run-1/parquet")
    interrupted.replace(paths.parquet_dir)
    assert served_publish_id(paths) == "run-2"

    build_warehouse(paths, open_pipeline=400)
    publish_marts(paths, publish_id="run-3")

    previous_parquet = paths.previous_dir / "parquet" / "fct_deal_daily_snapshot.parquet"
    assert served_amount(paths.previous_dir / "pipehealth.duckdb") == 250
    assert parquet_amounts(previous_parquet) == [(250,)]
    assert roll_back(paths).publish_id == "run-2"
    assert parquet_amounts(paths.parquet_dir / "fct_deal_daily_snapshot.parquet") == [(250,)]


def test_rollback_to_a_version_published_in_duckdb_2_format_serves_it_in_the_served_format(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run-1 as a pipehealth that wrote DuckDB's own latest format published it.
    with monkeypatch.context() as release_before:
        release_before.setattr(storage_format, "SERVED_STORAGE_COMPATIBILITY", "latest")
        build_warehouse(paths, open_pipeline=100)
        publish_marts(paths, publish_id="run-1")
    assert oldest_reader(paths.served_database) == (2, 0, 0)
    build_warehouse(paths, open_pipeline=250)
    publish_marts(paths, publish_id="run-2")
    run_1 = served_mart_versions(paths.previous_dir / "pipehealth.duckdb")

    assert roll_back(paths).publish_id == "run-1"

    assert oldest_reader(paths.served_database) == (1, 0, 0)
    assert served_mart_versions(paths.served_database) == run_1
    assert served_amount(paths.served_database) == 100
    # The publish folder holds the rewritten file too, so rolling forward and back again
    # still finds it.
    assert roll_back(paths).publish_id == "run-2"
    assert oldest_reader(paths.served_database) == (1, 0, 0)
    assert roll_back(paths).publish_id == "run-1"
    assert served_amount(paths.served_database) == 100
