"""One `pipehealth run`: the whole job in this process, then a short summary."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project import warehouse_access
from dagster_project.crash_points import pause_point
from dagster_project.error_report import first_line, report_error, report_exception
from dagster_project.exit_codes import (
    EXIT_GATE_FAILED,
    EXIT_PUBLISHED,
    GATE_FAILURE_METADATA_KEY,
)
from dagster_project.ingest.postgres_mirror import connect_postgres, postgres_connection_settings
from dagster_project.ingest.unavailable_figures import unavailable_figure_lines
from dagster_project.progress import progress_display, step_of
from dagster_project.publish import postgres
from dagster_project.publish.checksums import mart_lines, served_mart_versions
from dagster_project.quality.checks import GATE_CHECK_NAME
from dagster_project.resources import DEFAULT_LOCK_WAIT_SECONDS
from dagster_project.settings import POSTGRES_TARGET, Paths, dbt_target

# Which process runs a `pipehealth run`, so the next one can tell it was killed.
PID_TAG = "pipehealth/pid"
HOST_TAG = "pipehealth/host"


def run_pipeline(paths: Paths, *, verbose: bool = False) -> int:
    """Load, gate, build and publish; return the exit code of docs/operations.md.

    Everything the run reads or writes in the warehouse, its summary included, happens
    inside the warehouse's run lock: a second run waits for all of it. `verbose` prints
    the gate line of every raw table, not only of those the loaded drops delivered.
    """
    run_id = str(uuid.uuid4())
    # dagster-dbt echoes every dbt line to stdout and Dagster logs warnings to stderr:
    # both go to a file, the terminal shows the steps.
    run_log = paths.warehouse / "logs" / f"{run_id}.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    print(f"pipehealth run {run_id}: {paths.landing} -> {paths.warehouse}", flush=True)
    print(f"  log (dbt's output, errors): {run_log}", flush=True)
    result: dg.ExecuteInProcessResult | None = None
    try:
        with warehouse_access.run_lock(
            paths.warehouse,
            holder=f"run {run_id} (pid {os.getpid()})",
            wait_seconds=DEFAULT_LOCK_WAIT_SECONDS,
            on_wait=lambda message: print(message, flush=True),
        ):
            result = _execute(paths, run_id, run_log, verbose)
            return report_result(result, paths, run_log)
    except Exception as error:
        published = result is not None and _publish_succeeded(result)
        return report_exception(_failure_headline(published), error, run_log)


def _execute(paths: Paths, run_id: str, run_log: Path, verbose: bool) -> dg.ExecuteInProcessResult:
    # Parsing writes dbt's target folder, and the definitions are built from its manifest.
    from dagster_project.project import prepare_manifest

    prepare_manifest()
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("pipehealth_build")
    instance = dg.DagsterInstance.get()
    _fail_runs_of_killed_processes(instance, job.name)
    with (
        run_log.open("w", encoding="utf-8") as log,
        progress_display(instance, run_id, stream=sys.stdout, verbose=verbose),
        contextlib.redirect_stdout(log),
        # Dagster's console logger writes a failed step's traceback to stderr: into the
        # log with the rest, the run ends with one line saying what failed.
        contextlib.redirect_stderr(log),
    ):
        return job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
            raise_on_error=False,
            # Step progress is printed from the event stream; the log keeps warnings.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )


def _publish_succeeded(result: dg.ExecuteInProcessResult) -> bool:
    return any(
        step_of(event.step_key or "") == "publish" for event in result.get_step_success_events()
    )


def report_result(result: dg.ExecuteInProcessResult, paths: Paths, run_log: Path) -> int:
    """Print what the finished run did and return its exit code."""
    published = _publish_succeeded(result)
    if result.success and published:
        pause_point("summary")
        _print_summary(paths, result.run_id, evaluations=result.get_asset_check_evaluations())
        return EXIT_PUBLISHED
    if result.success:
        # Dagster skips a step whose input was not materialized and still calls the run a
        # success: without the publish the served marts are last night's.
        return report_error(
            _failure_headline(published),
            f"Dagster skipped steps {_skipped_steps(result)}, the publish among them",
            "",
            run_log,
        )
    return _report_unsuccessful(result, paths, run_log, published)


def _skipped_steps(result: dg.ExecuteInProcessResult) -> str:
    return ", ".join(sorted(event.step_key or "" for event in result.get_step_skipped_events()))


def _failure_headline(published: bool, step_key: str | None = None) -> str:
    failed = f"pipehealth run failed in step {step_key}" if step_key else "pipehealth run failed"
    if published:
        return f"{failed} after publishing (the new marts are served)"
    return f"{failed}; nothing was published"


def _report_unsuccessful(
    result: dg.ExecuteInProcessResult, paths: Paths, run_log: Path, published: bool
) -> int:
    """Exit 1 with the gate's reasons if a gate stopped the run; else exit 2, naming the
    step that failed."""
    failed_checks = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]
    failures = [
        event for event in result.get_step_failure_events() if event.step_failure_data is not None
    ]
    rejections = [
        failure.user_failure_data.description
        for failure in (event.step_failure_data for event in failures)
        if failure is not None
        and failure.user_failure_data is not None
        and GATE_FAILURE_METADATA_KEY in failure.user_failure_data.metadata
    ]
    if (failed_checks or rejections) and not published:
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
    if not failures:
        headline = _failure_headline(published)
        return report_error(headline, f"run {result.run_id} did not succeed", "", run_log)
    headline = _failure_headline(published, failures[0].step_key)
    error = failures[0].step_failure_data.error if failures[0].step_failure_data else None
    if error is None:
        return report_error(headline, "no error recorded", "", run_log)
    # Dagster wraps the step's own exception: the innermost cause is the one that says why.
    cause = error
    while cause.cause is not None:
        cause = cause.cause
    return report_error(headline, first_line(cause.message), error.to_string(), run_log)


def _fail_runs_of_killed_processes(instance: dg.DagsterInstance, job_name: str) -> None:
    """Mark failed the runs a killed `pipehealth run` left "started" in the run storage.

    Left alone they would show as running in the UI forever and hold the run queue's
    one warehouse slot (dagster.yaml), so scheduled runs would never start.
    """
    unfinished = instance.get_run_records(
        dg.RunsFilter(
            job_name=job_name,
            statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    for record in unfinished:
        pid = record.dagster_run.tags.get(PID_TAG)
        if pid is not None and not _process_exists(int(pid)):
            instance.report_run_failed(
                record.dagster_run,
                message=f"The process of this run (pid {pid}) ended without finishing it; "
                "marked failed by the next pipehealth run.",
            )


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _print_summary(
    paths: Paths, run_id: str, evaluations: Sequence[dg.AssetCheckEvaluation]
) -> None:
    """What was published, and the warnings; reads the build database, so the caller
    holds the run lock."""
    on_postgres = dbt_target() == POSTGRES_TARGET
    if on_postgres:
        print(f"\npipehealth: published (run {run_id})")
        with connect_postgres() as connection:
            for name, rows in postgres.mart_row_counts(connection).items():
                print(f"  marts.{name:<32} {rows:>12,} rows")
    else:
        print(f"\npipehealth: published (run {run_id}; checksums recorded in audit.publishes)")
        for line in mart_lines(served_mart_versions(paths.served_database)):
            print(line)
    print(f"  checks passed: {sum(evaluation.passed for evaluation in evaluations)}")
    # Warnings do not stop publishing (e.g. missing extract days carried over, field
    # history that disagrees with the extracts), so the summary is where they are seen.
    for evaluation in evaluations:
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN:
            key = evaluation.asset_check_key
            failed_rows = evaluation.metadata.get("dagster_dbt/failed_row_count")
            rows = f" ({failed_rows.value} rows)" if failed_rows is not None else ""
            print(f"  warning:       {key.asset_key.to_user_string()} / {key.name}{rows}")
            if key.name == GATE_CHECK_NAME:
                # The raw gate's warnings name drop, file, column and rows: dirty CRM data
                # (no amount, no owner, ...) that the marts hold and count apart.
                for line in (evaluation.description or "").splitlines()[1:]:
                    print(f"    {line}")
    # The drops are read and logged in the build database on every target.
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        for line in unavailable_figure_lines(connection):
            print(line)
    if on_postgres:
        server = postgres_connection_settings()
        print(f"  PostgreSQL:    schema marts of {server['dbname']} on {server['host']}")
    else:
        print(f"  BI file:       {paths.served_database}")
        print(f"  Parquet:       {paths.parquet_dir}/<mart>.parquet (snapshot: a folder a month)")
        print(f"  Report:        {paths.report_dir / 'index.html'}")
