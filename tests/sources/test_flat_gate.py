"""The raw gate on the real Maven export: its known defects warn, a broken export blocks.

Outcomes chosen per defect (expectations/flat/, docs/sources.md "Known defects of real exports"):
- blank account on open deals (1,425 rows): warn; the deals count in every figure, only
  per-account lists miss them.
- Prospecting rows without engage_date (500): warn; staging dates them from the first
  extract that shows them.
- sector `technolgy` (12 accounts): warn; a descriptive label, no figure depends on it.
- product `GTXPro` vs `GTX Pro` (1,480 rows): a dbt relationships test at severity warn
  (the gate checks one file at a time); the product is only the deal's name.
- a stage label not in the stage_mappings seed: blocks, naming the seed to edit.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from third_party import maven_dir, write_drop, write_maven_drop

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.quality.checks import check_result
from dagster_project.quality.gate import run_gate
from dagster_project.quality.parameters import SEEDS_DIR
from dagster_project.quality.results import GateReport
from dagster_project.settings import EXPECTATIONS_DIR

DROP_DAY = date(2017, 12, 31)


def gate(connection: duckdb.DuckDBPyConnection, entity: str) -> GateReport:
    return run_gate(
        connection,
        entity,
        run_id="flat",
        expectations_dir=EXPECTATIONS_DIR,
        seeds_dir=SEEDS_DIR,
        chunk_rows=200_000,
    )


@pytest.fixture(scope="module")
def maven_raw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("flat_gate")
    write_maven_drop(root / "landing", DROP_DAY)
    with duckdb.connect(str(root / "build.duckdb")) as connection:
        report = load_pending_drops(connection, root / "landing", datetime(2018, 1, 1))
        assert report.rejected is None
        yield connection


def warned(report: GateReport) -> dict[str, int]:
    return {result.spec.columns[0]: result.failing_rows for result in report.warnings}


def test_the_maven_pipeline_passes_with_its_two_row_defects_as_warnings(
    maven_raw: duckdb.DuckDBPyConnection,
) -> None:
    report = gate(maven_raw, "flat__sales_pipeline")

    assert report.blocking == []
    assert warned(report) == {"account": 1425, "engage_date": 500}
    assert check_result(report).severity.value == "WARN"


def test_the_misspelt_sector_warns(maven_raw: duckdb.DuckDBPyConnection) -> None:
    report = gate(maven_raw, "flat__accounts")

    assert report.blocking == []
    assert warned(report) == {"sector": 12}
    assert "technolgy" in check_result(report).description


@pytest.mark.parametrize("entity", ["flat__sales_teams", "flat__products"])
def test_the_lookup_files_pass(maven_raw: duckdb.DuckDBPyConnection, entity: str) -> None:
    report = gate(maven_raw, entity)

    assert (report.blocking, report.warnings) == ([], [])


def test_a_stage_label_missing_from_the_mapping_blocks_and_names_the_seed(
    tmp_path: Path,
) -> None:
    with (maven_dir() / "sales_pipeline.csv").open(newline="") as source:
        rows = list(csv.reader(source))
    rows[3][4] = "Negotiating"
    edited = tmp_path / "sales_pipeline.csv"
    with edited.open("w", newline="") as target:
        csv.writer(target).writerows(rows)
    write_drop(tmp_path / "landing", DROP_DAY, "flat", {"sales_pipeline.csv": edited})
    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        load_pending_drops(connection, tmp_path / "landing", datetime(2018, 1, 1))
        report = gate(connection, "flat__sales_pipeline")

    assert [result.spec.columns for result in report.blocking] == [("deal_stage",)]
    description = check_result(report).description
    assert "row 3 'Negotiating'" in description
    assert "dbt/seeds/stage_mappings.csv" in description
