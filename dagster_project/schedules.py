"""The nightly run; cron and timezone come from the environment."""

from __future__ import annotations

import os

import dagster as dg

from dagster_project.jobs import pipehealth_build_job

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_build",
    job=pipehealth_build_job,
    cron_schedule=os.environ.get("PIPEHEALTH_SCHEDULE_CRON", "0 2 * * *"),
    execution_timezone=os.environ.get("PIPEHEALTH_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
