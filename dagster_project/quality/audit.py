"""The gate's memory in the warehouse, schema `audit`, kept across runs.

- `audit.check_results`: one row per drop, entity and expectation of every gate run,
  passing or not: warned rows stay in the marts, and this is where they are listed.
- `audit.gate_passes`: the (entity, extract date) pairs that passed, so a run checks
  only drops it has not passed before.
- `audit.load_rejections`: one row per drop the loader refused as unreadable (a broken
  file, a missing column, a collapsed export), with the message the run printed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import pandas as pd

from dagster_project.ingest.contract import RAW_SCHEMA
from dagster_project.ingest.drop_log import DROP_FILES_TABLE
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.quality import messages
from dagster_project.quality.results import GateReport, PendingDrop
from dagster_project.sql_text import quote_identifier, string_literal

AUDIT_SCHEMA = "audit"
CHECK_RESULTS_TABLE = f"{AUDIT_SCHEMA}.check_results"
GATE_PASSES_TABLE = f"{AUDIT_SCHEMA}.gate_passes"
LOAD_REJECTIONS_TABLE = f"{AUDIT_SCHEMA}.load_rejections"

_CHECK_RESULTS_COLUMNS = {
    "run_id": "varchar not null",
    "extract_date": "date not null",
    "entity": "varchar not null",
    "source_file": "varchar not null",
    "expectation": "varchar not null",  # GX type, e.g. expect_column_values_to_match_regex
    "expectation_position": "integer not null",  # 1-based, in expectations/<entity>.json
    "column_name": "varchar not null",  # raw columns it reads, comma-separated
    "severity": "varchar not null",  # critical | warning | info
    "mostly": "double not null",
    "passed": "boolean not null",  # GX's verdict, `mostly` included
    "outcome": "varchar not null",  # passed | warned | blocked: what the gate did
    "drop_rows": "bigint not null",
    "failing_rows": "bigint not null",
    # failing rows over every row of the drop's files: what the drift rule compares
    "failing_share": "double",
    # the check's median failing_share over the drops loaded before (null: none yet)
    "baseline_share": "double",
    "failing_sample": "varchar",  # e.g. "row 17 '12,5O0'; row 20 'abc'"
    "message": "varchar",  # the sentence the check reported, null when passed
    "checked_at": "timestamp not null",
}


def ensure_audit_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in _CHECK_RESULTS_COLUMNS.items())
    connection.execute(f"create table if not exists {CHECK_RESULTS_TABLE} ({columns})")
    # A warehouse made before the drift rule lacks its columns; its rows keep them null.
    for name in ("failing_share", "baseline_share"):
        connection.execute(
            f"alter table {CHECK_RESULTS_TABLE} add column if not exists {name} "
            f"{_CHECK_RESULTS_COLUMNS[name]}"
        )
    connection.execute(
        f"create table if not exists {GATE_PASSES_TABLE} ("
        "entity varchar not null, extract_date date not null, run_id varchar not null, "
        "passed_at timestamp not null, primary key (entity, extract_date))"
    )
    connection.execute(
        f"create table if not exists {LOAD_REJECTIONS_TABLE} ("
        "run_id varchar not null, extract_date date, message varchar not null, "
        "rejected_at timestamp not null)"
    )


def raw_table_exists(connection: duckdb.DuckDBPyConnection, entity: str) -> bool:
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, entity],
    ).fetchone()
    return found is not None and found[0] > 0


def raw_table_columns(connection: duckdb.DuckDBPyConnection, entity: str) -> set[str]:
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, entity],
    ).fetchall()
    return {name for (name,) in rows}


def pending_drops(connection: duckdb.DuckDBPyConnection, entity: str) -> list[PendingDrop]:
    """The drops with rows in raw.<entity> that have not passed the gate, oldest first.

    A drop's unchanged rows are the rows read from its files (raw._drop_files) that raw
    did not store again because they repeat the stored version of their key.
    """
    rows = connection.execute(
        f"""
        with pending as (
            select
                raw_rows._extract_date,
                string_agg(distinct raw_rows._source_file, ', ' order by raw_rows._source_file)
                    as source_files,
                count(*) as versions
            from {RAW_SCHEMA}.{quote_identifier(entity)} as raw_rows
            where not exists (
                select 1
                from {GATE_PASSES_TABLE} as passes
                where passes.entity = ? and passes.extract_date = raw_rows._extract_date
            )
            group by raw_rows._extract_date
        ),
        files_read as (
            select drop_date, sum(rows_read) as rows_read
            from {DROP_FILES_TABLE}
            where entity = ?
            group by drop_date
        )
        select
            pending._extract_date,
            pending.source_files,
            pending.versions,
            greatest(coalesce(files_read.rows_read, 0) - pending.versions, 0)
        from pending
        left join files_read on pending._extract_date = files_read.drop_date
        order by pending._extract_date
        """,
        [entity, entity],
    ).fetchall()
    return [
        PendingDrop(extract_date=day, source_files=files, rows=count, unchanged_rows=unchanged)
        for day, files, count, unchanged in rows
    ]


# (extract date, failing share) of each drop that passed, by date, per ExpectationSpec.key
CheckHistory = defaultdict[tuple[int, str, str], list[tuple[date, float]]]


def check_history(connection: duckdb.DuckDBPyConnection, entity: str) -> CheckHistory:
    """Each check's failing share in every drop of the entity that passed the gate, by
    date; the results are those of the run that passed the drop."""
    rows = connection.execute(
        f"""
        select
            results.expectation_position,
            results.expectation,
            results.column_name,
            results.extract_date,
            -- rows recorded before the drift rule: their stored rows are the best count
            coalesce(results.failing_share, results.failing_rows / nullif(results.drop_rows, 0), 0)
        from {CHECK_RESULTS_TABLE} as results
        inner join {GATE_PASSES_TABLE} as passes
            on results.entity = passes.entity
            and results.extract_date = passes.extract_date
            and results.run_id = passes.run_id
        where results.entity = ?
        order by results.extract_date
        """,
        [entity],
    ).fetchall()
    history: CheckHistory = defaultdict(list)
    for position, expectation, columns, extract_date, share in rows:
        history[(position, expectation, columns)].append((extract_date, share))
    return history


def drops_waiting_at_gate(connection: duckdb.DuckDBPyConnection) -> set[date] | None:
    """Extract dates with rows in raw of an entity that has not passed the gate for them.

    None when the gate has never run here: then no drop is known to be waiting.
    """
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = 'gate_passes'",
        [AUDIT_SCHEMA],
    ).fetchone()
    if found is None or found[0] == 0:
        return None
    waiting = " union ".join(
        f"select distinct _extract_date from {RAW_SCHEMA}.{quote_identifier(entity)} as raw_rows "
        f"where not exists (select 1 from {GATE_PASSES_TABLE} as passes "
        f"where passes.entity = {string_literal(entity)} "
        "and passes.extract_date = raw_rows._extract_date)"
        for entity in RAW_TABLES
        if raw_table_exists(connection, entity)
    )
    if not waiting:
        return set()
    return {day for (day,) in connection.execute(waiting).fetchall()}


def forget_gate_passes(connection: duckdb.DuckDBPyConnection, dates: Sequence[date]) -> None:
    """Make drops that are loaded again wait for the gate again (in the caller's transaction)."""
    connection.execute(
        f"delete from {GATE_PASSES_TABLE} where list_contains(?, extract_date)", [list(dates)]
    )


def record(connection: duckdb.DuckDBPyConnection, report: GateReport, checked_at: datetime) -> None:
    """Store every result, and the drops that passed, in one transaction."""
    results = pd.DataFrame(
        {
            "run_id": report.run_id,
            "extract_date": [result.drop.extract_date for result in report.results],
            "entity": report.entity,
            "source_file": [result.drop.source_files for result in report.results],
            "expectation": [result.spec.type for result in report.results],
            "expectation_position": [result.spec.position for result in report.results],
            "column_name": [", ".join(result.spec.reported_columns) for result in report.results],
            "severity": [result.spec.severity for result in report.results],
            "mostly": [result.spec.mostly for result in report.results],
            "passed": [result.passed for result in report.results],
            "outcome": [str(result.outcome) for result in report.results],
            "drop_rows": [result.drop.rows for result in report.results],
            "failing_rows": [result.failing_rows for result in report.results],
            "failing_share": [result.failing_share for result in report.results],
            "baseline_share": [result.baseline for result in report.results],
            "failing_sample": [messages.sample_text(result) for result in report.results],
            "message": [messages.result_message(result) for result in report.results],
            "checked_at": checked_at,
        },
        columns=list(_CHECK_RESULTS_COLUMNS),
    )
    passes = [
        (report.entity, drop.extract_date, report.run_id, checked_at)
        for drop in report.passed_drops
    ]
    connection.begin()
    try:
        connection.register("gate_check_results", results)
        connection.execute(
            f"insert into {CHECK_RESULTS_TABLE} by name select * from gate_check_results"
        )
        connection.unregister("gate_check_results")
        if passes:
            connection.executemany(f"insert into {GATE_PASSES_TABLE} values (?, ?, ?, ?)", passes)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def record_load_rejection(
    connection: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    extract_date: date | None,
    message: str,
    rejected_at: datetime,
) -> None:
    """Keep the loader's refusal of a drop (the load itself rolled back)."""
    ensure_audit_tables(connection)
    connection.execute(
        f"insert into {LOAD_REJECTIONS_TABLE} values (?, ?, ?, ?)",
        [run_id, extract_date, message, rejected_at],
    )
