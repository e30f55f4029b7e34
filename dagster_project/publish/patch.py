"""Bring a mart of a copy of the served BI file up to the build's, rewriting only what changed.

Copying the largest marts whole every night makes publishing grow with history (the daily
snapshot is most of the BI file). Their nightly runs rewrite whole values of one column (a
snapshot day, a KPI period start); the served copy needs only the values whose rows
differ replaced, found by comparing a hash of each value's rows on both sides. The result
is then checked against the build (row count and content checksum); on any difference the
caller copies the mart whole, so a rewrite the comparison misses costs time, never
correctness.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dagster_project.publish.checksums import MARTS_SCHEMA, MartVersion, mart_columns, mart_version
from dagster_project.sql_text import quote_identifier


@dataclass(frozen=True)
class PatchedMart:
    """A patched mart's version (equal to the build's) and the unit values it rewrote."""

    version: MartVersion
    rewritten_units: frozenset[object]


def patch_mart(
    connection: duckdb.DuckDBPyConnection, mart: str, unit: str, build_catalog: str
) -> PatchedMart | None:
    """Replace, in the connection's copy of `mart`, every `unit` value whose rows differ
    from the build's (or that only one side holds). Returns the patched mart when it
    equals the build's, None when the mart must be copied whole (and is then left as is
    or half-patched: the caller replaces it)."""
    columns = mart_columns(connection, mart)
    if columns != mart_columns(connection, mart, build_catalog) or unit not in {
        name for name, _ in columns
    }:
        return None
    served = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
    build = f"{quote_identifier(build_catalog)}.{served}"
    unit_column = quote_identifier(unit)
    content = ", ".join(quote_identifier(name) for name, _ in columns)
    rows_by_unit = (
        f"select {unit_column} as unit, count(*) as row_count, sum(hash({content})) as rows_hash "
        "from {relation} group by all"
    )
    connection.execute(
        "create or replace temporary table rewritten_units as "
        "select coalesce(built.unit, served.unit) as unit "
        f"from ({rows_by_unit.format(relation=build)}) as built "
        f"full outer join ({rows_by_unit.format(relation=served)}) as served "
        "on built.unit = served.unit "
        "where built.rows_hash is distinct from served.rows_hash "
        "or built.row_count is distinct from served.row_count"
    )
    connection.execute(
        f"delete from {served} where {unit_column} in (select unit from rewritten_units)"
    )
    connection.execute(
        f"insert into {served} select * from {build} "
        f"where {unit_column} in (select unit from rewritten_units)"
    )
    rewritten = frozenset(
        unit for (unit,) in connection.execute("select unit from rewritten_units").fetchall()
    )
    connection.execute("drop table rewritten_units")
    patched = mart_version(connection, mart)
    if patched != mart_version(connection, mart, build_catalog):
        return None
    return PatchedMart(version=patched, rewritten_units=rewritten)
