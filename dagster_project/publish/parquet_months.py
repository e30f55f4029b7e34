"""A mart's Parquet as one folder per month, rewriting only the months a publish changed.

The daily snapshot is most of the Parquet and its nightly run rewrites a few of its days,
so its Parquet is `<mart>/<name>_month=YYYY-MM/*.parquet` (one table to a reader with hive
partitioning): a publish writes the months whose rows it rewrote and gives the others
another name (a hard link) of the served publish's files, which it never changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import duckdb

from dagster_project.publish.checksums import MARTS_SCHEMA
from dagster_project.sql_text import quote_identifier

MONTH_FORMAT = "%Y-%m"
MONTH_FILE_NAME = "data.parquet"


def partition_name(day_column: str) -> str:
    """The folder level of a month: `snapshot_month` for `snapshot_date`."""
    return f"{day_column.removesuffix('_date')}_month"


def write_parquet_by_month(
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    day_column: str,
    folder: Path,
    served_folder: Path | None,
    rewritten_days: Iterable[object] | None,
) -> None:
    """Write `mart` of the connection's `marts` schema to `folder`, a month a subfolder.

    A month whose days none of `rewritten_days` falls in is linked from `served_folder`
    (the served publish's folder of the mart) when it has it; None for either rewrites
    every month.
    """
    relation = f"{MARTS_SCHEMA}.{quote_identifier(mart)}"
    day = quote_identifier(day_column)
    [(undated,)] = connection.execute(
        f"select count(*) from {relation} where {day} is null"
    ).fetchall()
    if undated:
        raise ValueError(f"{mart}: {undated} rows without {day_column}, which has no month")
    level = partition_name(day_column)
    months = {
        value
        for (value,) in connection.execute(
            f"select distinct strftime({day}, '{MONTH_FORMAT}') from {relation}"
        ).fetchall()
    }
    reused = _reusable_months(months, level, served_folder, rewritten_days)
    for month in sorted(months):
        target = folder / f"{level}={month}"
        target.mkdir(parents=True)
        if month in reused and served_folder is not None:
            for served_file in sorted((served_folder / target.name).iterdir()):
                os.link(served_file, target / served_file.name)
            continue
        # A month at a time: DuckDB's partitioned writer took twice as long at scale M.
        first_day = date.fromisoformat(f"{month}-01")
        connection.execute(
            f"copy (select * from {relation} where {day} >= ? and {day} < ?) "
            "to ? (format parquet, compression zstd)",
            [first_day, _next_month(first_day), str(target / MONTH_FILE_NAME)],
        )


def _next_month(first_day: date) -> date:
    return (first_day + timedelta(days=32)).replace(day=1)


def _reusable_months(
    months: set[str],
    level: str,
    served_folder: Path | None,
    rewritten_days: Iterable[object] | None,
) -> set[str]:
    if served_folder is None or rewritten_days is None or not served_folder.is_dir():
        return set()
    # A day (date) as ISO text starts with its month.
    rewritten = {str(day)[:7] for day in rewritten_days}
    served = {
        path.name.removeprefix(f"{level}=")
        for path in served_folder.iterdir()
        if path.is_dir() and path.name.startswith(f"{level}=")
    }
    return (months & served) - rewritten
