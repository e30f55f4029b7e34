"""Append pending landing drops to the `raw` schema: one row per distinct version.

All pending drops load in one transaction, entity by entity, each entity's files read
in one scan per file format, so a catch-up of two years of daily drops is one load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import ENTITIES, METADATA_COLUMNS
from dagster_project.ingest.drops import (
    Drop,
    DropFile,
    DropMode,
    DropRejectedError,
    complete_drop_folders,
    read_drop,
)
from dagster_project.ingest.readers import BATCH_TABLE, read_batch
from dagster_project.sql_text import quote_identifier, string_literal

RAW_SCHEMA = "raw"
DROPS_TABLE = f"{RAW_SCHEMA}._drops"
_FIELD_SEPARATOR = "chr(31)"


@dataclass
class LoadReport:
    """What one load did; `rejected` is the first drop that could not be read, if any."""

    drops_loaded: list[str] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    versions_added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITIES, 0))
    rejected: DropRejectedError | None = None


def ensure_raw_schema(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    connection.execute(
        f"create table if not exists {DROPS_TABLE} ("
        "drop_date date primary key, drop_path varchar, mode varchar, source varchar, "
        "fingerprint varchar, loaded_at timestamp)"
    )
    metadata = [f"{name} {sql_type}" for name, sql_type in METADATA_COLUMNS.items()]
    for contract in ENTITIES.values():
        columns = [f"{quote_identifier(name)} varchar" for name in contract.columns]
        connection.execute(
            f"create table if not exists {RAW_SCHEMA}.{contract.name} "
            f"({', '.join(columns + metadata)})"
        )


def loaded_drop_dates(connection: duckdb.DuckDBPyConnection) -> set[date]:
    return {row[0] for row in connection.execute(f"select drop_date from {DROPS_TABLE}").fetchall()}


def load_pending_drops(
    connection: duckdb.DuckDBPyConnection, landing: Path, loaded_at: datetime
) -> LoadReport:
    """Load every complete drop not loaded yet, oldest first, in one transaction.

    Drops before the first unreadable one are loaded; that one and later ones wait
    (a later drop's rows must not become current before an earlier drop's).
    """
    ensure_raw_schema(connection)
    report = LoadReport()
    drops_with_modes = _readable_pending_drops(connection, landing, report)
    if not drops_with_modes:
        return report
    drops = [drop for drop, _ in drops_with_modes]
    connection.begin()
    try:
        for entity in ENTITIES:
            _load_entity(connection, entity, drops, loaded_at, report)
        for drop, mode in drops_with_modes:
            connection.execute(
                f"insert into {DROPS_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    drop.extract_date,
                    str(drop.path),
                    mode,
                    drop.source,
                    drop.fingerprint(),
                    loaded_at,
                ],
            )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    report.drops_loaded = [drop.name for drop in drops]
    return report


def _readable_pending_drops(
    connection: duckdb.DuckDBPyConnection, landing: Path, report: LoadReport
) -> list[tuple[Drop, DropMode]]:
    already_loaded = loaded_drop_dates(connection)
    drops: list[tuple[Drop, DropMode]] = []
    for extract_date, folder in complete_drop_folders(landing):
        if extract_date in already_loaded:
            continue
        # Without a manifest, a warehouse's first drop is a full export, later ones incremental.
        default_mode: DropMode = "full" if not already_loaded and not drops else "incremental"
        try:
            drop = read_drop(folder, extract_date)
            mode = drop.declared_mode or default_mode
            if mode == "full":
                _require_full_export_entities(drop)
        except DropRejectedError as error:
            report.rejected = error
            break
        drops.append((drop, mode))
    return drops


def _require_full_export_entities(drop: Drop) -> None:
    present = {drop_file.entity for drop_file in drop.files}
    missing = [
        name
        for name, contract in ENTITIES.items()
        if contract.required_in_full_export and name not in present
    ]
    if missing:
        raise DropRejectedError(
            f"{drop.name}: a full export must contain {', '.join(missing)} "
            f"(found: {', '.join(sorted(present)) or 'no data files'})"
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
    for batch in files_by_format.values():
        read_batch(connection, [drop_file for _, drop_file in batch])
        _register_batch_files(connection, batch)
        rows_read, versions_added = _append_new_versions(connection, entity, loaded_at)
        report.rows_read[entity] += rows_read
        report.versions_added[entity] += versions_added


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
            (str(drop_file.path), drop.extract_date, f"{drop.name}/{drop_file.path.name}")
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
    export's unchanged rows are not stored again.
    """
    data_columns = _batch_data_columns(connection, entity)
    _add_missing_columns(connection, entity, data_columns)
    table = f"{RAW_SCHEMA}.{entity}"
    quoted = [quote_identifier(name) for name in data_columns]
    # Key columns an export leaves out are null, so versions still pair up by key.
    absent_key_columns = "".join(
        f"cast(null as varchar) as {quote_identifier(name)}, "
        for name in ENTITIES[entity].key
        if name not in data_columns
    )
    key = ", ".join(quote_identifier(name) for name in ENTITIES[entity].key)
    batch_key = ", ".join(f"batch.{quote_identifier(name)}" for name in ENTITIES[entity].key)
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
        from batch_rows
        inner join changed_rows
            on batch_rows._source_file = changed_rows._source_file
            and batch_rows._source_row = changed_rows._source_row
        where changed_rows.is_new = 1 and changed_rows.is_changed
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
