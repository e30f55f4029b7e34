"""Compare the marts another engine built with the DuckDB marts of the same sample.

Same rows in any order, numbers within 1e-9 whatever their Python type (Decimal, int,
float), everything else equal. Shared by the PostgreSQL and Spark equality tests and the
night-by-night test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.publish.publisher import MARTS_SCHEMA
from dagster_project.settings import BUILD_DATABASE_NAME

TOLERANCE = 1e-9
LAST_PLACE_OF_NUMERIC = Decimal("0.000001")
Row = tuple[object, ...]
Mart = tuple[list[str], list[Row]]


def duckdb_tables(connection: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The names of the tables of `schema`."""
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return [name for (name,) in rows]


def duckdb_marts(warehouse: Path) -> dict[str, Mart]:
    """Every table of the marts schema of the warehouse's build database: columns, rows."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        marts = {}
        for name in duckdb_tables(connection, MARTS_SCHEMA):
            result = connection.execute(f'select * from {MARTS_SCHEMA}."{name}"')
            columns = [column[0] for column in result.description]
            marts[name] = (columns, result.fetchall())
    return marts


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
    """Equal, booleans only to booleans, numbers within 1e-9; a numeric(28,6) may also be
    one unit of its last place apart: a value within 1e-9 of a half rounds either way to
    six places, and DuckDB divides decimals in double precision where PostgreSQL divides
    them exactly."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, Decimal) and isinstance(right, Decimal) and left.as_tuple().exponent == -6:
        return abs(left - right) <= LAST_PLACE_OF_NUMERIC
    left, right = _normalized(left), _normalized(right)
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return left == right


def differences(duckdb_rows: Sequence[Row], other_rows: Sequence[Row], engine: str) -> list[str]:
    """The rows that differ between DuckDB and `engine` (lists of equal length)."""
    left = sorted(duckdb_rows, key=_sort_key)
    right = sorted(other_rows, key=_sort_key)
    return [
        f"duckdb {a} != {engine} {b}"
        for a, b in zip(left, right, strict=True)
        if not all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    ]
