"""The one Definitions object: the whole wiring of pipehealth in one place.

landing -> raw (ingest) -> GX gate (quality) -> dbt staging/intermediate/marts
(transform) -> publish -> the weekly review (report)
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.alerts import run_failure_alert
from dagster_project.ingest.assets import raw_extracts
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.jobs import pipehealth_build_job
from dagster_project.project import DBT_EXECUTABLE, dbt_project
from dagster_project.publish.assets import published_marts
from dagster_project.quality.checks import build_raw_gate_checks
from dagster_project.report.assets import weekly_review
from dagster_project.resources import WarehouseResource
from dagster_project.schedules import nightly_schedule
from dagster_project.sensors import new_landing_drop_sensor
from dagster_project.transform.dbt_assets import pipehealth_dbt_models

defs = dg.Definitions(
    assets=[raw_extracts, pipehealth_dbt_models, published_marts, weekly_review],
    asset_checks=build_raw_gate_checks(list(RAW_TABLES)),
    jobs=[pipehealth_build_job],
    schedules=[nightly_schedule],
    sensors=[new_landing_drop_sensor, run_failure_alert],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
