"""The raw tables: one per entity of every source, every column text, plus load metadata.

Columns only ever get added: a column a later contract reads, or an unknown extra
column a drop delivers (kept in raw, contract v1), is added null for the rows before.
"""

from __future__ import annotations

import duckdb

from dagster_project.ingest import drop_log
from dagster_project.ingest.contract import METADATA_COLUMNS, RAW_SCHEMA
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.sql_text import quote_identifier


def ensure_raw_schema(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    drop_log.ensure_drop_log(connection)
    metadata = [f"{name} {sql_type}" for name, sql_type in METADATA_COLUMNS.items()]
    for contract in RAW_TABLES.values():
        columns = [f"{quote_identifier(name)} varchar" for name in contract.columns]
        connection.execute(
            f"create table if not exists {RAW_SCHEMA}.{contract.name} "
            f"({', '.join(columns + metadata)})"
        )
    _add_new_contract_columns(connection)


def _add_new_contract_columns(connection: duckdb.DuckDBPyConnection) -> None:
    """A column a later version of a contract reads (e.g. Salesforce's CurrencyIsoCode)
    is added, null, to a warehouse whose raw table predates it, so staging can read it."""
    existing = set(
        connection.execute(
            "select table_name, column_name from information_schema.columns where table_schema = ?",
            [RAW_SCHEMA],
        ).fetchall()
    )
    for contract in RAW_TABLES.values():
        for name in contract.columns:
            if (contract.name, name) not in existing:
                connection.execute(
                    f"alter table {RAW_SCHEMA}.{contract.name} "
                    f"add column {quote_identifier(name)} varchar"
                )


def add_missing_columns(
    connection: duckdb.DuckDBPyConnection, entity: str, data_columns: list[str]
) -> None:
    """Unknown extra columns are kept in raw (contract v1), as text."""
    existing = {
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, entity],
        ).fetchall()
    }
    for name in data_columns:
        if name not in existing:
            connection.execute(
                f"alter table {RAW_SCHEMA}.{entity} add column {quote_identifier(name)} varchar"
            )
