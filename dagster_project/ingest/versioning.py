"""Append a batch's new versions to `raw.<entity>`, by the version rule in new_versions.sql.

The batch is the temp table `landing_batch` (readers.read_batch: the files' columns as
text, `filename`, `_source_row`) of the files given, which must all belong to `entity`
and come in drop order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import METADATA_COLUMNS, RAW_SCHEMA
from dagster_project.ingest.drops import DropFile, DropRejectedError
from dagster_project.ingest.raw_tables import add_missing_columns
from dagster_project.ingest.readers import BATCH_TABLE
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.sql_text import quote_identifier, string_literal

NEW_VERSIONS_SQL = Path(__file__).with_name("new_versions.sql").read_text(encoding="utf-8")


def append_new_versions(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    files: Sequence[DropFile],
    loaded_at: datetime,
) -> tuple[int, int]:
    """Store the batch's new versions; returns (rows read, versions stored)."""
    _register_batch_files(connection, files)
    data_columns = _batch_data_columns(connection, entity)
    add_missing_columns(connection, entity, data_columns)
    quoted = [quote_identifier(name) for name in data_columns]
    key = RAW_TABLES[entity].key
    statement = NEW_VERSIONS_SQL.format(
        raw_table=f"{RAW_SCHEMA}.{entity}",
        batch_table=BATCH_TABLE,
        # Key columns an export leaves out are null, and a null key value pairs with a null.
        absent_key_columns="".join(
            f"cast(null as varchar) as {quote_identifier(name)}, "
            for name in key
            if name not in data_columns
        ),
        batch_columns=", ".join(f"batch.{column}" for column in quoted),
        hash_parts=", ".join(
            f"{string_literal(name + '=')} || {quote_identifier(name)}"
            for name in sorted(data_columns)
        ),
        key=", ".join(quote_identifier(name) for name in key),
        batch_key=", ".join(f"batch.{quote_identifier(name)}" for name in key),
        key_matches=" and ".join(
            f"stored.{quote_identifier(name)} is not distinct from batch.{quote_identifier(name)}"
            for name in key
        ),
        kept_columns=", ".join(f"batch_rows.{column}" for column in quoted),
    )
    rows_read = connection.execute(f"select count(*) from {BATCH_TABLE}").fetchone()[0]
    stored = connection.execute(statement, [loaded_at]).fetchone()[0]
    return rows_read, stored


def _register_batch_files(connection: duckdb.DuckDBPyConnection, files: Sequence[DropFile]) -> None:
    """The drop and landing path of each batch file, as the rule stores them."""
    connection.execute(
        "create or replace temp table landing_batch_files "
        "(filename varchar, extract_date date, source_file varchar)"
    )
    connection.executemany(
        "insert into landing_batch_files values (?, ?, ?)",
        [
            (str(drop_file.path), drop_file.extract_date, drop_file.source_file)
            for drop_file in files
        ],
    )


def _batch_data_columns(connection: duckdb.DuckDBPyConnection, entity: str) -> list[str]:
    described = connection.execute(f"select * from {BATCH_TABLE} limit 0").description
    columns = [column[0] for column in described if column[0] not in ("filename", "_source_row")]
    reserved = [name for name in columns if name in METADATA_COLUMNS]
    if reserved:
        raise DropRejectedError(
            f"{entity} files use column names reserved for load metadata: {', '.join(reserved)}"
        )
    return columns
