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

import math
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest
from psycopg import sql

from dagster_project.ingest.postgres_mirror import mirror_raw, postgres_connection_settings
from dagster_project.publish.publisher import MARTS_SCHEMA
from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

pytestmark = pytest.mark.postgres

TOLERANCE = 1e-9
LAST_PLACE_OF_NUMERIC = Decimal("0.000001")
Row = tuple[object, ...]


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
    with psycopg.connect(**settings, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def postgres_build(
    postgres_database: str, sample: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The sample's raw mirrored and built with `dbt build --target postgres`."""
    _, warehouse = sample
    root = tmp_path_factory.mktemp("postgres")
    settings = {**postgres_connection_settings(), "dbname": postgres_database}
    with (
        duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as source,
        psycopg.connect(**settings) as target,
    ):
        mirror_raw(source, target, work_dir=root / "mirror")
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
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


def _duckdb_marts(warehouse: Path) -> dict[str, tuple[list[str], list[Row]]]:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        marts = {}
        for name in names:
            result = connection.execute(f'select * from {MARTS_SCHEMA}."{name}"')
            columns = [column[0] for column in result.description]
            marts[name] = (columns, result.fetchall())
    return marts


def _postgres_mart(settings: dict[str, str], name: str) -> tuple[list[str], list[Row]]:
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


def _normalized(value: object) -> object:
    """Numbers as floats (Decimal, int and float alike), everything else as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int | float):
        return float(value)
    return value


def _sort_key(row: Row) -> tuple[tuple[int, str], ...]:
    """Order-independent comparison: sort on text, numbers rounded far above 1e-6."""
    return tuple(
        (0, "")
        if value is None
        else (1, f"{value:.4f}" if isinstance(value, float) else str(value))
        for value in map(_normalized, row)
    )


def _same_value(left: object, right: object) -> bool:
    """Equal, numbers within 1e-9; a numeric(28,6) may also be one unit of its last place
    apart: a value within 1e-9 of a half rounds either way to six places, and DuckDB
    divides decimals in double precision where PostgreSQL divides them exactly."""
    if isinstance(left, Decimal) and isinstance(right, Decimal) and left.as_tuple().exponent == -6:
        return abs(left - right) <= LAST_PLACE_OF_NUMERIC
    left, right = _normalized(left), _normalized(right)
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return left == right


def _differences(duckdb_rows: Sequence[Row], postgres_rows: Sequence[Row]) -> list[str]:
    left = sorted(duckdb_rows, key=_sort_key)
    right = sorted(postgres_rows, key=_sort_key)
    return [
        f"duckdb {a} != postgres {b}"
        for a, b in zip(left, right, strict=True)
        if not all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    ]


def test_normalization_tells_values_apart() -> None:
    """The comparison itself: equal within 1e-9 across types, different beyond it."""
    day = date(2025, 1, 6)
    assert _differences([(Decimal("0.500000"), day, "a")], [(0.5, day, "a")]) == []
    assert _differences([(1, None), (2, "x")], [(2, "x"), (1, None)]) == []
    assert _differences([(Decimal("0.5"),)], [(0.5 + 1e-6,)]) != []
    assert _differences([(Decimal("4.067812"),)], [(Decimal("4.067813"),)]) == []
    assert _differences([(Decimal("4.067812"),)], [(Decimal("4.067814"),)]) != []
    assert _differences([(datetime(2025, 1, 6, 1),)], [(datetime(2025, 1, 6, 2),)]) != []


# postgres_build first: without a server the test skips before the sample is built.
def test_every_mart_is_the_same_on_postgres(
    postgres_build: dict[str, str], sample: tuple[Path, Path]
) -> None:
    _, warehouse = sample
    marts = _duckdb_marts(warehouse)
    assert len(marts) >= 10
    assert _postgres_mart_names(postgres_build) == set(marts)
    compared_rows = 0
    for name, (columns, duckdb_rows) in sorted(marts.items()):
        postgres_columns, postgres_rows = _postgres_mart(postgres_build, name)
        assert postgres_columns == columns, name
        assert len(postgres_rows) == len(duckdb_rows), name
        differences = _differences(duckdb_rows, postgres_rows)
        assert differences == [], f"{name}: {len(differences)} rows differ: {differences[:3]}"
        compared_rows += len(duckdb_rows)
    # The sample is not trivially empty: the daily snapshot alone has thousands of rows.
    assert compared_rows > 10_000
