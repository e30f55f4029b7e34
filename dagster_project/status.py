"""`pipehealth status`: what a user asks the morning after - did it run, what is served,
how fresh is each source, what is stopped at the gate.

It only reads: the Dagster run storage, the served file (read-only, as BI does) and
the build database (read-only, one attempt: a running build holds it, and status must
never make that run wait).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from dagster_project.ingest.contract import ENTITIES
from dagster_project.ingest.drop_log import DROP_FILES_TABLE
from dagster_project.ingest.unavailable_figures import unavailable_figure_lines
from dagster_project.publish.checksums import mart_lines, served_mart_versions
from dagster_project.publish.history import publish_history
from dagster_project.publish.publisher import served_publish_id
from dagster_project.quality.audit import CHECK_RESULTS_TABLE
from dagster_project.settings import Paths

JOB_NAME = "pipehealth_build"
MAX_FAILING_CHECKS = 10


def status_lines(paths: Paths, instance: dg.DagsterInstance, today: date) -> list[str]:
    lines = _last_run(instance)
    lines += _served(paths)
    if not paths.build_database.exists():
        return [*lines, "Nothing loaded yet: run `pipehealth run`."]
    try:
        connection = duckdb.connect(str(paths.build_database), read_only=True)
    except duckdb.IOException:
        return [*lines, "The build database is in use by a run; try again when it ends."]
    with connection:
        lines += _last_publish(connection)
        lines += _freshness(connection, today)
        lines += unavailable_figure_lines(connection)
        lines += _failing_checks(connection)
    return lines


def _last_run(instance: dg.DagsterInstance) -> list[str]:
    records = instance.get_run_records(dg.RunsFilter(job_name=JOB_NAME), limit=1)
    if not records:
        return ["Last run: none yet"]
    record = records[0]
    started = record.start_time or record.create_timestamp.timestamp()
    ended = f", ended after {record.end_time - started:.0f} s" if record.end_time else ""
    return [
        f"Last run: {record.dagster_run.status.value.lower()} "
        f"(run {record.dagster_run.run_id}, started {_utc(started)}{ended})"
    ]


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _served(paths: Paths) -> list[str]:
    if not paths.served_database.exists():
        return ["Served: nothing published yet"]
    lines = [
        f"Served: {paths.served_database} (publish {served_publish_id(paths) or 'unknown'})",
    ]
    return lines + mart_lines(served_mart_versions(paths.served_database))


def _last_publish(connection: duckdb.DuckDBPyConnection) -> list[str]:
    history = publish_history(connection, limit=1)
    if not history:
        return []
    last = history[0]
    return [f"Last {last.action}: {last.published_at:%Y-%m-%d %H:%M} UTC (run {last.publish_id})"]


def _freshness(connection: duckdb.DuckDBPyConnection, today: date) -> list[str]:
    latest = dict(
        connection.execute(
            f"select entity, max(drop_date) from {DROP_FILES_TABLE} group by entity"
        ).fetchall()
    )
    lines = ["Freshness (latest drop per source):"]
    for entity in ENTITIES:
        day = latest.get(entity)
        age = f"{day} ({(today - day).days} days ago)" if day else "never delivered"
        lines.append(f"  {entity:<20} {age}")
    return lines


def _failing_checks(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Blocking results of the latest gate run of each entity (what stops the next run),
    then its warnings (dirty rows the marts hold: no amount, no owner, ...); newest drop
    first."""
    exists = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'check_results'"
    ).fetchall()[0][0]
    if not exists:
        return ["Failing checks: the gate has not run yet"]
    return [
        *_listed("Failing checks", _latest_gate_results(connection, "blocked")),
        *_listed("Gate warnings", _latest_gate_results(connection, "warned")),
    ]


def _latest_gate_results(
    connection: duckdb.DuckDBPyConnection, outcome: str
) -> list[tuple[str, date, str]]:
    return connection.execute(
        f"""
        with latest as (
            select entity, max(checked_at) as checked_at
            from {CHECK_RESULTS_TABLE}
            group by entity
        )
        select results.entity, results.extract_date, results.message
        from {CHECK_RESULTS_TABLE} as results
        inner join latest using (entity, checked_at)
        where results.outcome = ?
        order by results.extract_date desc, results.entity, results.expectation_position
        """,
        [outcome],
    ).fetchall()


def _listed(title: str, rows: list[tuple[str, date, str]]) -> list[str]:
    if not rows:
        return [f"{title}: none"]
    lines = [f"{title}: {len(rows)} (details in {CHECK_RESULTS_TABLE})"]
    lines += [
        f"  {entity} {extract_date}: {message}"
        for entity, extract_date, message in rows[:MAX_FAILING_CHECKS]
    ]
    if len(rows) > MAX_FAILING_CHECKS:
        lines.append(f"  ... {len(rows) - MAX_FAILING_CHECKS} more")
    return lines
