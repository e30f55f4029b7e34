"""One definition of each metric: docs/metrics.md's marked definitions are dbt's docs
blocks (dbt/models/marts/_metrics.md, generated), and a mart column named after one takes
its description from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dagster_project.transform.metric_docs import (
    DOCS_BLOCKS_FILE,
    METRICS_DOC,
    docs_blocks,
    metric_definitions,
)

# The headline metrics, each defined once for dbt docs and the semantic layer.
HEADLINE_METRICS = {
    "open_pipeline",
    "weighted_pipeline",
    "pipeline_generated",
    "bookings",
    "quota",
    "attainment_pct",
    "win_rate",
    "win_rate_by_value",
    "avg_deal_size",
    "avg_sales_cycle_days",
    "coverage_ratio",
    "connect_rate",
    "demo_no_show_rate",
    "mql_to_sql_rate",
    "sql_to_opportunity_rate",
}


def test_a_marked_list_item_becomes_a_definition_without_its_marker_and_bold() -> None:
    markdown = (
        "Text around is not a definition.\n"
        "<!-- docs win_rate -->\n"
        "- **win_rate** = won ÷ closed, a line\n"
        "  that goes on.\n"
        "<!-- enddocs -->\n"
        "- **not_marked** = left out.\n"
    )

    definitions = metric_definitions(markdown)

    assert definitions == {"win_rate": "win_rate = won ÷ closed, a line\nthat goes on."}
    blocks = docs_blocks(definitions)
    assert "\n- **win_rate** = won ÷ closed, a line\n  that goes on.\n{% enddocs %}" in blocks
    assert blocks.endswith(
        "{% docs win_rate %}\nwin_rate = won ÷ closed, a line\nthat goes on.\n{% enddocs %}\n"
    )


@pytest.mark.parametrize(
    ("markdown", "error"),
    [
        ("<!-- docs a -->\n- **a** = x\n<!-- enddocs -->\n" * 2, "defines 'a' twice"),
        ("<!-- docs a -->\n- **b** = x\n<!-- enddocs -->\n", "'a' is not `- \\*\\*a\\*\\*"),
    ],
)
def test_a_malformed_definition_is_named(markdown: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        metric_definitions(markdown)


def test_the_dbt_docs_blocks_are_the_metrics_doc_s_definitions() -> None:
    definitions = metric_definitions(METRICS_DOC.read_text())

    assert set(definitions) >= HEADLINE_METRICS
    assert DOCS_BLOCKS_FILE.read_text() == docs_blocks(definitions), (
        "docs/metrics.md changed: run `make metric-docs`"
    )


def test_a_mart_column_named_after_a_metric_is_described_by_its_docs_block(
    dbt_manifest: Path,
) -> None:
    manifest = json.loads(dbt_manifest.read_text())
    blocks = {
        doc["name"]: doc["block_contents"]
        for doc in manifest["docs"].values()
        if doc["package_name"] == "pipehealth"
    }
    definitions = metric_definitions(METRICS_DOC.read_text())
    assert {name: blocks.get(name) for name in definitions} == definitions

    described, drifted = [], []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["schema"] != "marts":
            continue
        for column in node["columns"].values():
            if column["name"] in definitions:
                described.append(column["name"])
                if not column["description"].startswith(definitions[column["name"]]):
                    drifted.append(f"{node['name']}.{column['name']}")

    assert drifted == [], 'describe these columns with {{ doc("<column>") }}'
    assert set(described) == set(definitions)
