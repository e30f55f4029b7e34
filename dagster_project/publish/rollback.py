"""`pipehealth rollback`: serve the previous published marts again, and record it."""

from __future__ import annotations

import os

from dagster_project import warehouse_access
from dagster_project.publish.history import record_publish
from dagster_project.publish.publisher import PublishReport, rollback
from dagster_project.settings import Paths, duckdb_config

# A rollback does not queue behind a run: the run would publish over it when it ends.
ROLLBACK_LOCK_WAIT_SECONDS = 5


def roll_back(paths: Paths) -> PublishReport:
    """Swap `previous/` back in and add a `rollback` row per mart to audit.publishes."""
    with warehouse_access.run_lock(
        paths.warehouse,
        holder=f"pipehealth rollback (pid {os.getpid()})",
        wait_seconds=ROLLBACK_LOCK_WAIT_SECONDS,
    ):
        report = rollback(paths)
        with warehouse_access.connect(paths.build_database, duckdb_config(paths)) as connection:
            record_publish(connection, report, action="rollback")
    return report
