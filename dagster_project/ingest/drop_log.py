"""The loader's log in raw: `raw._drops` (one row per drop) and `raw._drop_files`.

`raw._drop_files` holds one row per loaded file: the rows read from it (not the
versions stored), for the collapse check, and its size and modification time, so a
re-delivered drop is noticed without hashing every loaded file on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import RAW_SCHEMA
from dagster_project.ingest.drops import Drop, DropFile, DropMode
from dagster_project.ingest.sources import RAW_TABLES

DROPS_TABLE = f"{RAW_SCHEMA}._drops"
DROP_FILES_TABLE = f"{RAW_SCHEMA}._drop_files"

FileSignature = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class LoadedDrop:
    extract_date: date
    fingerprint: str
    signature: FileSignature


def ensure_drop_log(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"create table if not exists {DROPS_TABLE} ("
        "drop_date date primary key, drop_path varchar, mode varchar, source varchar, "
        "fingerprint varchar, loaded_at timestamp)"
    )
    connection.execute(
        f"create table if not exists {DROP_FILES_TABLE} ("
        "drop_date date not null, entity varchar not null, source_file varchar not null, "
        "rows_read bigint not null, size_bytes bigint not null, modified_ns bigint not null, "
        "primary key (drop_date, source_file))"
    )


def loaded_drops(connection: duckdb.DuckDBPyConnection) -> dict[date, LoadedDrop]:
    rows = connection.execute(
        f"""
        select drops.drop_date, drops.fingerprint,
            list((files.source_file, files.size_bytes, files.modified_ns))
                filter (where files.source_file is not null)
        from {DROPS_TABLE} as drops
        left join {DROP_FILES_TABLE} as files using (drop_date)
        group by all
        """
    ).fetchall()
    return {
        day: LoadedDrop(
            extract_date=day,
            fingerprint=fingerprint,
            signature=frozenset((name, size, modified) for name, size, modified in files),
        )
        for day, fingerprint, files in rows
    }


def folder_signature(folder: Path) -> FileSignature:
    """Name, size and modification time of every data file of a drop folder."""
    signature: set[tuple[str, int, int]] = set()
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith(("_", ".")):
            stat = path.stat()
            signature.add((f"{folder.name}/{path.name}", stat.st_size, stat.st_mtime_ns))
    return frozenset(signature)


def record_drop(
    connection: duckdb.DuckDBPyConnection, drop: Drop, mode: DropMode, loaded_at: datetime
) -> None:
    connection.execute(
        f"insert into {DROPS_TABLE} values (?, ?, ?, ?, ?, ?)",
        [drop.extract_date, str(drop.path), mode, drop.source, drop.fingerprint(), loaded_at],
    )


def record_files(
    connection: duckdb.DuckDBPyConnection, files: Sequence[DropFile], rows_read: dict[str, int]
) -> None:
    """Log `files` with the rows read from each, keyed by the file's path."""
    entries = []
    for drop_file in files:
        stat = drop_file.path.stat()
        entries.append(
            (
                drop_file.extract_date,
                drop_file.entity,
                drop_file.source_file,
                rows_read.get(str(drop_file.path), 0),
                stat.st_size,
                stat.st_mtime_ns,
            )
        )
    connection.executemany(f"insert into {DROP_FILES_TABLE} values (?, ?, ?, ?, ?, ?)", entries)


def forget_drops(connection: duckdb.DuckDBPyConnection, dates: Sequence[date]) -> None:
    """Delete everything loaded from the drops of `dates`, so they can load again."""
    for entity in RAW_TABLES:
        connection.execute(
            f"delete from {RAW_SCHEMA}.{entity} where list_contains(?, _extract_date)", [dates]
        )
    for table in (DROPS_TABLE, DROP_FILES_TABLE):
        connection.execute(f"delete from {table} where list_contains(?, drop_date)", [dates])


def first_collapse(
    connection: duckdb.DuckDBPyConnection, entity: str, dates: Sequence[date], threshold: float
) -> tuple[date, int, date, int] | None:
    """The first full export among `dates` whose `entity` rows fell below `threshold` times
    those of the full export before it: (date, rows, previous date, previous rows)."""
    found = connection.execute(
        f"""
        with full_exports as (
            select files.drop_date, sum(files.rows_read) as rows_read
            from {DROP_FILES_TABLE} as files
            inner join {DROPS_TABLE} as drops using (drop_date)
            where drops.mode = 'full' and files.entity = ?
            group by files.drop_date
        ),
        compared as (
            select drop_date, rows_read,
                lag(drop_date) over (order by drop_date) as previous_date,
                lag(rows_read) over (order by drop_date) as previous_rows
            from full_exports
        )
        select drop_date, rows_read, previous_date, previous_rows
        from compared
        where list_contains(?, drop_date) and rows_read < previous_rows * ?
        order by drop_date
        limit 1
        """,
        [entity, dates, threshold],
    ).fetchone()
    return None if found is None else (found[0], int(found[1]), found[2], int(found[3]))


def first_empty_file(
    connection: duckdb.DuckDBPyConnection, entity: str, dates: Sequence[date]
) -> tuple[date, str] | None:
    """The first file of `entity` in a full export among `dates` that held no rows."""
    found = connection.execute(
        f"""
        select files.drop_date, files.source_file
        from {DROP_FILES_TABLE} as files
        inner join {DROPS_TABLE} as drops using (drop_date)
        where drops.mode = 'full' and files.entity = ? and files.rows_read = 0
            and list_contains(?, files.drop_date)
        order by files.drop_date
        limit 1
        """,
        [entity, dates],
    ).fetchone()
    return None if found is None else (found[0], found[1])
