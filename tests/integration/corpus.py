"""The bad-extract corpus (tests/fixtures/bad_extracts/cases.yaml) and running drops on it."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg
import pytest
import yaml

from dagster_project.settings import Paths

CORPUS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "bad_extracts"
GOOD_DROP = CORPUS_DIR / "good" / "2025-03-03"

Outcome = Literal["block", "warn", "accept"]


@dataclass(frozen=True)
class Case:
    folder: str
    fault: str
    outcome: Outcome
    stopped_by: Literal["load", "gate"] | None
    words: tuple[str, ...]
    why: str

    @property
    def path(self) -> Path:
        return CORPUS_DIR / self.folder


def _read_manifest() -> tuple[str, list[Case]]:
    manifest = yaml.safe_load((CORPUS_DIR / "cases.yaml").read_text(encoding="utf-8"))
    cases = [
        Case(
            folder=entry["folder"],
            fault=entry["fault"],
            outcome=entry["outcome"],
            stopped_by=entry.get("stopped_by"),
            words=tuple(entry["words"]),
            why=entry["why"],
        )
        for entry in manifest["cases"]
    ]
    return str(manifest["drop_date"]), cases


DROP_DATE, CASES = _read_manifest()


def cases_with(*outcomes: Outcome) -> list[object]:
    """pytest parameters, one per case with one of `outcomes`, named by folder."""
    return [pytest.param(case, id=case.folder) for case in CASES if case.outcome in outcomes]


@dataclass(frozen=True)
class Run:
    exit_code: int
    instance: dg.DagsterInstance  # the run's own, in memory

    @property
    def run_id(self) -> str:
        [record] = self.instance.get_run_records(limit=1)
        return record.dagster_run.run_id

    def materialized(self) -> set[dg.AssetKey]:
        result = self.instance.get_records_for_run(
            self.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        )
        return {
            record.event_log_entry.dagster_event.asset_key
            for record in result.records
            if record.event_log_entry.dagster_event is not None
        }


def run_in(paths: Paths) -> Run:
    """`pipehealth run` on these folders, in this process, as the CLI does it.

    The run gets an in-memory Dagster instance: a run of this job stores hundreds of
    "planned" events, one sqlite commit each, which on a busy CI disk costs a minute.
    """
    from dagster_project.run import run_pipeline

    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPEHEALTH_LANDING", str(paths.landing))
        patch.setenv("PIPEHEALTH_WAREHOUSE", str(paths.warehouse))
        # The session fixture `dbt_manifest` parsed the dbt project once already.
        patch.setattr("dagster_project.project.prepare_manifest", lambda: None)
        patch.setattr(dg.DagsterInstance, "get", staticmethod(lambda: instance))
        return Run(exit_code=run_pipeline(paths), instance=instance)


def copy_state(source: Paths, target_root: Path) -> Paths:
    """A copy of a landing folder and warehouse, to deliver one more drop on."""
    paths = Paths(landing=target_root / "landing", warehouse=target_root / "warehouse")
    shutil.copytree(source.landing, paths.landing)
    # The published `parquet` links are relative: copied as links, they point into the copy,
    # and a publish there can swap them as it swaps the served ones.
    shutil.copytree(source.warehouse, paths.warehouse, symlinks=True)
    return paths


def deliver(paths: Paths, drop: Path, drop_date: str = DROP_DATE) -> Path:
    """Copy a drop folder into the landing folder as the complete drop of `drop_date`."""
    target = paths.landing / drop_date
    shutil.copytree(drop, target)
    (target / "_SUCCESS").touch()
    return target


def checksums(paths: Paths) -> dict[str, str]:
    """sha256 of the served BI file and of every Parquet file, by name."""
    files = [paths.served_database, *sorted(paths.parquet_dir.glob("*.parquet"))]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
