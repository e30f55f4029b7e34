"""One `pipehealth run` in this process, then its step durations as JSON on the last line.

Run by bench/bench.py in a child process, so the parent can sample the peak RSS of the
whole process tree (this process, dbt, DuckDB) from outside. Locations come from the
environment (PIPEHEALTH_LANDING, PIPEHEALTH_WAREHOUSE, DAGSTER_HOME), as for the CLI.
"""

from __future__ import annotations

import json
import sys
import time

import dagster as dg

from dagster_project.run import run_pipeline
from dagster_project.settings import current_paths

# Dagster step keys -> the stages the benchmark reports.
STAGES = ("load", "raw_gate", "dbt", "publish")


def stage_of(step_key: str) -> str:
    if step_key == "raw_extracts":
        return "load"
    if "raw_gate" in step_key:
        return "raw_gate"
    if "publish" in step_key:
        return "publish"
    return "dbt"


def main() -> int:
    started = time.perf_counter()
    exit_code = run_pipeline(current_paths())
    wall_seconds = time.perf_counter() - started
    instance = dg.DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    stages = dict.fromkeys(STAGES, 0.0)
    for step in instance.get_run_step_stats(run.run_id):
        if step.start_time is not None and step.end_time is not None:
            stages[stage_of(step.step_key)] += step.end_time - step.start_time
    report = {
        "exit_code": exit_code,
        "wall_seconds": wall_seconds,
        "stages": stages,
        "model_seconds": model_seconds(instance, run.run_id),
    }
    print(json.dumps(report))
    return exit_code


def model_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Each dbt model's execution time in the run, by unique id, from the metadata
    dagster-dbt puts on its materializations."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
    ).records
    seconds: dict[str, float] = {}
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is None:
            continue
        metadata = materialization.metadata
        if "unique_id" in metadata and "Execution Duration" in metadata:
            unique_id = str(metadata["unique_id"].value)
            seconds[unique_id] = float(metadata["Execution Duration"].value)  # type: ignore[arg-type]
    return seconds


if __name__ == "__main__":
    sys.exit(main())
