"""Crash safety and readers during a run, on real `pipehealth run` subprocesses.

One sample, split in two: a warehouse published from its first drops (version 0),
with the remaining drops waiting in landing. The reference run processes them
uninterrupted (version 1) while a BI reader queries the served file in a loop. Each
crash case starts from a copy of the same state, is SIGKILLed at a pause point
(dagster_project/crash_points.py), then run again: it must end exactly where the
reference ended, and the served file must stay readable the whole time. The state and
the reference are built once per session (tests/shared_states.py), so the crash cases
can run on any pytest-xdist worker.
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

pytestmark = [pytest.mark.slow, pytest.mark.spread]

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


@dataclass(frozen=True)
class Reference:
    finished: Version
    reads: list[dict[str, object]]


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
    """The waiting drops processed by one uninterrupted run, with a reader alongside."""
    installation = copy_of(template, root / "install")
    reader = Reader(installation.served_database, installation.root)
    installation.run_to_end()
    finished = current_version(installation)
    finished.write(root / "finished.json")
    (root / "reads.json").write_text(json.dumps(reader.stop_after_seeing(finished.served)))


@pytest.fixture(scope="session")
def reference(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    root = shared_state(
        tmp_path_factory, "crash_reference", lambda root: build_reference(template, root)
    )
    return Reference(
        finished=Version.read(root / "finished.json"),
        reads=json.loads((root / "reads.json").read_text()),
    )


def test_the_waiting_drops_change_the_marts(template: Template, reference: Reference) -> None:
    # Otherwise the reader and crash tests could not tell the two versions apart.
    assert reference.finished.served != template.published.served
    assert reference.finished.raw["_drops"] == template.published.raw["_drops"] + 4
    assert reference.finished.raw["deals"] > template.published.raw["deals"]


def test_a_reader_during_a_run_sees_one_whole_published_version_at_a_time(
    template: Template, reference: Reference
) -> None:
    versions = [as_json(template.published.served), as_json(reference.finished.served)]

    assert [read for read in reference.reads if "error" in read] == []
    seen = [versions.index(read["versions"]) for read in reference.reads]  # type: ignore[arg-type]
    # Old version first, new version last, never back: the swap is one atomic step.
    assert seen[0] == 0
    assert seen[-1] == 1
    assert seen == sorted(seen)


@pytest.mark.parametrize("point", ["load", "dbt", "publish"])
def test_a_run_killed_mid_way_leaves_the_marts_readable_and_the_rerun_recovers(
    template: Template, reference: Reference, tmp_path: Path, point: str
) -> None:
    installation = copy_of(template, tmp_path / "install")
    reader = Reader(installation.served_database, tmp_path)
    marker = tmp_path / "paused"
    run = installation.start_run(PIPEHEALTH_PAUSE_AT=point, PIPEHEALTH_PAUSE_MARKER=str(marker))
    wait_until(lambda: marker.exists() or run.poll() is not None, f"the run to reach {point}")
    assert run.poll() is None, (installation.root / "run.log").read_text()[-3000:]

    os.killpg(run.pid, signal.SIGKILL)
    run.wait()

    # The load commits only as a whole: killed inside it, raw is as before the run.
    expected_raw = template.published.raw if point == "load" else reference.finished.raw
    assert installation.raw_versions() == expected_raw
    # Killed after the served file was swapped in, it is the new version; before, the old.
    expected_served = template.published if point != "publish" else reference.finished
    assert installation.served_versions() == expected_served.served

    installation.run_to_end()

    assert installation.served_versions() == reference.finished.served
    assert installation.raw_versions() == reference.finished.raw
    reads = reader.stop_after_seeing(reference.finished.served)
    assert [read for read in reads if "error" in read] == []
    versions = [as_json(template.published.served), as_json(reference.finished.served)]
    assert all(read["versions"] in versions for read in reads)
    # The killed run's half-finished publish folder was cleaned up by the rerun.
    assert len(list((installation.warehouse / PUBLISHES_DIR_NAME).iterdir())) == 2
