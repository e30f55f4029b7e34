"""Where pipehealth reads drops and writes its warehouse, from the environment.

The names and layout are part of the public interface (docs/architecture.md), so they live in
one place and every other module asks here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

BUILD_DATABASE_NAME = "build.duckdb"
SERVED_DATABASE_NAME = "pipehealth.duckdb"
PARQUET_DIR_NAME = "parquet"
PREVIOUS_DIR_NAME = "previous"
REPORT_DIR_NAME = "report"
DUCKDB_TEMP_DIR_NAME = "tmp"

DUCKDB_TARGET = "duckdb"
POSTGRES_TARGET = "postgres"


@dataclass(frozen=True)
class Paths:
    """The landing folder and the warehouse folder of one pipehealth installation."""

    landing: Path
    warehouse: Path

    @property
    def build_database(self) -> Path:
        """The run's own database: raw, staging, marts. BI never opens it."""
        return self.warehouse / BUILD_DATABASE_NAME

    @property
    def served_database(self) -> Path:
        """The published BI file: the `marts` schema only."""
        return self.warehouse / SERVED_DATABASE_NAME

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse / PARQUET_DIR_NAME

    @property
    def report_dir(self) -> Path:
        """The weekly review of the served publish: a link to that publish's report."""
        return self.warehouse / REPORT_DIR_NAME

    @property
    def previous_dir(self) -> Path:
        return self.warehouse / PREVIOUS_DIR_NAME

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills what its memory_limit does not hold (dbt's profile too)."""
        return self.warehouse / DUCKDB_TEMP_DIR_NAME


def current_paths() -> Paths:
    """Paths from `PIPEHEALTH_LANDING` / `PIPEHEALTH_WAREHOUSE`, defaulting beside the repo."""
    landing = Path(os.environ.get("PIPEHEALTH_LANDING", REPO_ROOT / "landing"))
    warehouse = Path(os.environ.get("PIPEHEALTH_WAREHOUSE", REPO_ROOT / "warehouse"))
    return Paths(landing=landing.resolve(), warehouse=warehouse.resolve())


def duckdb_config(paths: Paths) -> dict[str, str]:
    """The settings of every DuckDB database a run writes (load, gate, publish): those
    dbt/profiles.yml gives the dbt build, from the same variables, so no step of a run
    takes more memory than PIPEHEALTH_DUCKDB_MEMORY_LIMIT; DuckDB's own default is 80%
    of the machine's memory, which the first load of a big history fills."""
    return {
        "memory_limit": os.environ.get("PIPEHEALTH_DUCKDB_MEMORY_LIMIT", "8GB"),
        "threads": os.environ.get("PIPEHEALTH_DUCKDB_THREADS", "2"),
        "temp_directory": str(paths.duckdb_temp_dir),
    }


def dbt_target() -> str:
    """The dbt target of dbt/profiles.yml a run builds on (`pipehealth run --target`)."""
    return os.environ.get("PIPEHEALTH_TARGET", DUCKDB_TARGET)
