"""The project's generic dbt tests (dbt/data-tests/generic) on hand-made rows.

Each test is compiled by dbt against a scratch warehouse, over a table of known rows,
and its SQL run there: the rows it returns are the failures dbt would count.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from dagster_project.publish.history import PUBLISHES_TABLE, ensure_publishes_table
from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

LAST_PUBLISHED_AT = datetime(2026, 1, 15)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build database with one publish, on 2026-01-15, and the rows under test."""
    warehouse = tmp_path_factory.mktemp("generic_tests") / "warehouse"
    warehouse.mkdir()
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        ensure_publishes_table(connection)
        connection.execute(
            f"insert into {PUBLISHES_TABLE} values ('p1', 'publish', ?, 'mart_funnel', 1, '0')",
            [LAST_PUBLISHED_AT],
        )
        connection.execute("create schema cases")
        # 'a' is loaded again after the publish under a second row; 'd' was duplicated
        # before it (which that publish's run would have stopped), 'b' and 'c' are unique.
        connection.execute(
            "create table cases.keys as select * from (values "
            "('a', timestamp '2026-01-01'), ('b', timestamp '2026-01-01'), "
            "('a', timestamp '2026-02-01'), ('c', timestamp '2026-02-01'), "
            "('d', timestamp '2026-01-01'), ('d', timestamp '2026-01-02')"
            ") as rows (key, loaded_at)"
        )
        connection.execute(
            "create table cases.rates as select * from (values "
            "(0.0), (0.5), (1.0), (null), (1.2), (-0.1)) as rows (rate)"
        )
        connection.execute(
            "create table cases.deal_versions as select * from (values "
            "('default', 'Prospecting', 'qualification', 'a.csv'), "
            "('default', 'Custom Stage', null, 'b.csv'), "
            "('default', 'Custom Stage', null, 'a.csv'), "
            "('other', 'Prospecting', null, 'c.csv')"
            ") as rows (source_pipeline, source_stage, stage, source_file)"
        )
    return warehouse


TEST_CALLS = {
    "is_unique_since_last_publish": (
        "test_is_unique_since_last_publish(model='cases.keys', column_name='key')"
    ),
    "is_rate": "test_is_rate(model='cases.rates', column_name='rate')",
    "is_mapped_stage": "test_is_mapped_stage(model='cases.deal_versions', column_name='stage')",
}


@pytest.fixture(scope="module")
def compiled(warehouse: Path) -> dict[str, str]:
    """Each generic test's SQL over its table of cases, compiled by dbt (one parse).

    dbt compiles against a copy of the warehouse: dbt-duckdb keeps its connection open in
    this process, and DuckDB refuses a second one with other settings to the same file."""
    compile_warehouse = warehouse.parent / "compile_warehouse"
    shutil.copytree(warehouse, compile_warehouse)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPEHEALTH_WAREHOUSE", str(compile_warehouse))
        options = [
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(warehouse.parent / "dbt_target"),
            "--log-path",
            str(warehouse.parent / "dbt_logs"),
            "--quiet",
        ]
        parsed = dbtRunner().invoke(["parse", *options])
        assert parsed.success, parsed.exception
        runner = dbtRunner(manifest=parsed.result)

        def compile_call(call: str, *flags: str) -> str:
            result = runner.invoke(["compile", *flags, "--inline", "{{ " + call + " }}", *options])
            assert result.success, result.exception
            [node_result] = result.result.results
            return str(node_result.node.compiled_code)

        sql = {name: compile_call(call) for name, call in TEST_CALLS.items()}
        sql["is_unique_since_last_publish, full refresh"] = compile_call(
            TEST_CALLS["is_unique_since_last_publish"], "--full-refresh"
        )
    return sql


def failures(database: Path, sql: str) -> list[tuple[object, ...]]:
    """The rows a compiled test returns (what dbt counts as failures), sorted."""
    with duckdb.connect(str(database)) as connection:
        return sorted(connection.execute(sql).fetchall(), key=str)


def test_unique_since_last_publish_checks_the_keys_loaded_since(
    warehouse: Path, compiled: dict[str, str]
) -> None:
    database = warehouse / BUILD_DATABASE_NAME
    assert failures(database, compiled["is_unique_since_last_publish"]) == [("a", 2)]


def test_unique_since_last_publish_checks_every_key_before_a_publish(
    warehouse: Path, compiled: dict[str, str], tmp_path: Path
) -> None:
    database = tmp_path / BUILD_DATABASE_NAME
    shutil.copyfile(warehouse / BUILD_DATABASE_NAME, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute(f"delete from {PUBLISHES_TABLE}")
    assert failures(database, compiled["is_unique_since_last_publish"]) == [("a", 2), ("d", 2)]


def test_unique_since_last_publish_checks_every_key_in_a_full_refresh(
    warehouse: Path, compiled: dict[str, str]
) -> None:
    """A full refresh rebuilt every row, so it checks them all (dbt's own `unique`)."""
    full_refresh_sql = compiled["is_unique_since_last_publish, full refresh"]
    assert "keys_loaded_since_last_publish" not in full_refresh_sql
    assert failures(warehouse / BUILD_DATABASE_NAME, full_refresh_sql) == [("a", 2), ("d", 2)]


def test_is_rate_returns_the_rates_outside_zero_to_one(
    warehouse: Path, compiled: dict[str, str]
) -> None:
    rows = failures(warehouse / BUILD_DATABASE_NAME, compiled["is_rate"])
    assert [float(rate) for (rate,) in rows] == [-0.1, 1.2]


def test_is_mapped_stage_returns_each_unmapped_label(
    warehouse: Path, compiled: dict[str, str]
) -> None:
    assert failures(warehouse / BUILD_DATABASE_NAME, compiled["is_mapped_stage"]) == [
        ("default", "Custom Stage", 2, "a.csv"),
        ("other", "Prospecting", 1, "c.csv"),
    ]
