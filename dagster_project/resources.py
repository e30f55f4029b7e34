"""Dagster resources: the warehouse connection and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.settings import Paths, current_paths


class WarehouseResource(dg.ConfigurableResource):
    """The landing folder and the build DuckDB database that raw loading and checks use."""

    landing_dir: str
    warehouse_dir: str

    @property
    def paths(self) -> Paths:
        return Paths(landing=Path(self.landing_dir), warehouse=Path(self.warehouse_dir))

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database, closed on exit so dbt can open it next."""
        database = self.paths.build_database
        database.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(database), read_only=read_only, config={"TimeZone": "UTC"})
        try:
            yield connection
        finally:
            connection.close()


def warehouse_from_environment() -> WarehouseResource:
    paths = current_paths()
    return WarehouseResource(landing_dir=str(paths.landing), warehouse_dir=str(paths.warehouse))
