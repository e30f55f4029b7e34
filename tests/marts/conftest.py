"""One generated sample, loaded into raw and built with a full `dbt build`, for every mart test.

Each mart test recomputes its figures from this sample's drops with pandas,
independently of the SQL, and compares them with the marts built here.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dbt_cli import run_dbt

from dagster_project.settings import BUILD_DATABASE_NAME

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(landing, warehouse): the seed-11 sample of 8 reps over 75 days, built by dbt."""
    from dagster_project.ingest.loader import load_pending_drops
    from dagster_project.sample_data import generate

    root = tmp_path_factory.mktemp("marts")
    landing, warehouse = root / "landing", root / "warehouse"
    generate(landing, seed=11, reps=8, days=SAMPLE_DAYS, start_date=SAMPLE_START)
    warehouse.mkdir()
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        load_pending_drops(connection, landing, datetime(2025, 4, 1))
    # The unit tests run in test_unit_tests.py, where a failure names them.
    run_dbt(warehouse, "build", "--exclude-resource-type", "unit_test")
    return landing, warehouse
