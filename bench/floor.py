"""The floor: every dbt model's compiled SQL run in DAG order in one bare DuckDB connection.

No dbt, no Dagster: `create table/view ... as <compiled SQL>` for each model of the
manifest written by `dbt compile`, on a copy of a built warehouse (raw and seeds are
kept, the model schemas are dropped first). Prints as JSON the seconds spent, in all and
on the models the pandas peer's three marts are built from (those marts and every model
upstream of them), so the peer is compared with the engine doing the same work, and the
ids of those models (bench.py sums the pipeline's own time for them). The slowest
models go to stderr (the benchmark's floor.log), to show where the time goes.

    python bench/floor.py MANIFEST BUILD_DATABASE_COPY
"""

from __future__ import annotations

import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.settings import Paths, duckdb_config

MODEL_SCHEMAS = ("staging", "intermediate", "marts")
SLOWEST_SHOWN = 20
PEER_MARTS = ("fct_deal_daily_snapshot", "mart_attainment_by_period", "mart_stage_conversion")


def models_in_dag_order(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    graph = {
        unique_id: [parent for parent in node["depends_on"]["nodes"] if parent in models]
        for unique_id, node in models.items()
    }
    return [models[unique_id] for unique_id in TopologicalSorter(graph).static_order()]


def upstream_of(manifest: dict[str, Any], names: tuple[str, ...]) -> set[str]:
    """The unique ids of the named models and of every model they are built from."""
    pending = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["name"] in names
    ]
    found: set[str] = set()
    while pending:
        unique_id = pending.pop()
        if unique_id in found or not unique_id.startswith("model."):
            continue
        found.add(unique_id)
        pending.extend(manifest["nodes"][unique_id]["depends_on"]["nodes"])
    return found


def statement(node: dict[str, Any]) -> str | None:
    """The DDL dbt would run for the model, or None for an ephemeral (inlined) one."""
    materialized = node["config"]["materialized"]
    if materialized == "ephemeral":
        return None
    kind = "view" if materialized == "view" else "table"
    return f"create or replace {kind} {node['relation_name']} as (\n{node['compiled_code']}\n)"


def print_slowest(seconds_per_model: dict[str, float], peer_models: set[str]) -> None:
    print("slowest models (s; * = upstream of the peer's marts):", file=sys.stderr)
    slowest = sorted(seconds_per_model.items(), key=lambda item: item[1], reverse=True)
    for name, seconds in slowest[:SLOWEST_SHOWN]:
        marker = "*" if name in peer_models else " "
        print(f"  {seconds:8.2f} {marker} {name}", file=sys.stderr)


def run_floor(manifest_path: Path, database: Path) -> dict[str, object]:
    manifest = json.loads(manifest_path.read_text())
    # The same engine settings as the dbt profile and the run's own connections, so the
    # comparison is of equal means.
    warehouse = Paths(landing=database.parent, warehouse=database.parent)
    connection = duckdb.connect(str(database), config=duckdb_config(warehouse))
    try:
        connection.execute("set TimeZone = 'UTC'")
        for schema in MODEL_SCHEMAS:
            connection.execute(f"drop schema if exists {schema} cascade")
            connection.execute(f"create schema {schema}")
        peer_models = upstream_of(manifest, PEER_MARTS)
        floor_seconds = peer_seconds = 0.0
        seconds_per_model: dict[str, float] = {}
        for node in models_in_dag_order(manifest):
            ddl = statement(node)
            if ddl is None:
                continue
            started = time.perf_counter()
            connection.execute(ddl)
            seconds = time.perf_counter() - started
            seconds_per_model[node["name"]] = seconds
            floor_seconds += seconds
            if node["unique_id"] in peer_models:
                peer_seconds += seconds
        print_slowest(
            seconds_per_model, peer_models={manifest["nodes"][u]["name"] for u in peer_models}
        )
        return {
            "floor_seconds": floor_seconds,
            "peer_marts_floor_seconds": peer_seconds,
            "peer_model_ids": sorted(peer_models),
        }
    finally:
        connection.close()


if __name__ == "__main__":
    print(json.dumps(run_floor(Path(sys.argv[1]), Path(sys.argv[2]))))
