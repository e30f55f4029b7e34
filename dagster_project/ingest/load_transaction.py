"""Load a plan's drops into raw in one transaction: it commits whole or not at all.

Entity by entity, each entity's files are read in a few scans per file format
(consecutive whole drops up to LOAD_CHUNK_BYTES of files a scan), so a catch-up of two
years of daily drops is one load that never holds all of its rows in memory at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from dagster_project.crash_points import pause_point
from dagster_project.ingest import drop_log
from dagster_project.ingest.contract import COLLAPSE_THRESHOLD
from dagster_project.ingest.drops import Drop, DropFile, DropRejectedError
from dagster_project.ingest.load_plan import LoadPlan
from dagster_project.ingest.readers import BATCH_TABLE, read_batch
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.ingest.versioning import append_new_versions
from dagster_project.quality import audit

# The files one scan reads at most (a single bigger drop is read alone): large enough
# that a nightly load is one scan, small enough that the first load of an L history
# (7 GB of CSV) stays within a few GB of DuckDB memory.
LOAD_CHUNK_BYTES = 256 * 1024 * 1024


@dataclass
class LoadCounts:
    """Per raw table: the files and rows read, and the versions stored."""

    files_read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))
    rows_read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))
    versions_added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))


def load_in_one_transaction(
    connection: duckdb.DuckDBPyConnection, plan: LoadPlan, loaded_at: datetime
) -> LoadCounts:
    """Forget the drops the plan replaces, then load its drops; any error rolls it all back
    (a DropRejectedError names the drop that could not load)."""
    counts = LoadCounts()
    drops = [drop for drop, _ in plan.drops]
    connection.begin()
    try:
        if plan.replaced:
            drop_log.forget_drops(connection, plan.replaced)
            # Replaced drops' rows are new to the gate, even those of drops it had passed.
            audit.forget_gate_passes(connection, plan.replaced)
        for drop, mode in plan.drops:
            drop_log.record_drop(connection, drop, mode, loaded_at)
        for entity in RAW_TABLES:
            _load_entity(connection, entity, drops, loaded_at, counts)
        pause_point("load")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return counts


def _load_entity(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    drops: list[Drop],
    loaded_at: datetime,
    counts: LoadCounts,
) -> None:
    files_by_format: dict[str, list[tuple[Drop, DropFile]]] = defaultdict(list)
    for drop in drops:
        for drop_file in drop.files:
            if drop_file.entity == entity:
                files_by_format[drop_file.file_format].append((drop, drop_file))
    for files in files_by_format.values():
        for batch in _chunks_of_whole_drops(files, LOAD_CHUNK_BYTES):
            _load_batch(
                connection, entity, [drop_file for _, drop_file in batch], loaded_at, counts
            )
    _check_row_counts(connection, entity, [drop.extract_date for drop in drops])


def _chunks_of_whole_drops(
    files: list[tuple[Drop, DropFile]], max_bytes: int
) -> Iterator[list[tuple[Drop, DropFile]]]:
    """Consecutive runs of `files` (in drop order) of at most `max_bytes` on disk, never
    splitting a drop: versions are compared in drop order, and a key repeated within one
    drop is found within its scan."""
    chunk: list[tuple[Drop, DropFile]] = []
    chunk_bytes = 0
    for drop, drop_file in files:
        size = drop_file.path.stat().st_size
        if chunk and chunk[-1][0] is not drop and chunk_bytes + size > max_bytes:
            yield chunk
            chunk, chunk_bytes = [], 0
        chunk.append((drop, drop_file))
        chunk_bytes += size
    if chunk:
        yield chunk


def _load_batch(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    files: list[DropFile],
    loaded_at: datetime,
    counts: LoadCounts,
) -> None:
    read_batch(connection, files)
    drop_log.record_files(connection, files, _rows_per_file(connection))
    rows_read, versions_added = append_new_versions(connection, entity, files, loaded_at)
    counts.files_read[entity] += len(files)
    counts.rows_read[entity] += rows_read
    counts.versions_added[entity] += versions_added


def _rows_per_file(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = connection.execute(
        f"select filename, count(*) from {BATCH_TABLE} group by filename"
    ).fetchall()
    return {filename: count for filename, count in rows}


def _check_row_counts(
    connection: duckdb.DuckDBPyConnection, entity: str, dates: list[date]
) -> None:
    """Reject a full export whose file of `entity` is empty or collapsed versus the last."""
    if RAW_TABLES[entity].required_in_full_export:
        empty = drop_log.first_empty_file(connection, entity, dates)
        if empty is not None:
            raise DropRejectedError(
                f"{empty[1]}: holds a header but no rows; a full export must contain "
                f"its {entity}: re-export the file",
                extract_date=empty[0],
            )
    collapse = drop_log.first_collapse(connection, entity, dates, COLLAPSE_THRESHOLD)
    if collapse is not None:
        day, rows, previous_day, previous_rows = collapse
        raise DropRejectedError(
            f"{day}: the full export has {rows} {entity} rows, fewer than "
            f"{COLLAPSE_THRESHOLD:.0%} of the {previous_rows} in the previous full export "
            f"({previous_day}); the extract looks cut short: re-export it",
            extract_date=day,
        )
