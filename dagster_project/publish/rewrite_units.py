"""Which marts the publish may patch in place, from the dbt project's own config.

A mart opts in with `meta: {rewrite_unit: <column>}` in its YAML config: its
incremental runs delete and rebuild whole values of that column (see patch.py).
"""

from __future__ import annotations

import json
from pathlib import Path

REWRITE_UNIT_META_KEY = "rewrite_unit"


def rewrite_units(manifest_path: Path) -> dict[str, str]:
    """The rewrite unit column of each mart table that declares one, by table name."""
    manifest = json.loads(manifest_path.read_text())
    return {
        node["alias"]: node["config"]["meta"][REWRITE_UNIT_META_KEY]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and REWRITE_UNIT_META_KEY in node["config"].get("meta", {})
    }
