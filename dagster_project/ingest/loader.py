"""Append pending landing drops to the `raw` schema: one row per distinct version.

All pending drops load in one transaction, entity by entity, each entity's files read
in a few scans per file format (consecutive drops up to LOAD_CHUNK_BYTES of files a
scan), so a catch-up of two years of daily drops is one load that never holds all of
its rows in memory at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.crash_points import pause_point
from dagster_project.ingest import drop_log
from dagster_project.ingest.contract import COLLAPSE_THRESHOLD, METADATA_COLUMNS, RAW_SCHEMA
from dagster_project.ingest.drops import (
    Drop,
    DropFile,
    DropMode,
    DropRejectedError,
    complete_drop_folders,
    read_drop,
)
from dagster_project.ingest.filecheck import checked_columns
from dagster_project.ingest.readers import BATCH_TABLE, read_batch
from dagster_project.ingest.sources import RAW_TABLES, SOURCES
from dagster_project.quality import audit
from dagster_project.sql_text import quote_identifier, string_literal

__all__ = ["RAW_SCHEMA", "LoadReport", "ensure_raw_schema", "load_pending_drops"]

DROPS_TABLE = drop_log.DROPS_TABLE
# The files one scan reads at most (a single bigger drop is read alone): large enough
# that a nightly load is one scan, small enough that the first load of an L history
# (7 GB of CSV) stays within a few GB of DuckDB memory.
LOAD_CHUNK_BYTES = 256 * 1024 * 1024
_FIELD_SEPARATOR = "chr(31)"


@dataclass
class LoadReport:
    """What one load did; `rejected` is the first drop that could not be loaded, if any.

    `warnings` name drops whose files changed after they were accepted: those changes
    are ignored.
    """

    drops_loaded: list[str] = field(default_factory=list)
    drops_replaced: list[str] = field(default_factory=list)
    files_read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))
    rows_read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))
    versions_added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAW_TABLES, 0))
    rejected: DropRejectedError | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _LoadPlan:
    """The drops to load, oldest first, and the loaded drops they replace."""

    drops: list[tuple[Drop, DropMode]]
    replaced: list[date]

    def before(self, extract_date: date) -> _LoadPlan:
        return _LoadPlan(
            drops=[(drop, mode) for drop, mode in self.drops if drop.extract_date < extract_date],
            replaced=[day for day in self.replaced if day < extract_date],
        )


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


def load_pending_drops(
    connection: duckdb.DuckDBPyConnection, landing: Path, loaded_at: datetime
) -> LoadReport:
    """Load every complete drop not loaded yet, oldest first, in one transaction.

    A loaded drop still waiting at the quality gate whose files were re-delivered is
    replaced, with every drop loaded after it (their versions are compared with it).
    Drops before the first one that cannot be loaded are loaded; that one and later
    ones wait (a later drop's rows must not become current before an earlier drop's),
    and raw keeps nothing of them.
    """
    ensure_raw_schema(connection)
    report = LoadReport()
    plan = _plan_load(connection, landing, report)
    while plan.drops:
        attempt = LoadReport(rejected=report.rejected, warnings=report.warnings)
        try:
            _load_in_one_transaction(connection, plan, loaded_at, attempt)
        except DropRejectedError as error:
            if error.extract_date is None:
                raise
            report.rejected = error
            plan = plan.before(error.extract_date)
        else:
            return attempt
    return report


def _plan_load(
    connection: duckdb.DuckDBPyConnection, landing: Path, report: LoadReport
) -> _LoadPlan:
    folders = complete_drop_folders(landing)
    loaded = drop_log.loaded_drops(connection)
    corrected = _corrected_drops(connection, folders, loaded, report)
    replaced = sorted(day for day in loaded if corrected and day >= min(corrected))
    missing = sorted(set(replaced) - {day for day, _ in folders})
    if missing:
        report.warnings.append(
            f"{', '.join(str(day) for day in corrected)}: re-delivered, but not reloaded: "
            f"the later drop {missing[0]} it would reload with is no longer complete in "
            f"{landing}; restore it and run again"
        )
        replaced = []
    kept = set(loaded) - set(replaced)
    drops: list[tuple[Drop, DropMode]] = []
    for extract_date, folder in folders:
        if extract_date in kept:
            continue
        # Without a manifest, a warehouse's first drop is a full export, later ones incremental.
        default_mode: DropMode = "full" if not kept and not drops else "incremental"
        try:
            drop = _checked_drop(read_drop(folder, extract_date))
            mode = drop.declared_mode or default_mode
            if mode == "full":
                _require_full_export_entities(drop)
        except DropRejectedError as error:
            error.extract_date = extract_date
            report.rejected = error
            break
        drops.append((drop, mode))
    plan = _LoadPlan(drops=drops, replaced=replaced)
    stopped_at = report.rejected.extract_date if report.rejected is not None else None
    return plan if stopped_at is None else plan.before(stopped_at)


def _corrected_drops(
    connection: duckdb.DuckDBPyConnection,
    folders: list[tuple[date, Path]],
    loaded: dict[date, drop_log.LoadedDrop],
    report: LoadReport,
) -> list[date]:
    """Loaded drops whose files changed: those waiting at the gate are reloaded, the
    others (accepted, or loaded where no gate has run) keep what was loaded."""
    waiting = audit.drops_waiting_at_gate(connection)
    corrected = []
    for extract_date, folder in folders:
        stored = loaded.get(extract_date)
        if stored is None or drop_log.folder_signature(folder) == stored.signature:
            continue
        if _content_fingerprint(folder, extract_date) == stored.fingerprint:
            continue
        if waiting is not None and extract_date in waiting:
            corrected.append(extract_date)
        else:
            report.warnings.append(
                f"{folder.name}: its files changed after the drop was loaded and accepted by "
                "the quality gate; the change is ignored and raw keeps the rows loaded "
                "before. Deliver corrections as a new drop."
            )
    return corrected


def _content_fingerprint(folder: Path, extract_date: date) -> str | None:
    try:
        return read_drop(folder, extract_date).fingerprint()
    except DropRejectedError:
        return None  # changed into something unreadable: planning reports it


def _checked_drop(drop: Drop) -> Drop:
    """The drop with each file's columns, once each file passed its structural check."""
    files = tuple(
        replace(drop_file, columns=checked_columns(drop_file)) for drop_file in drop.files
    )
    return replace(drop, files=files)


