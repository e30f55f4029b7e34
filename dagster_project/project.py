"""The dbt project as Dagster sees it."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    target=os.environ.get("PIPEHEALTH_TARGET", "duckdb"),
)
# `dagster dev` re-parses on every load so an analyst's SQL edits show at once;
# `pipehealth run`, `make` and the tests prepare the manifest explicitly first.
dbt_project.prepare_if_dev()


def prepare_manifest() -> None:
    """Parse the dbt project into target/manifest.json (what `@dbt_assets` is built from)."""
    dbt_project.preparer.prepare(dbt_project)
