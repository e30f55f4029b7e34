"""Dagster resources: the landing folder and the build warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import dagster as dg
import duckdb

from dagster_project import warehouse_access
from dagster_project.settings import Paths, current_paths, duckdb_config

# A nightly run waits this long for the run before it; longer means something is stuck.
DEFAULT_LOCK_WAIT_SECONDS = 6 * 3600


class WarehouseResource(dg.ConfigurableResource):
    """Where drops land and the build DuckDB database that loading and checks use.

    Unset folders follow `PIPEHEALTH_LANDING` / `PIPEHEALTH_WAREHOUSE` when a run
    starts, the same variables the dbt profile reads, so both always agree. A run
    using it holds the warehouse's run lock from its start to its end, so runs
    touching one warehouse never overlap (see warehouse_access).
    """

    landing_dir: str | None = None
    warehouse_dir: str | None = None
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    @property
    def paths(self) -> Paths:
        from_environment = current_paths()
        return Paths(
            landing=Path(self.landing_dir) if self.landing_dir else from_environment.landing,
            warehouse=Path(self.warehouse_dir)
            if self.warehouse_dir
            else from_environment.warehouse,
        )

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Self]:
        with warehouse_access.run_lock(
            self.paths.warehouse,
            holder=f"run {context.run.run_id if context.run else None} (pid {os.getpid()})",
            wait_seconds=self.lock_wait_seconds,
            on_wait=context.log.info if context.log else print,
        ):
            yield self

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database, closed on exit so dbt can open it next."""
        database = self.paths.build_database
        database.parent.mkdir(parents=True, exist_ok=True)
        connection = warehouse_access.connect(
            database, duckdb_config(self.paths), read_only=read_only
        )
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("set enable_progress_bar = false")
        try:
            yield connection
        finally:
            connection.close()
