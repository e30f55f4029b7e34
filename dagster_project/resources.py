"""Dagster resources: the landing folder and the build warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.settings import Paths, current_paths


class WarehouseResource(dg.ConfigurableResource):
    """Where drops land and the build DuckDB database that loading and checks use.

    Unset folders follow `PIPEHEALTH_LANDING` / `PIPEHEALTH_WAREHOUSE` when a run
    starts, the same variables the dbt profile reads, so both always agree.
    """

    landing_dir: str | None = None
    warehouse_dir: str | None = None

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
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database, closed on exit so dbt can open it next."""
        database = self.paths.build_database
        database.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(database), read_only=read_only)
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("set enable_progress_bar = false")
        try:
            yield connection
        finally:
            connection.close()