def _load_in_one_transaction(
    connection: duckdb.DuckDBPyConnection,
    plan: _LoadPlan,
    loaded_at: datetime,
    report: LoadReport,
) -> None:
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
            _load_entity(connection, entity, drops, loaded_at, report)
        pause_point("load")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    report.drops_loaded = [drop.name for drop in drops]
    report.drops_replaced = [str(day) for day in plan.replaced]


def _require_full_export_entities(drop: Drop) -> None:
    present = {drop_file.entity for drop_file in drop.files}
    missing = [
        contract.file_stem
        for name, contract in SOURCES[drop.source].items()
        if contract.required_in_full_export and name not in present
    ]
    if missing:
        found = sorted(RAW_TABLES[entity].file_stem for entity in present)
        raise DropRejectedError(
            f"{drop.name}: a full export must contain {', '.join(missing)} "
            f"(found: {', '.join(found) or 'no data files'})"
        )


def _load_entity(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    drops: list[Drop],
    loaded_at: datetime,
    report: LoadReport,
) -> None:
    files_by_format: dict[str, list[tuple[Drop, DropFile]]] = defaultdict(list)
    for drop in drops:
        for drop_file in drop.files:
            if drop_file.entity == entity:
                files_by_format[drop_file.file_format].append((drop, drop_file))
    for files in files_by_format.values():
        for batch in _chunks_of_whole_drops(files, LOAD_CHUNK_BYTES):
            _load_batch(connection, entity, batch, loaded_at, report)
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
    batch: list[tuple[Drop, DropFile]],
    loaded_at: datetime,
    report: LoadReport,
) -> None:
    batch_files = [drop_file for _, drop_file in batch]
    read_batch(connection, batch_files)
    drop_log.record_files(connection, batch_files, _rows_per_file(connection))
    _register_batch_files(connection, batch)
    rows_read, versions_added = _append_new_versions(connection, entity, loaded_at)
    report.files_read[entity] += len(batch_files)
    report.rows_read[entity] += rows_read
    report.versions_added[entity] += versions_added


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


def _register_batch_files(
    connection: duckdb.DuckDBPyConnection, batch: list[tuple[Drop, DropFile]]
) -> None:
    connection.execute(
        "create or replace temp table landing_batch_files "
        "(filename varchar, extract_date date, source_file varchar)"
    )
    connection.executemany(
        "insert into landing_batch_files values (?, ?, ?)",
        [
            (str(drop_file.path), drop.extract_date, drop_file.source_file)
            for drop, drop_file in batch
        ],
    )


