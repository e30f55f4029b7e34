"""The DuckDB target of dbt/profiles.yml gives the database-wide settings once, at open.

dbt-duckdb runs each entry of `settings` as a SET on every cursor it opens (one per
thread and node), and DuckDB refuses to set temp_directory again once a query has
spilled to it: a build bigger than memory_limit then failed on its next node ("Cannot
switch temporary directory after the current one has been used"), as the first L
benchmark did. Entries of `config_options` are given once, when dbt opens the file.
"""

from __future__ import annotations

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

DATABASE_WIDE_SETTINGS = {"memory_limit", "threads", "temp_directory"}


def test_duckdb_database_settings_are_given_once_at_open() -> None:
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    target = profiles["pipehealth"]["outputs"]["duckdb"]
    assert set(target["config_options"]) >= DATABASE_WIDE_SETTINGS
    assert not set(target.get("settings") or {}) & DATABASE_WIDE_SETTINGS
