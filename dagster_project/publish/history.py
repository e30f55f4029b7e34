"""`audit.publishes` in the build database: every publish and rollback, kept across runs.

One row per mart per event, with its row count and content checksum, so two runs on
the same drops can be compared and a reader's view matched to one published version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb

from dagster_project.publish.checksums import MartVersion
from dagster_project.publish.publisher import PublishReport
from dagster_project.quality.audit import AUDIT_SCHEMA

PUBLISHES_TABLE = f"{AUDIT_SCHEMA}.publishes"

PublishAction = Literal["publish", "rollback"]


@dataclass(frozen=True)
class PublishRecord:
    publish_id: str
    action: str
    published_at: datetime
    marts: dict[str, MartVersion]


def ensure_publishes_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"create schema if not exists {AUDIT_SCHEMA}")
    connection.execute(
        f"create table if not exists {PUBLISHES_TABLE} ("
        "publish_id varchar not null, action varchar not null, "
        "published_at timestamp not null, mart varchar not null, "
        "row_count bigint not null, checksum varchar not null)"
    )


def record_publish(
    connection: duckdb.DuckDBPyConnection, report: PublishReport, action: PublishAction
) -> None:
    """Record what is served now: the marts of `report`, one row each."""
    ensure_publishes_table(connection)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    connection.executemany(
        f"insert into {PUBLISHES_TABLE} values (?, ?, ?, ?, ?, ?)",
        [
            (report.publish_id, action, published_at, mart, version.rows, version.checksum)
            for mart, version in report.marts.items()
        ],
    )


def publish_history(connection: duckdb.DuckDBPyConnection, limit: int) -> list[PublishRecord]:
    """The last `limit` publishes and rollbacks, newest first."""
    exists = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'publishes'",
        [AUDIT_SCHEMA],
    ).fetchall()[0][0]
    if not exists:
        return []
    rows = connection.execute(
        f"""
        with events as (
            select distinct publish_id, action, published_at
            from {PUBLISHES_TABLE}
            order by published_at desc
            limit ?
        )
        select events.publish_id, events.action, events.published_at,
            publishes.mart, publishes.row_count, publishes.checksum
        from events
        inner join {PUBLISHES_TABLE} as publishes using (publish_id, action, published_at)
        order by events.published_at desc, publishes.mart
        """,
        [limit],
    ).fetchall()
    records: dict[tuple[str, str, datetime], dict[str, MartVersion]] = {}
    for publish_id, action, published_at, mart, row_count, checksum in rows:
        marts = records.setdefault((publish_id, action, published_at), {})
        marts[mart] = MartVersion(rows=row_count, checksum=checksum)
    return [
        PublishRecord(publish_id=publish_id, action=action, published_at=at, marts=marts)
        for (publish_id, action, at), marts in records.items()
    ]
