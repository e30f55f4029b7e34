"""One `pipehealth run`: the whole job in this process, then a short summary."""

from __future__ import annotations

import sys

import dagster as dg

from dagster_project.exit_codes import (
    EXIT_ERROR,
    EXIT_GATE_FAILED,
    EXIT_PUBLISHED,
    GATE_FAILURE_METADATA_KEY,
)
from dagster_project.ingest.postgres_mirror import connect_postgres, postgres_connection_settings
from dagster_project.publish import postgres
from dagster_project.publish.publisher import served_mart_row_counts
from dagster_project.settings import POSTGRES_TARGET, Paths, dbt_target


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
        _print_summary(paths, checks_passed=len(result.get_asset_check_evaluations()))
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


def _print_summary(paths: Paths, checks_passed: int) -> None:
    print("\npipehealth: published")
    on_postgres = dbt_target() == POSTGRES_TARGET
    if on_postgres:
        with connect_postgres() as connection:
            rows_per_mart = postgres.mart_row_counts(connection)
    else:
        rows_per_mart = served_mart_row_counts(paths.served_database)
    for name, rows in rows_per_mart.items():
        print(f"  marts.{name:<32} {rows:>12,} rows")
    print(f"  checks passed: {checks_passed}")
    if on_postgres:
        server = postgres_connection_settings()
        print(f"  PostgreSQL:    schema marts of {server['dbname']} on {server['host']}")
    else:
        print(f"  BI file:       {paths.served_database}")
        print(f"  Parquet:       {paths.parquet_dir}/<mart>.parquet")
