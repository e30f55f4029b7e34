"""The gate as a Dagster check: a blocking failure stops what is downstream, a warning not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from raw_layout import Row, add_drop, add_owners, closed_deals

from dagster_project.ingest.raw_tables import ensure_raw_schema
from dagster_project.quality.checks import GATE_CHECK_NAME, build_raw_gate_checks
from dagster_project.resources import WarehouseResource


@dg.asset(key=["raw", "deals"])
def raw_deals() -> None:
    """Stands in for the loader: the drop is in the warehouse already."""


@dg.asset(deps=[raw_deals])
def staged_deals() -> None:
    """Stands in for everything downstream of the raw layer."""


def run_with_drop(tmp_path: Path, seeds_dir: Path, rows: list[Row]) -> dg.ExecuteInProcessResult:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    with duckdb.connect(str(warehouse / "build.duckdb")) as connection:
        ensure_raw_schema(connection)
        add_owners(connection)
        add_drop(connection, "deals", date(2025, 1, 3), rows)
    return dg.materialize(
        [raw_deals, staged_deals, *build_raw_gate_checks(["deals"], seeds_dir=seeds_dir)],
        resources={
            "warehouse": WarehouseResource(
                landing_dir=str(tmp_path / "landing"), warehouse_dir=str(warehouse)
            )
        },
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.mark.parametrize(
    ("fault", "problem", "severity", "downstream_runs"),
    [
        ({"amount": "12,5O0"}, "do not parse as a number", dg.AssetCheckSeverity.ERROR, False),
        (
            {"closed_at": "2024-11-30T09:00:00Z"},
            "are closed before they were created",
            dg.AssetCheckSeverity.WARN,
            True,
        ),
    ],
    ids=["5% unparseable amounts block", "5% closed before created only warns"],
)
def test_a_failing_gate_skips_downstream_and_a_warning_does_not(
    tmp_path: Path,
    seeds_dir: Path,
    fault: Row,
    problem: str,
    severity: dg.AssetCheckSeverity,
    downstream_runs: bool,
) -> None:
    rows = closed_deals(200)
    for row in rows[:10]:
        row.update(fault)

    result = run_with_drop(tmp_path, seeds_dir, rows)

    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_check_key == dg.AssetCheckKey(
        dg.AssetKey(["raw", "deals"]), GATE_CHECK_NAME
    )
    assert (evaluation.passed, evaluation.severity) == (False, severity)
    assert problem in (evaluation.description or "")
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert (dg.AssetKey("staged_deals") in materialized) is downstream_runs
    assert result.success is downstream_runs
