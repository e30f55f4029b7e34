"""Publishing on the `postgres` target: the marts stay where dbt built them.

On PostgreSQL, BI connects to the server and reads the `marts` schema; there is no
file to copy, so the DuckDB BI file and Parquet are not written. dbt replaces each
mart table in one transaction (build, then rename), so a reader sees a whole old or
a whole new mart. What publish adds is access: the BI role named by
PIPEHEALTH_PG_BI_ROLE gets `usage` on `marts` and `select` on its tables, nothing on
raw, staging or intermediate (docs/scaling.md "PostgreSQL").
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql

from dagster_project.publish.publisher import MARTS_SCHEMA

BI_ROLE_VARIABLE = "PIPEHEALTH_PG_BI_ROLE"


def bi_role() -> str | None:
    return os.environ.get(BI_ROLE_VARIABLE) or None


def grant_marts_to(connection: psycopg.Connection, role: str) -> None:
    """`select` on every mart now, and on marts dbt creates later by the same owner."""
    schema, grantee = sql.Identifier(MARTS_SCHEMA), sql.Identifier(role)
    connection.execute(sql.SQL("grant usage on schema {} to {}").format(schema, grantee))
    connection.execute(
        sql.SQL("grant select on all tables in schema {} to {}").format(schema, grantee)
    )
    connection.execute(
        sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(
            schema, grantee
        )
    )


def mart_row_counts(connection: psycopg.Connection) -> dict[str, int]:
    """Rows per table of the server's `marts` schema, by name."""
    names = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = %s order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    counts = {}
    for (name,) in names:
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(MARTS_SCHEMA, name))
        counts[name] = connection.execute(query).fetchall()[0][0]
    return counts
