"""`prepare_manifest` parses the dbt project again only when what dbt parses changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.project import dbt_project, parse_inputs_digest, prepare_manifest
from dagster_project.settings import DBT_PROJECT_DIR


def manifest_written_at() -> int:
    return dbt_project.manifest_path.stat().st_mtime_ns


def test_an_unchanged_project_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    prepare_manifest()
    parsed_at = manifest_written_at()

    prepare_manifest()
    assert manifest_written_at() == parsed_at

    # Another installation's folders are the same manifest.
    monkeypatch.setenv("PIPEHEALTH_WAREHOUSE", "/elsewhere/warehouse")
    monkeypatch.setenv("PIPEHEALTH_LANDING", "/elsewhere/landing")
    prepare_manifest()
    assert manifest_written_at() == parsed_at

    # Nor is a variable dbt does not read (a run's crash-test pause point).
    monkeypatch.setenv("PIPEHEALTH_PAUSE_AT", "dbt")
    prepare_manifest()
    assert manifest_written_at() == parsed_at

    # The profile reads PIPEHEALTH_DUCKDB_THREADS, so another value is another parse.
    monkeypatch.setenv("PIPEHEALTH_DUCKDB_THREADS", "1")
    prepare_manifest()
    assert manifest_written_at() > parsed_at


def test_the_digest_follows_the_project_files_not_dbt_output(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    original = parse_inputs_digest(project)

    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    assert parse_inputs_digest(project) == original

    model = project / "models" / "marts" / "fct_deal_daily_snapshot.sql"
    model.write_text(model.read_text() + "\n-- an analyst's edit\n")
    assert parse_inputs_digest(project) != original
