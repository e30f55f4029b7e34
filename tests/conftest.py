"""Shared fixtures.

Every test session gets its own landing folder, warehouse and DAGSTER_HOME under a
temporary directory, set in the environment before dbt, Dagster or GX are imported:
the dbt profile and the warehouse resource both read these variables.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SESSION_ROOT = Path(tempfile.mkdtemp(prefix="pipehealth-tests-"))
os.environ["PIPEHEALTH_LANDING"] = str(SESSION_ROOT / "landing")
os.environ["PIPEHEALTH_WAREHOUSE"] = str(SESSION_ROOT / "warehouse")
os.environ["DAGSTER_HOME"] = str(SESSION_ROOT / "dagster_home")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
(SESSION_ROOT / "dagster_home").mkdir()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parse the dbt manifest before collection: test modules that import the Dagster
    assets build `@dbt_assets` from it at import time, and a clean clone has none."""
    from dagster_project.project import prepare_manifest

    prepare_manifest()


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest that `@dbt_assets` is built from (parsed at session start)."""
    from dagster_project.project import dbt_project

    return dbt_project.manifest_path
