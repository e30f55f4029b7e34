"""Row count and content checksum of each mart, computed in DuckDB.

The checksum is order-independent: the sum, modulo 2^64, of DuckDB's hash of every
whole row. Two builds from the same drops give the same checksum whatever order dbt
wrote the rows in, and a reader can tell which published version it is looking at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.sql_text import quote_identifier

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class MartVersion:
    rows: int
    checksum: str


def mart_names(connection: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """Tables and views of `marts` in `catalog` (the connection's own database when None)."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_catalog = coalesce(?, current_database()) "
        "order by table_name",
        [MARTS_SCHEMA, catalog],
    ).fetchall()
    return [name for (name,) in rows]


def mart_versions(connection: duckdb.DuckDBPyConnection) -> dict[str, MartVersion]:
    """Rows and checksum of every mart of the connection's database, by mart name."""
    return {mart: mart_version(connection, mart) for mart in mart_names(connection)}


def mart_version(
    connection: duckdb.DuckDBPyConnection, mart: str, catalog: str | None = None
) -> MartVersion:
    """Rows and checksum of one mart in `catalog` (the connection's own database when None)."""
    content = ", ".join(
        quote_identifier(name) for name, _ in mart_columns(connection, mart, catalog)
    )
    relation = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
    if catalog is not None:
        relation = f"{quote_identifier(catalog)}.{relation}"
    rows, checksum = connection.execute(
        f"select count(*), format('{{:016x}}', coalesce(sum(hash({content})), 0) % ?) "
        f"from {relation}",
        [2**64],
    ).fetchall()[0]
    return MartVersion(rows=rows, checksum=checksum)


def mart_columns(
    connection: duckdb.DuckDBPyConnection, mart: str, catalog: str | None = None
) -> list[tuple[str, str]]:
    """(name, data type) of each column of a mart, in table order."""
    return connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? "
        "and table_catalog = coalesce(?, current_database()) "
        "order by ordinal_position",
        [MARTS_SCHEMA, mart, catalog],
    ).fetchall()


def served_mart_versions(served_database: Path) -> dict[str, MartVersion]:
    """Rows and checksum per mart of a published BI file, read the way BI reads it."""
    with duckdb.connect(str(served_database), read_only=True) as connection:
        return mart_versions(connection)


def mart_lines(marts: dict[str, MartVersion]) -> list[str]:
    """One aligned line per mart: name, rows, checksum (for the run summary and status)."""
    return [
        f"  marts.{name:<32} {version.rows:>12,} rows  checksum {version.checksum}"
        for name, version in marts.items()
    ]
