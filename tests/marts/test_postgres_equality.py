"""The same dbt project on PostgreSQL gives the same marts as on DuckDB.

The shared sample (conftest.py) is built on DuckDB; its raw schema is mirrored into a
fresh PostgreSQL database the way `pipehealth run --target postgres` does
(dagster_project/ingest/postgres_mirror.py), and `dbt build --target postgres` builds
seeds, models and tests there unchanged. Every mart must then hold the same rows on
both engines: same columns, same row count, same values (numbers within 1e-9), in any
order.

Needs a PostgreSQL server (PIPEHEALTH_PG_* or PG* variables; `eval "$(bash
.ci/postgres)"` starts one). Without one the test is skipped, unless
PIPEHEALTH_REQUIRE_POSTGRES=1 (set in CI), where an unreachable server fails it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest
from mart_comparison import Mart, differences, duckdb_marts
from psycopg import sql

from dagster_project.ingest.postgres_mirror import mirror_raw, postgres_connection_settings
from dagster_project.publish.publisher import MARTS_SCHEMA
from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.system]


def _server_or_skip() -> dict[str, str]:
    settings = postgres_connection_settings()
    try:
        psycopg.connect(**settings, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        reason = f"no PostgreSQL server reachable at {settings['host']}:{settings['port']}: {error}"
        if os.environ.get("PIPEHEALTH_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PIPEHEALTH_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return settings


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A throwaway database on the server, dropped afterwards."""
    settings = _server_or_skip()
    name = f"pipehealth_test_{secrets.token_hex(4)}"
    with psycopg.connect(**settings, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield name
    # A plain drop, not `with (force)`: every connection of ours is closed by now, and the
    # plain drop stops an autovacuum worker busy in the new database itself, where the
    # forced one refuses to terminate it for a role without pg_signal_backend.
    with psycopg.connect(**settings, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def postgres_build(
    postgres_database: str, sample: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The sample's raw mirrored, built with `dbt build --target postgres`, then the
    incremental models run once more, incrementally."""
    _, warehouse = sample
    root = tmp_path_factory.mktemp("postgres")
    settings = {**postgres_connection_settings(), "dbname": postgres_database}
    with (
        duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as source,
        psycopg.connect(**settings) as target,
    ):
        mirror_raw(source, target, work_dir=root / "mirror")
    # The build, then an incremental run of every incremental model over it (the marts
    # by period rebuild the periods in progress; the others find nothing changed): both
    # must leave the marts equal to DuckDB's.
    for command in (["build"], ["run", "--select", "config.materialized:incremental"]):
        completed = subprocess.run(
            [
                str(Path(sys.executable).parent / "dbt"),
                *command,
                "--target",
                "postgres",
                "--profiles-dir",
                ".",
                "--target-path",
                str(root / "dbt_target"),
                "--log-path",
                str(root / "dbt_logs"),
            ],
            cwd=DBT_PROJECT_DIR,
            env={
                **os.environ,
                "PIPEHEALTH_WAREHOUSE": str(warehouse),
                "PIPEHEALTH_PG_DBNAME": postgres_database,
            },
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stdout[-5000:]
    return settings


def _postgres_mart(settings: dict[str, str], name: str) -> Mart:
    with psycopg.connect(**settings) as connection, connection.cursor() as cursor:
        cursor.execute(sql.SQL("select * from {}").format(sql.Identifier(MARTS_SCHEMA, name)))
        assert cursor.description is not None
        return [column.name for column in cursor.description], cursor.fetchall()


def _postgres_mart_names(settings: dict[str, str]) -> set[str]:
    with psycopg.connect(**settings) as connection:
        rows = connection.execute(
            "select table_name from information_schema.tables where table_schema = %s",
            [MARTS_SCHEMA],
        ).fetchall()
    return {name for (name,) in rows}


# postgres_build first: without a server the test skips before the sample is built.
def test_every_mart_is_the_same_on_postgres(
    postgres_build: dict[str, str], sample: tuple[Path, Path]
) -> None:
    _, warehouse = sample
    marts = duckdb_marts(warehouse)
    assert len(marts) >= 10
    assert _postgres_mart_names(postgres_build) == set(marts)
    compared_rows = 0
    for name, (columns, duckdb_rows) in sorted(marts.items()):
        postgres_columns, postgres_rows = _postgres_mart(postgres_build, name)
        assert postgres_columns == columns, name
        assert len(postgres_rows) == len(duckdb_rows), name
        differing = differences(duckdb_rows, postgres_rows, "postgres")
        assert differing == [], f"{name}: {len(differing)} rows differ: {differing[:3]}"
        compared_rows += len(duckdb_rows)
    # The sample is not trivially empty: the daily snapshot alone has thousands of rows.
    assert compared_rows > 10_000
