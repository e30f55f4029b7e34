"""Crash safety and readers during a run, on real `pipehealth run` subprocesses.

One sample, split in two: a warehouse published from its first drops (version 0),
with the remaining drops waiting in landing. The reference processes them in one
uninterrupted run (version 1). A copy of the same state then goes through a run
SIGKILLed at each pause point in turn (dagster_project/crash_points.py: in the load,
in dbt, right after the served file was swapped), each run starting from what the
killed one before it left, and a last run to the end: after each kill the warehouse
holds exactly what that point must leave, and the last run ends exactly where the
reference ended. A BI reader queries the served file in a loop all along. The template
and the reference are built once per session (tests/shared_states.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from operations import Installation, Reader, as_json, wait_until
from pipeline_runs import run_in
from shared_states import shared_state

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.publish.checksums import MartVersion
from dagster_project.publish.publisher import PUBLISHES_DIR_NAME

pytestmark = [pytest.mark.slow, pytest.mark.spread, pytest.mark.system]

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 24
BASELINE_DROPS = 20


@dataclass(frozen=True)
class Version:
    served: dict[str, MartVersion]
    raw: dict[str, int]

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({"served": as_json(self.served), "raw": self.raw}))

    @staticmethod
    def read(path: Path) -> Version:
        saved = json.loads(path.read_text())
        served = {name: MartVersion(*version) for name, version in saved["served"].items()}
        return Version(served=served, raw=saved["raw"])


@dataclass(frozen=True)
class Template:
    installation: Installation
    published: Version  # what version 0 serves, and raw before the waiting drops


def current_version(installation: Installation) -> Version:
    return Version(served=installation.served_versions(), raw=installation.raw_versions())


def build_template(root: Path) -> None:
    """Version 0 published from the first drops (in this process: nothing is killed
    here), the remaining drops waiting in landing."""
    from dagster_project.sample_data import generate

    generate(root / "all_drops", seed=5, reps=3, days=SAMPLE_DAYS, start_date=SAMPLE_START)
    drops = sorted((root / "all_drops").iterdir())
    (root / "landing").mkdir()
    for drop in drops[:BASELINE_DROPS]:
        drop.rename(root / "landing" / drop.name)
    installation = Installation(root)
    assert run_in(installation.paths).exit_code == EXIT_PUBLISHED
    current_version(installation).write(root / "published.json")
    for drop in drops[BASELINE_DROPS:]:
        drop.rename(root / "landing" / drop.name)
    (root / "all_drops").rmdir()


@pytest.fixture(scope="session")
def template(dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = shared_state(tmp_path_factory, "crash_template", build_template)
    return Template(
        installation=Installation(root), published=Version.read(root / "published.json")
    )


def copy_of(template: Template, root: Path) -> Installation:
    shutil.copytree(template.installation.root, root, symlinks=True)
    (root / "run.log").unlink(missing_ok=True)
    return Installation(root)


def build_reference(template: Template, root: Path) -> None:
    """The waiting drops processed by one uninterrupted run (in this process)."""
    installation = copy_of(template, root / "install")
    assert run_in(installation.paths).exit_code == EXIT_PUBLISHED
    current_version(installation).write(root / "finished.json")


@pytest.fixture(scope="session")
def reference(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Version:
    root = shared_state(
        tmp_path_factory, "crash_reference", lambda root: build_reference(template, root)
    )
    return Version.read(root / "finished.json")


def test_the_waiting_drops_change_the_marts(template: Template, reference: Version) -> None:
    # Otherwise the reader and crash tests could not tell the two versions apart.
    assert reference.served != template.published.served
    assert reference.raw["_drops"] == template.published.raw["_drops"] + 4
    assert reference.raw["deals"] > template.published.raw["deals"]


def test_runs_killed_at_each_point_leave_the_marts_readable_and_the_next_run_recovers(
    template: Template, reference: Version, tmp_path: Path
) -> None:
    installation = copy_of(template, tmp_path / "install")
    reader = Reader(installation.served_database, tmp_path)

    # The load commits only as a whole: killed inside it, raw is as before the run.
    kill_at("load", installation, tmp_path)
    assert installation.raw_versions() == template.published.raw
    assert installation.served_versions() == template.published.served
    # Killed in dbt (by a run that loaded the drops again), raw is loaded, the old
    # marts are served.
    kill_at("dbt", installation, tmp_path)
    assert installation.raw_versions() == reference.raw
    assert installation.served_versions() == template.published.served
    # Killed after the swap, the new marts are served: the run before's half-built
    # models were rebuilt.
    kill_at("publish", installation, tmp_path)
    assert installation.raw_versions() == reference.raw
    assert installation.served_versions() == reference.served

    installation.run_to_end()

    assert installation.served_versions() == reference.served
    assert installation.raw_versions() == reference.raw
    reads = reader.stop_after_seeing(reference.served)
    assert [read for read in reads if "error" in read] == []
    versions = [as_json(template.published.served), as_json(reference.served)]
    seen = [versions.index(read["versions"]) for read in reads]  # type: ignore[arg-type]
    # Old version first, new version last, never back: the swap is one atomic step.
    assert seen[0] == 0
    assert seen[-1] == 1
    assert seen == sorted(seen)
    # The killed runs' half-finished publish folders were cleaned up by the last run.
    assert len(list((installation.warehouse / PUBLISHES_DIR_NAME).iterdir())) == 2


def kill_at(point: str, installation: Installation, folder: Path) -> None:
    """A run started, paused at `point` and SIGKILLed there with its dbt child."""
    marker = folder / f"paused-{point}"
    run = installation.start_run(PIPEHEALTH_PAUSE_AT=point, PIPEHEALTH_PAUSE_MARKER=str(marker))
    wait_until(lambda: marker.exists() or run.poll() is not None, f"the run to reach {point}")
    assert run.poll() is None, (installation.root / "run.log").read_text()[-3000:]
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
