"""The dbt project as Dagster sees it."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.settings import DBT_PROJECT_DIR, dbt_target

# The dbt installed beside this Python, whether or not the virtualenv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    target=dbt_target(),
)
# `dagster dev` re-parses on every load so an analyst's SQL edits show at once;
# `pipehealth run`, `make` and the tests prepare the manifest explicitly first.
dbt_project.prepare_if_dev()


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (what `@dbt_assets` is built from)."""
    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
