"""One `pipehealth run`: the whole job in this process, then a short summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import dagster as dg

from dagster_project.exit_codes import (
    EXIT_ERROR,
    EXIT_GATE_FAILED,
    EXIT_PUBLISHED,
    GATE_FAILURE_METADATA_KEY,
)
from dagster_project.publish.publisher import served_mart_row_counts
from dagster_project.settings import Paths


def run_pipeline(paths: Paths) -> int:
    """Load, gate, build and publish; return the exit code DESIGN.md specifies."""
    from dagster_project.project import prepare_manifest

    prepare_manifest()
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("pipehealth_build")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    failed_checks = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    rejections = [
        event.step_failure_data.user_failure_data.description
        for event in result.get_step_failure_events()
        if event.step_failure_data is not None
        and event.step_failure_data.user_failure_data is not None
        and GATE_FAILURE_METADATA_KEY in event.step_failure_data.user_failure_data.metadata
    ]
    if result.success:
        _print_summary(paths, result.get_asset_check_evaluations())
        return EXIT_PUBLISHED
    if failed_checks or rejections:
        print("\nStopped by a quality gate; nothing was published.", file=sys.stderr)
        for description in rejections:
            print(f"  {description}", file=sys.stderr)
        for evaluation in failed_checks:
            key = evaluation.asset_check_key
            print(
                f"  {key.asset_key.to_user_string()} / {key.name}: {evaluation.description or ''}",
                file=sys.stderr,
            )
        print(f"The last good marts stay published at {paths.served_database}", file=sys.stderr)
        return EXIT_GATE_FAILED
    print(f"\nThe run failed (run id {result.run_id}); see the log above.", file=sys.stderr)
    return EXIT_ERROR


def _print_summary(paths: Paths, evaluations: Sequence[dg.AssetCheckEvaluation]) -> None:
    print("\npipehealth: published")
    for name, rows in served_mart_row_counts(paths.served_database).items():
        print(f"  marts.{name:<32} {rows:>12,} rows")
    print(f"  checks passed: {sum(evaluation.passed for evaluation in evaluations)}")
    # Warnings do not stop publishing (e.g. missing extract days carried over, field
    # history that disagrees with the extracts), so the summary is where they are seen.
    for evaluation in evaluations:
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN:
            key = evaluation.asset_check_key
            failed_rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
            rows = f" ({failed_rows.value} rows)" if failed_rows is not None else ""
            print(f"  warning:       {key.asset_key.to_user_string()} / {key.name}{rows}")
    print(f"  BI file:       {paths.served_database}")
    print(f"  Parquet:       {paths.parquet_dir}/<mart>.parquet")
