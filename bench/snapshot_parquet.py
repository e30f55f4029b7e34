"""The daily snapshot's Parquet: one file against a folder a month, side by side.

    .venv/bin/python bench/snapshot_parquet.py SERVED_DUCKDB_FILE [--days 45] [--runs 3]

On the served snapshot of a benchmark warehouse, times three ways of writing its Parquet,
one after the other, `--runs` times: the whole mart as one file; a folder a month with the
last `--days` days rewritten and the other months linked (what a nightly publish does,
dagster_project/publish/parquet_months.py); and a folder a month written whole (a first
or full publish). Prints a table of the times and their ratios to the one file. Writes
in a temporary folder; not run by the tests; `make bench` calls it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import duckdb

from dagster_project.publish.parquet_months import write_parquet_by_month

SNAPSHOT = "fct_deal_daily_snapshot"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("served", type=Path)
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    connection = duckdb.connect(str(args.served), read_only=True)
    [(rows, last_day)] = connection.execute(
        f"select count(*), max(snapshot_date) from marts.{SNAPSHOT}"
    ).fetchall()
    rewritten = [last_day - timedelta(days=day) for day in range(args.days)]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        served_months = work / "served"
        write_parquet_by_month(connection, SNAPSHOT, "snapshot_date", served_months, None, None)
        ways: dict[str, Callable[[Path], object]] = {
            "one file": lambda target: connection.execute(
                f"copy marts.{SNAPSHOT} to ? (format parquet, compression zstd)", [str(target)]
            ),
            "by month, nightly": lambda target: write_parquet_by_month(
                connection, SNAPSHOT, "snapshot_date", target, served_months, rewritten
            ),
            "by month, all": lambda target: write_parquet_by_month(
                connection, SNAPSHOT, "snapshot_date", target, None, None
            ),
        }
        timings: dict[str, list[float]] = {way: [] for way in ways}
        for run in range(args.runs):
            for way, write in ways.items():
                started = time.perf_counter()
                write(work / f"{way.replace(', ', '-').replace(' ', '-')}-{run}")
                timings[way].append(time.perf_counter() - started)
        months = sum(1 for _ in served_months.iterdir())
    one_file = statistics.median(timings["one file"])
    print(f"{rows:,} rows, {months} months, the last {args.days} days rewritten\n")
    print("   way                  median s   runs (s)                ratio to one file")
    for way, seconds in timings.items():
        runs = ", ".join(f"{value:.2f}" for value in seconds)
        median = statistics.median(seconds)
        print(f"   {way:<20} {median:8.2f}   {runs:<24} {median / one_file:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
