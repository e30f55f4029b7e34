"""The floor: every dbt model's compiled SQL run in DAG order in one bare DuckDB connection.

No dbt, no Dagster: `create table/view ... as <compiled SQL>` for each model of the
manifest written by `dbt compile`, on a copy of a built warehouse (raw and seeds are
kept, the model schemas are dropped first). Prints the seconds spent as JSON.

    python bench/floor.py MANIFEST BUILD_DATABASE_COPY
"""

from __future__ import annotations

import json
import os
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb

MODEL_SCHEMAS = ("staging", "intermediate", "marts")


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


def statement(node: dict[str, Any]) -> str | None:
    """The DDL dbt would run for the model, or None for an ephemeral (inlined) one."""
    materialized = node["config"]["materialized"]
    if materialized == "ephemeral":
        return None
    kind = "view" if materialized == "view" else "table"
    return f"create or replace {kind} {node['relation_name']} as (\n{node['compiled_code']}\n)"


def run_floor(manifest_path: Path, database: Path) -> float:
    manifest = json.loads(manifest_path.read_text())
    connection = duckdb.connect(str(database))
    try:
        # The same engine settings as the dbt profile, so the comparison is of equal means.
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(
            "set memory_limit = ?", [os.environ.get("PIPEHEALTH_DUCKDB_MEMORY_LIMIT", "8GB")]
        )
        connection.execute(
            "set threads = ?", [int(os.environ.get("PIPEHEALTH_DUCKDB_THREADS", "2"))]
        )
        connection.execute("set temp_directory = ?", [str(database.parent / "tmp")])
        for schema in MODEL_SCHEMAS:
            connection.execute(f"drop schema if exists {schema} cascade")
            connection.execute(f"create schema {schema}")
        started = time.perf_counter()
        for node in models_in_dag_order(manifest):
            ddl = statement(node)
            if ddl is not None:
                connection.execute(ddl)
        return time.perf_counter() - started
    finally:
        connection.close()


if __name__ == "__main__":
    seconds = run_floor(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({"floor_seconds": seconds}))
