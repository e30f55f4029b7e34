"""Every mart's public shape is fixed by an enforced dbt model contract.

BI dashboards are built on the marts' column names and types (docs/bi.md), so
each mart model carries `contract: {enforced: true}` and a portable `data_type` on every
column: a SQL change that renames, drops, adds or retypes a column then fails the build
instead of silently reaching a dashboard.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dagster_project.settings import DBT_PROJECT_DIR

MARTS_FOLDER = "models/marts/"
# Types that mean the same on DuckDB and PostgreSQL; numerics always with precision.
PORTABLE_TYPE = re.compile(r"text|date|timestamp|boolean|integer|bigint|numeric\(\d+,\d+\)")


@pytest.fixture(scope="module")
def mart_models(dbt_manifest: Path) -> dict[str, dict[str, Any]]:
    """Manifest nodes of the contracted marts, by model name, from the session's parse."""
    manifest = json.loads(dbt_manifest.read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(MARTS_FOLDER)
    }


def test_every_mart_sql_file_is_a_parsed_model(mart_models: dict[str, dict[str, Any]]) -> None:
    marts_dir = DBT_PROJECT_DIR / MARTS_FOLDER
    sql_files = {path.stem for path in marts_dir.rglob("*.sql")}
    assert {
        "snap_deals",
        "fct_deal_daily_snapshot",
        "mart_attainment_by_period",
        "mart_pipeline_health",
    } <= sql_files
    assert set(mart_models) == sql_files


def test_every_mart_has_an_enforced_contract(mart_models: dict[str, dict[str, Any]]) -> None:
    uncontracted = sorted(
        name for name, node in mart_models.items() if not node["contract"]["enforced"]
    )
    assert uncontracted == []


def test_every_mart_column_has_a_portable_data_type(
    mart_models: dict[str, dict[str, Any]],
) -> None:
    untyped = sorted(
        f"{name}.{column_name}: {column['data_type']}"
        for name, node in mart_models.items()
        for column_name, column in node["columns"].items()
        if not PORTABLE_TYPE.fullmatch(column["data_type"] or "")
    )
    assert all(node["columns"] for node in mart_models.values())
    assert untyped == []


def test_every_relation_name_fits_postgresql(dbt_manifest: Path) -> None:
    """PostgreSQL cuts identifiers at 63 bytes, and dbt builds each unit test's fixture
    under the test's own name, so a longer name only fails on the Postgres target."""
    manifest = json.loads(dbt_manifest.read_text())
    names = [node["name"] for node in manifest["unit_tests"].values()] + [
        node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"
    ]
    assert [name for name in names if len(name) > 63] == []
