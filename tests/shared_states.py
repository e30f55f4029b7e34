"""Warehouses built once per test session and shared by every pytest-xdist worker.

A state is built by whichever worker asks for it first, under a file lock, in the
temporary folder all workers of the session share; the others wait for it and read it.
A test reads a shared state only: one that changes a warehouse runs on a copy
(`pipeline_runs.copy_state`), so the workers never write to the same DuckDB file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock
from pipeline_runs import run_in

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.settings import Paths

# The generated sample most mart and end-to-end tests recompute their figures from.
SAMPLE_SEED = 11
SAMPLE_REPS = 8
SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75

BUILT_MARKER = "built"
CHECKS_FILE = "check_evaluations.json"


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of the whole session: the workers' base folders sit in it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def shared_state(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder `build` filled once in this session, whichever worker asked first."""
    root = session_folder(tmp_path_factory) / name
    with FileLock(f"{root}.lock"):
        if not (root / BUILT_MARKER).exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            build(root)
            (root / BUILT_MARKER).touch()
    return root


def build_published_sample(root: Path) -> None:
    """The seed-11 sample of 8 reps over 75 days, run through the pipeline and published;
    what the run's checks said is kept beside it (its Dagster instance is in memory)."""
    from dagster_project.sample_data import generate

    paths = installation(root)
    generate(
        paths.landing, seed=SAMPLE_SEED, reps=SAMPLE_REPS, days=SAMPLE_DAYS, start_date=SAMPLE_START
    )
    paths.warehouse.mkdir()
    run = run_in(paths)
    assert run.exit_code == EXIT_PUBLISHED
    checks = [
        {
            "asset": evaluation.asset_key.to_user_string(),
            "check": evaluation.check_name,
            "passed": evaluation.passed,
            "severity": evaluation.severity.value,
        }
        for evaluation in run.check_evaluations()
    ]
    (root / CHECKS_FILE).write_text(json.dumps(checks, indent=1))


def installation(root: Path) -> Paths:
    return Paths(landing=root / "landing", warehouse=root / "warehouse")


def check_evaluations(paths: Paths) -> list[dict[str, object]]:
    """The asset check evaluations of the run that published a shared state."""
    return json.loads((paths.warehouse.parent / CHECKS_FILE).read_text())
