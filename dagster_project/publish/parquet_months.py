"""A mart's Parquet as one folder per month, rewriting only the months a publish changed.

The daily snapshot is most of the Parquet and its nightly run rewrites a few of its days,
so its Parquet is `<mart>/<name>_month=YYYY-MM/*.parquet` (one table to a reader with hive
partitioning): a publish writes the months whose rows it rewrote and gives the others
another name (a hard link) of the served publish's files, which it never changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.publish.checksums import MARTS_SCHEMA
from dagster_project.sql_text import quote_identifier

MONTH_FORMAT = "%Y-%m"


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
    level = partition_name(day_column)
    month = f"strftime({day}, '{MONTH_FORMAT}')"
    months = {
        value
        for (value,) in connection.execute(f"select distinct {month} from {relation}").fetchall()
    }
    if None in months:
        [(undated,)] = connection.execute(
            f"select count(*) from {relation} where {day} is null"
        ).fetchall()
        raise ValueError(f"{mart}: {undated} rows without {day_column}, which has no month")
    reused = _reusable_months(months, level, served_folder, rewritten_days)
    written = sorted(months - reused)
    if written:
        # One partitioned write of the months to write; its bound on the day column lets
        # DuckDB skip the older row groups (a nightly rewrites the latest months).
        connection.execute(
            f"copy (select *, {month} as {level} from {relation} "
            f"where {day} >= ? and list_contains(?, {month})) "
            f"to ? (format parquet, compression zstd, partition_by ({level}))",
            [date.fromisoformat(f"{written[0]}-01"), written, str(folder)],
        )
    folder.mkdir(parents=True, exist_ok=True)
    if served_folder is None:
        return
    for reused_month in sorted(reused):
        target = folder / f"{level}={reused_month}"
        target.mkdir(parents=True)
        for served_file in sorted((served_folder / target.name).iterdir()):
            os.link(served_file, target / served_file.name)


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
