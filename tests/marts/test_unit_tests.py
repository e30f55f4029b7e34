"""Every dbt unit test of the project passes, all of them in one dbt invocation.

The pipeline's `dbt build` leaves unit tests out: they check the SQL on hand-made rows,
so their answer does not change with the night's data. Here they run on a copy of the
sample's build database (dbt reads the column types of each tested model's inputs from
it, and opens it for writing, which the shared sample must never be).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dbt_cli import run_dbt
from process_folder import DBT_TARGET_FOLDER

from dagster_project.settings import BUILD_DATABASE_NAME


def test_every_dbt_unit_test_passes(sample: tuple[Path, Path], tmp_path: Path) -> None:
    _, shared_warehouse = sample
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(shared_warehouse / BUILD_DATABASE_NAME, warehouse / BUILD_DATABASE_NAME)
    run_dbt(warehouse, "test", "--resource-type", "unit_test")
    unit_tests = json.loads((DBT_TARGET_FOLDER / "manifest.json").read_text())["unit_tests"]
    run_results = json.loads((DBT_TARGET_FOLDER / "run_results.json").read_text())["results"]
    passed = {result["unique_id"] for result in run_results if result["status"] == "pass"}
    assert len(unit_tests) >= 50
    assert passed == set(unit_tests)
