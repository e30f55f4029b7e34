"""The user ids owner columns are checked against come from every format's user table."""

from __future__ import annotations

import duckdb

from dagster_project.ingest.raw_tables import ensure_raw_schema
from dagster_project.ingest.sources import RAW_TABLES, SOURCES
from dagster_project.quality.parameters import USER_ID_COLUMNS, warehouse_parameters


def test_every_format_declares_one_user_table_with_a_contract_column() -> None:
    sources = [RAW_TABLES[table].source for table, _ in USER_ID_COLUMNS]

    assert sorted(sources) == sorted(SOURCES)
    assert all(column in RAW_TABLES[table].columns for table, column in USER_ID_COLUMNS)


def test_user_ids_of_every_format_are_trimmed_and_blanks_left_out() -> None:
    with duckdb.connect() as connection:
        ensure_raw_schema(connection)
        connection.execute("insert into raw.users (user_id) values ('u1'), ('')")
        connection.execute("insert into raw.hubspot__owner (owner_id) values (' 35252170 ')")
        connection.execute("insert into raw.flat__sales_teams (sales_agent) values ('Ann')")

        assert warehouse_parameters(connection) == {"user_ids": ["35252170", "Ann", "u1"]}
