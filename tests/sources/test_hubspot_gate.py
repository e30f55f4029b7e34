"""The raw gate on Fivetran's HubSpot tables: the drop passes, broken exports block.

Outcomes chosen (expectations/hubspot/, docs/sources.md "Known defects of real exports"):
- a deal without an owner (22 of the 44 deals as Fivetran wrote them): warns; every real
  CRM has unassigned deals, and the marts count them under the rep and team `unassigned`.
- a deal stage id not in the stage_mappings seed: blocks, naming the seed to edit.
- an amount that does not parse as a number: blocks, naming file, column and row.
- a meeting ending in 1970 (one of Fivetran's meetings, an epoch read as milliseconds)
  passes: the value parses, and no figure but that meeting's day depends on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hubspot_export import deals_in_default_pipeline, write_hubspot_drop

from dagster_project.ingest.hubspot_contract import ENTITIES
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.quality.checks import check_result
from dagster_project.quality.gate import run_gate
from dagster_project.quality.parameters import SEEDS_DIR
from dagster_project.quality.results import GateReport
from dagster_project.settings import EXPECTATIONS_DIR

LOADED_AT = datetime(2021, 2, 1)


def gate(connection: duckdb.DuckDBPyConnection, entity: str) -> GateReport:
    return run_gate(
        connection,
        entity,
        run_id="hubspot",
        expectations_dir=EXPECTATIONS_DIR,
        seeds_dir=SEEDS_DIR,
        chunk_rows=200_000,
    )


def loaded(root: Path, deals: pd.DataFrame | None = None) -> duckdb.DuckDBPyConnection:
    staged = root / "staged"
    staged.mkdir()
    write_hubspot_drop(root / "landing", staged, deals)
    connection = duckdb.connect(str(root / "build.duckdb"))
    report = load_pending_drops(connection, root / "landing", LOADED_AT)
    assert report.rejected is None
    return connection


@pytest.fixture(scope="module")
def hubspot_raw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with loaded(tmp_path_factory.mktemp("hubspot_gate")) as connection:
        yield connection


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_every_hubspot_file_passes(hubspot_raw: duckdb.DuckDBPyConnection, entity: str) -> None:
    report = gate(hubspot_raw, entity)

    assert report.blocking == []


def test_deals_without_an_owner_warn_naming_file_column_and_rows(tmp_path: Path) -> None:
    # The deal file keeps Fivetran's owners (hubspot_export.py): 22 deals have none.
    with loaded(tmp_path) as connection:
        report = gate(connection, "hubspot__deal")

    assert report.blocking == []
    assert [(r.spec.columns, r.failing_rows) for r in report.warnings] == [(("owner_id",), 22)]
    description = check_result(report).description
    assert (
        "2021-01-31/deal.csv: column owner_id: 22 of 44 rows have no owner (counted under the "
        "rep and team `unassigned`)"
    ) in description
    assert "row 1 null" in description


def test_an_unmapped_stage_and_an_unparsable_amount_block(tmp_path: Path) -> None:
    deals = deals_in_default_pipeline()
    deals.loc[2, "deal_pipeline_stage_id"] = "1234567"
    deals.loc[4, "property_amount"] = "12,5O0"

    with loaded(tmp_path, deals) as connection:
        report = gate(connection, "hubspot__deal")

    assert sorted(result.spec.columns for result in report.blocking) == [
        ("deal_pipeline_stage_id",),
        ("property_amount",),
    ]
    description = check_result(report).description
    assert "column deal_pipeline_stage_id: 1 of 44 rows" in description
    assert "row 3 '1234567'" in description
    assert "dbt/seeds/stage_mappings.csv" in description
    assert "column property_amount: 1 of 44 rows do not parse as a number" in description
    assert "row 5 '12,5O0'" in description
