"""Running `pipehealth run` in this process, and copying a warehouse to run on."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from process_folder import linked

from dagster_project.settings import Paths


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

    def check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        result = self.instance.get_records_for_run(
            self.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        )
        return [
            record.event_log_entry.dagster_event.event_specific_data
            for record in result.records
            if record.event_log_entry.dagster_event is not None
        ]


def run_in(paths: Paths) -> Run:
    """`pipehealth run` on these folders, in this process, as the CLI does it.

    The run gets an in-memory Dagster instance: a run of this job stores hundreds of
    "planned" events, one sqlite commit each, which on a busy CI disk costs a minute.
    """
    from dagster_project.run import run_pipeline

    paths = linked(paths)
    with in_process_run(paths) as instance:
        return Run(exit_code=run_pipeline(paths), instance=instance)


def cli_run_in(paths: Paths, **environment: str) -> Run:
    """`pipehealth run --landing .. --warehouse ..` through the CLI's `main`, in this
    process like `run_in`, with `environment` set for the run only."""
    from dagster_project.cli import main

    with in_process_run(paths, **environment) as instance:
        argv = ["run", "--landing", str(paths.landing), "--warehouse", str(paths.warehouse)]
        return Run(exit_code=main(argv), instance=instance)


@contextmanager
def in_process_run(paths: Paths, **environment: str) -> Iterator[dg.DagsterInstance]:
    """The environment of a run in this process, undone afterwards; yields its instance."""
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPEHEALTH_LANDING", str(paths.landing))
        patch.setenv("PIPEHEALTH_WAREHOUSE", str(paths.warehouse))
        for name, value in environment.items():
            patch.setenv(name, value)
        # The session fixture `dbt_manifest` parsed the dbt project once already.
        patch.setattr("dagster_project.project.prepare_manifest", lambda: None)
        patch.setattr(dg.DagsterInstance, "get", staticmethod(lambda: instance))
        yield instance


def copy_state(source: Paths, target_root: Path) -> Paths:
    """A copy of a landing folder and warehouse, to change or run on."""
    paths = Paths(landing=target_root / "landing", warehouse=target_root / "warehouse")
    shutil.copytree(source.landing, paths.landing)
    # The published `parquet` links are relative: copied as links, they point into the copy,
    # and a publish there can swap them as it swaps the served ones.
    shutil.copytree(source.warehouse, paths.warehouse, symlinks=True)
    return paths
