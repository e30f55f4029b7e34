"""The one job: load, gate, build, test, publish."""

from __future__ import annotations

import dagster as dg

from dagster_project.instance_config import WAREHOUSE_TAG

# DuckDB allows one writer process: steps run one after another in the run's process.
pipehealth_build_job = dg.define_asset_job(
    name="pipehealth_build",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    # The run queue lets one run with this tag be in progress (dagster.yaml).
    tags={WAREHOUSE_TAG: "build"},
    description="Load pending landing drops, gate them, dbt build, publish the marts.",
)
