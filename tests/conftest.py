"""Shared fixtures.

Every test process gets its own landing folder, warehouse, DAGSTER_HOME and dbt target
folder under a temporary directory, set in the environment before dbt, Dagster or GX are
imported: the dbt profile, dagster-dbt and the warehouse resource read these variables.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from process_folder import DBT_TARGET_FOLDER, PROCESS_FOLDER

if TYPE_CHECKING:
    from dagster_project.settings import Paths

SESSION_ROOT = PROCESS_FOLDER
os.environ["PIPEHEALTH_LANDING"] = str(SESSION_ROOT / "landing")
os.environ["PIPEHEALTH_WAREHOUSE"] = str(SESSION_ROOT / "warehouse")
os.environ["DAGSTER_HOME"] = str(SESSION_ROOT / "dagster_home")
# Where dagster-dbt starts each dbt invocation's target folder and its parse cache: one per
# process, so pytest-xdist workers do not replace each other's (tests/process_folder.py).
os.environ["DBT_TARGET_PATH"] = str(DBT_TARGET_FOLDER)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
(SESSION_ROOT / "dagster_home").mkdir()


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(SESSION_ROOT, ignore_errors=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parse the dbt manifest before collection: test modules that import the Dagster
    assets build `@dbt_assets` from it at import time, and a clean clone has none.

    Under pytest-xdist the controlling process parses it before it starts the workers,
    which then read it: workers parsing at once would write the same files.
    """
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    from dagster_project.project import prepare_manifest

    prepare_manifest()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`: `--dist loadgroup`) a module's tests run on one
    worker, so a module-scoped fixture is built once. A module marked `spread` shares only
    session-wide states (tests/shared_states.py), and its tests run on any worker.

    Tests marked `slow` (whole pipeline runs, many dbt invocations) come first, so the
    workers do not end with one of them alone on a long test (the Makefile's
    `--no-loadscope-reorder` keeps this order: pytest-xdist would sort modules by their
    number of tests)."""
    for item in items:
        if item.get_closest_marker("spread") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest that `@dbt_assets` is built from (parsed at session start)."""
    from dagster_project.project import dbt_project

    return dbt_project.manifest_path


@pytest.fixture(scope="session")
def published_sample(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The generated sample run through the pipeline and published, once per session.

    Read it, never change it: a test that changes a warehouse copies it first.
    """
    from shared_states import build_published_sample, installation, shared_state

    return installation(shared_state(tmp_path_factory, "published_sample", build_published_sample))
