"""The Dagster instance settings pipehealth needs, written to DAGSTER_HOME/dagster.yaml.

Runs launched by the schedule, the sensor or the UI go through Dagster's run queue;
the tag limit lets one run touching the warehouse be in progress at a time (the others
wait in the queue), and run monitoring marks failed a run whose process died, so it
does not hold that one slot. `pipehealth run` does not go through the queue: the
warehouse's run lock (warehouse_access) keeps it from overlapping any other run.
"""

from __future__ import annotations

from pathlib import Path

WAREHOUSE_TAG = "pipehealth/warehouse"

DAGSTER_YAML = f"""\
# Written by pipehealth when this DAGSTER_HOME was first used; edit freely.
concurrency:
  runs:
    # One run touching the warehouse at a time: DuckDB has one writer.
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        limit: 1
# A run whose process died is marked failed instead of holding the queue.
run_monitoring:
  enabled: true
  poll_interval_seconds: 60
telemetry:
  enabled: false
"""


def ensure_instance_config(dagster_home: Path) -> None:
    """Write dagster.yaml unless the user already has one there."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
