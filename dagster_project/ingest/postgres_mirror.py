"""Mirror the `raw` schema of the build DuckDB into PostgreSQL, for the `postgres` target.

Drops are still parsed, versioned and gated in DuckDB (dagster_project/ingest/ and
quality/); on the `postgres` target dbt then reads `raw` from the server. The mirror
is incremental per drop: a drop is copied when its rows in DuckDB differ from those
on the server (new, or reloaded because it was re-delivered), and a drop DuckDB no
longer holds is deleted. The loader's small log tables are copied whole. Rows travel
as CSV written by DuckDB into `COPY ... FROM STDIN`, never row by row through Python.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from dagster_project.ingest.contract import RAW_SCHEMA
from dagster_project.sql_text import quote_identifier, string_literal

# What tells one drop's rows in a raw entity table: the drop date and the load time.
DROP_COLUMN = "_extract_date"
LOADED_AT_COLUMN = "_loaded_at"
_COPY_CHUNK_BYTES = 1 << 20

# DuckDB types of the raw schema -> PostgreSQL types. Raw data columns are text; only
# the loader's metadata and log columns are typed.
_POSTGRES_TYPES = {
    "VARCHAR": "text",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
}

DropSummary = dict[date, tuple[datetime | None, int]]


@dataclass(frozen=True)
class MirrorReport:
    """Rows copied per raw table, and the drops replaced or removed on the server."""

    rows_copied: dict[str, int]
    drops_copied: dict[str, list[date]]


def postgres_connection_settings() -> dict[str, str]:
    """Connection settings from PIPEHEALTH_PG_* or libpq's PG* variables, with the same
    defaults as the `postgres` target of dbt/profiles.yml, so both reach one server."""

    def setting(name: str, libpq_name: str, default: str) -> str:
        return os.environ.get(f"PIPEHEALTH_PG_{name}") or os.environ.get(libpq_name) or default

    return {
        "host": setting("HOST", "PGHOST", "127.0.0.1"),
        "port": setting("PORT", "PGPORT", "5432"),
        "user": setting("USER", "PGUSER", "pipehealth"),
        "password": setting("PASSWORD", "PGPASSWORD", ""),
        "dbname": setting("DBNAME", "PGDATABASE", "pipehealth"),
    }


def connect_postgres() -> psycopg.Connection:
    return psycopg.connect(**postgres_connection_settings())


def mirror_raw(
    source: duckdb.DuckDBPyConnection, target: psycopg.Connection, work_dir: Path
) -> MirrorReport:
    """Bring the server's `raw` schema level with DuckDB's, in one server transaction."""
    rows_copied: dict[str, int] = {}
    drops_copied: dict[str, list[date]] = {}
    with target.transaction():
        target.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        for table in _raw_tables(source):
            columns = _columns(source, table)
            _ensure_table(target, table, columns)
            names = [name for name, _ in columns]
            if DROP_COLUMN in names and LOADED_AT_COLUMN in names:
                changed = _changed_drops(source, target, table)
                drops_copied[table] = changed
                if not changed:
                    rows_copied[table] = 0
                    continue
                _delete_drops(target, table, changed)
                where = _drops_filter(source, changed)
            else:
                target.execute(sql.SQL("truncate {}").format(_qualified(table)))
                where = ""
            rows_copied[table] = _copy_rows(source, target, table, names, where, work_dir)
    return MirrorReport(rows_copied=rows_copied, drops_copied=drops_copied)


def _raw_tables(source: duckdb.DuckDBPyConnection) -> list[str]:
    rows = source.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [RAW_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(source: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = source.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [RAW_SCHEMA, table],
    ).fetchall()
    return [(name, _POSTGRES_TYPES[data_type]) for name, data_type in rows]


def _qualified(table: str) -> sql.Composed:
    return sql.Identifier(RAW_SCHEMA, table)


def _ensure_table(target: psycopg.Connection, table: str, columns: list[tuple[str, str]]) -> None:
    """Create the table, or add the columns a later drop brought (raw keeps extra columns)."""
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(sql_type))
        for name, sql_type in columns
    )
    target.execute(
        sql.SQL("create table if not exists {} ({})").format(_qualified(table), definitions)
    )
    for name, sql_type in columns:
        target.execute(
            sql.SQL("alter table {} add column if not exists {} {}").format(
                _qualified(table), sql.Identifier(name), sql.SQL(sql_type)
            )
        )


def _changed_drops(
    source: duckdb.DuckDBPyConnection, target: psycopg.Connection, table: str
) -> list[date]:
    """Drops whose (load time, row count) differ between DuckDB and the server."""
    in_duckdb: DropSummary = {
        day: (loaded_at, rows)
        for day, loaded_at, rows in source.execute(
            f"select {DROP_COLUMN}, max({LOADED_AT_COLUMN}), count(*) "
            f"from {RAW_SCHEMA}.{quote_identifier(table)} group by {DROP_COLUMN}"
        ).fetchall()
    }
    on_server: DropSummary = {
        day: (loaded_at, rows)
        for day, loaded_at, rows in target.execute(
            sql.SQL("select {drop}, max({loaded}), count(*) from {table} group by {drop}").format(
                drop=sql.Identifier(DROP_COLUMN),
                loaded=sql.Identifier(LOADED_AT_COLUMN),
                table=_qualified(table),
            )
        ).fetchall()
    }
    every_drop = in_duckdb.keys() | on_server.keys()
    return sorted(day for day in every_drop if in_duckdb.get(day) != on_server.get(day))


def _delete_drops(target: psycopg.Connection, table: str, days: list[date]) -> None:
    target.execute(
        sql.SQL("delete from {} where {} = any(%s)").format(
            _qualified(table), sql.Identifier(DROP_COLUMN)
        ),
        [days],
    )


def _drops_filter(source: duckdb.DuckDBPyConnection, days: list[date]) -> str:
    """A `where` clause selecting `days`, through a temp table (COPY takes no parameters)."""
    source.execute("create or replace temp table mirror_drops (drop_date date)")
    source.executemany("insert into mirror_drops values (?)", [(day,) for day in days])
    return f"where {DROP_COLUMN} in (select drop_date from mirror_drops)"


def _copy_rows(
    source: duckdb.DuckDBPyConnection,
    target: psycopg.Connection,
    table: str,
    names: list[str],
    where: str,
    work_dir: Path,
) -> int:
    work_dir.mkdir(parents=True, exist_ok=True)
    column_list = ", ".join(quote_identifier(name) for name in names)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="mirror-") as folder:
        csv_path = Path(folder) / f"{table}.csv"
        # DuckDB writes null as an empty field and '' as "", which is what Postgres'
        # CSV format reads back as null and '' respectively.
        (rows_written,) = source.execute(
            f"copy (select {column_list} from {RAW_SCHEMA}.{quote_identifier(table)} {where}) "
            f"to {string_literal(str(csv_path))} (format csv, header false)"
        ).fetchall()[0]
        statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
            _qualified(table), sql.SQL(", ").join(sql.Identifier(name) for name in names)
        )
        with (
            target.cursor() as cursor,
            cursor.copy(statement) as copy,
            csv_path.open("rb") as rows,
        ):
            while chunk := rows.read(_COPY_CHUNK_BYTES):
                copy.write(chunk)
    return int(rows_written)
