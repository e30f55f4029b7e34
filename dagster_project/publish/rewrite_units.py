"""How the publish writes each mart, from the dbt project's own config (YAML `meta`).

- `rewrite_unit: <column>`: the mart's incremental runs delete and rebuild whole values
  of that column, so the publish may patch it in place (see patch.py);
- `parquet_by_month: <date column>`: its Parquet is a folder a month of that column
  (`<mart>/snapshot_month=YYYY-MM/*.parquet` for `snapshot_date`, hive partitioning), and
  a publish writes only the months whose rows it rewrote (see parquet_months.py).
"""

from __future__ import annotations

import json
from pathlib import Path

REWRITE_UNIT_META_KEY = "rewrite_unit"
PARQUET_BY_MONTH_META_KEY = "parquet_by_month"


def rewrite_units(manifest_path: Path) -> dict[str, str]:
    """The rewrite unit column of each mart table that declares one, by table name."""
    return _meta_values(manifest_path, REWRITE_UNIT_META_KEY)


def parquet_months(manifest_path: Path) -> dict[str, str]:
    """The date column each mart with monthly Parquet files is split by, by table name."""
    return _meta_values(manifest_path, PARQUET_BY_MONTH_META_KEY)


def _meta_values(manifest_path: Path, key: str) -> dict[str, str]:
    manifest = json.loads(manifest_path.read_text())
    return {
        node["alias"]: node["config"]["meta"][key]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and key in node["config"].get("meta", {})
    }
