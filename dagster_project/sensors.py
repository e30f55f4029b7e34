"""Start a build when the exporter finishes a new landing drop (its `_SUCCESS` marker)."""

import dagster as dg

from dagster_project.ingest.drops import complete_drop_folders
from dagster_project.jobs import pipehealth_build_job
from dagster_project.settings import current_paths


@dg.sensor(
    name="new_landing_drop",
    job=pipehealth_build_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Requests one build when complete drops newer than the last one seen appear; "
        "the build loads every pending drop in date order."
    ),
)
def new_landing_drop_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    # The cursor is the newest drop date seen, so the sensor never opens the warehouse
    # (the running build holds DuckDB's single writer lock), nor takes the warehouse
    # resource (which would wait for the run lock).
    folders = complete_drop_folders(current_paths().landing)
    newest = folders[-1][0].isoformat() if folders else None
    if newest is None or (context.cursor and newest <= context.cursor):
        return dg.SkipReason(f"No complete drop newer than {context.cursor or 'none'}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"drops-through-{newest}")],
        cursor=newest,
    )
