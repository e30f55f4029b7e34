"""`prepare_manifest` parses the dbt project again only when what dbt parses changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from dagster_dbt import DbtProject

from dagster_project.project import parse_inputs_digest, prepare_manifest
from dagster_project.settings import DBT_PROJECT_DIR, dbt_target

NOT_PROJECT_FILES = shutil.ignore_patterns("target", "logs")


@pytest.fixture
def project(tmp_path: Path) -> DbtProject:
    """A copy of the dbt project with its own target folder: the shared one is parsed
    again by any test run that reads other dbt settings, at any moment."""
    shutil.copytree(DBT_PROJECT_DIR, tmp_path / "dbt", ignore=NOT_PROJECT_FILES)
    return DbtProject(project_dir=tmp_path / "dbt", target=dbt_target())


def manifest_written_at(project: DbtProject) -> int:
    return project.manifest_path.stat().st_mtime_ns


def test_an_unchanged_project_is_not_parsed_again(
    project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_manifest(project)
    parsed_at = manifest_written_at(project)

    prepare_manifest(project)
    assert manifest_written_at(project) == parsed_at

    # Another installation's folders are the same manifest.
    monkeypatch.setenv("PIPEHEALTH_WAREHOUSE", "/elsewhere/warehouse")
    monkeypatch.setenv("PIPEHEALTH_LANDING", "/elsewhere/landing")
    prepare_manifest(project)
    assert manifest_written_at(project) == parsed_at

    # Nor is a variable dbt does not read (a run's crash-test pause point).
    monkeypatch.setenv("PIPEHEALTH_PAUSE_AT", "dbt")
    prepare_manifest(project)
    assert manifest_written_at(project) == parsed_at

    # The profile reads PIPEHEALTH_DUCKDB_THREADS, so another value is another parse.
    threads = int(os.environ.get("PIPEHEALTH_DUCKDB_THREADS", "2"))
    monkeypatch.setenv("PIPEHEALTH_DUCKDB_THREADS", str(threads + 1))
    prepare_manifest(project)
    assert manifest_written_at(project) > parsed_at


def test_the_digest_follows_the_project_files_not_dbt_output(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=NOT_PROJECT_FILES)
    original = parse_inputs_digest(project)

    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    assert parse_inputs_digest(project) == original

    model = project / "models" / "marts" / "fct_deal_daily_snapshot.sql"
    model.write_text(model.read_text() + "\n-- an analyst's edit\n")
    assert parse_inputs_digest(project) != original