def _append_new_versions(
    connection: duckdb.DuckDBPyConnection, entity: str, loaded_at: datetime
) -> tuple[int, int]:
    """Store each batch row that differs from the version before it of the same key.

    "Before it" is the previous row of the key in drop order, or for the batch's first
    row of a key the latest version already stored. A value that changes and changes
    back (a quota 100k -> 120k -> 100k) is therefore stored three times, while a full
    export's unchanged rows are not stored again. Every row of a key that appears more
    than once in one drop is stored, changed or not, so the gate sees the duplicates.
    """
    data_columns = _batch_data_columns(connection, entity)
    _add_missing_columns(connection, entity, data_columns)
    table = f"{RAW_SCHEMA}.{entity}"
    quoted = [quote_identifier(name) for name in data_columns]
    # Key columns an export leaves out are null, so versions still pair up by key.
    absent_key_columns = "".join(
        f"cast(null as varchar) as {quote_identifier(name)}, "
        for name in RAW_TABLES[entity].key
        if name not in data_columns
    )
    key = ", ".join(quote_identifier(name) for name in RAW_TABLES[entity].key)
    batch_key = ", ".join(f"batch.{quote_identifier(name)}" for name in RAW_TABLES[entity].key)
    # Only non-null name=value pairs enter the hash (concat_ws skips nulls), so a row
    # hashes the same whether an optional column is absent from the file or empty.
    hash_parts = ", ".join(
        f"{string_literal(name + '=')} || {quote_identifier(name)}" for name in sorted(data_columns)
    )
    rows_read = connection.execute(f"select count(*) from {BATCH_TABLE}").fetchone()[0]
    inserted = connection.execute(
        f"""
        insert into {table} by name
        with batch_rows as (
            select
                {absent_key_columns}
                {", ".join(f"batch.{column}" for column in quoted)},
                files.extract_date as _extract_date,
                files.source_file as _source_file,
                batch._source_row,
                md5(concat_ws({_FIELD_SEPARATOR}, {hash_parts})) as _row_hash
            from {BATCH_TABLE} as batch
            inner join landing_batch_files as files on batch.filename = files.filename
        ),
        batch_rows_counted as (
            select
                *,
                count(*) over (partition by _extract_date, {key}) as key_rows_in_drop
            from batch_rows
        ),
        batch_keys as (
            select distinct {key} from batch_rows
        ),
        stored_versions as (
            select
                {batch_key},
                stored._row_hash,
                row_number() over (
                    partition by {batch_key}
                    order by stored._extract_date desc, stored._source_file desc,
                        stored._source_row desc
                ) as recency
            from {table} as stored
            inner join batch_keys as batch using ({key})
        ),
        version_sequence as (
            select {key}, _row_hash, 0 as is_new, null as _extract_date,
                null as _source_file, null as _source_row
            from stored_versions
            where recency = 1
            union all
            select {key}, _row_hash, 1 as is_new, _extract_date, _source_file, _source_row
            from batch_rows
        ),
        changed_rows as (
            select
                _source_file,
                _source_row,
                is_new,
                _row_hash is distinct from lag(_row_hash) over (
                    partition by {key}
                    order by is_new, _extract_date, _source_file, _source_row
                ) as is_changed
            from version_sequence
        )
        select {", ".join(f"batch_rows.{column}" for column in quoted)},
            batch_rows._extract_date, batch_rows._source_file, batch_rows._source_row,
            batch_rows._row_hash, cast(? as timestamp) as _loaded_at
        from batch_rows_counted as batch_rows
        inner join changed_rows
            on batch_rows._source_file = changed_rows._source_file
            and batch_rows._source_row = changed_rows._source_row
        where changed_rows.is_new = 1
            and (changed_rows.is_changed or batch_rows.key_rows_in_drop > 1)
        """,
        [loaded_at],
    ).fetchone()[0]
    return rows_read, inserted


def _batch_data_columns(connection: duckdb.DuckDBPyConnection, entity: str) -> list[str]:
    described = connection.execute(f"select * from {BATCH_TABLE} limit 0").description
    columns = [column[0] for column in described if column[0] not in ("filename", "_source_row")]
    reserved = [name for name in columns if name in METADATA_COLUMNS]
    if reserved:
        raise DropRejectedError(
            f"{entity} files use column names reserved for load metadata: {', '.join(reserved)}"
        )
    return columns


def _add_missing_columns(
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
