"""Bring a mart of a copy of the served BI file up to the build's, rewriting only what changed.

Copying the largest marts whole every night makes publishing grow with history (the daily
snapshot is most of the BI file). Their incremental runs rewrite whole values of one
column (a snapshot day, a KPI period start) and stamp the rows they write with
`built_at`; the served copy needs only those values replaced. The result is then checked
against the build (row count and content checksum); on any difference the caller copies
the mart whole, so a rewrite the rule does not cover costs time, never correctness.
"""

from __future__ import annotations

import duckdb

from dagster_project.publish.checksums import MARTS_SCHEMA, MartVersion, mart_columns, mart_version
from dagster_project.sql_text import quote_identifier

BUILT_AT_COLUMN = "built_at"


def patch_mart(
    connection: duckdb.DuckDBPyConnection, mart: str, unit: str, build_catalog: str
) -> MartVersion | None:
    """Replace, in the connection's copy of `mart`, every `unit` value that the build's rows
    written after the copy's last `built_at` hold. Returns the patched mart's version when it
    equals the build's, None when the mart must be copied whole (and is then left as is or
    half-patched: the caller replaces it)."""
    columns = mart_columns(connection, mart)
    column_names = {name for name, _ in columns}
    if (
        columns != mart_columns(connection, mart, build_catalog)
        or BUILT_AT_COLUMN not in column_names
        or unit not in column_names
    ):
        return None
    served = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
    build = f"{quote_identifier(build_catalog)}.{served}"
    built_at = quote_identifier(BUILT_AT_COLUMN)
    unit_column = quote_identifier(unit)
    (served_through,) = connection.execute(f"select max({built_at}) from {served}").fetchone()
    if served_through is None:
        return None
    connection.execute(
        f"create or replace temporary table rewritten_units as "
        f"select distinct {unit_column} as unit from {build} where {built_at} > ?",
        [served_through],
    )
    connection.execute(
        f"delete from {served} where {unit_column} in (select unit from rewritten_units)"
    )
    connection.execute(
        f"insert into {served} select * from {build} "
        f"where {unit_column} in (select unit from rewritten_units)"
    )
    connection.execute("drop table rewritten_units")
    patched = mart_version(connection, mart)
    return patched if patched == mart_version(connection, mart, build_catalog) else None
