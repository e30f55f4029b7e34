"""Run the dbt CLI of this virtualenv on the project, against one test warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from process_folder import DBT_TARGET_FOLDER, linked_warehouse

from dagster_project.settings import DBT_PROJECT_DIR


def run_dbt(
    warehouse: Path,
    *args: str,
    target_path: Path | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
    environment: Mapping[str, str] | None = None,
    succeeds: bool = True,
) -> None:
    """`dbt <args>` on the project in `project_dir`, against `warehouse` (through this
    process's link: tests/process_folder.py), its target folder by default this process's
    (where dbt keeps its parse), its logs beside `warehouse`, and `environment` added to
    this process's; fails with dbt's output unless dbt succeeds (or, with
    `succeeds=False`, fails) as expected."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target_path or DBT_TARGET_FOLDER),
            "--log-path",
            str(warehouse.parent / "dbt_logs"),
        ],
        cwd=project_dir,
        env={
            **os.environ,
            **(environment or {}),
            "PIPEHEALTH_WAREHOUSE": str(linked_warehouse(warehouse)),
        },
        capture_output=True,
        text=True,
    )
    assert (result.returncode == 0) == succeeds, result.stdout[-4000:]
