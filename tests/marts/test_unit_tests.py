"""Every dbt unit test of the project passes.

The pipeline's `dbt build` leaves unit tests out: they check the SQL on hand-made rows,
so their answer does not change with the night's data. Here they run on the sample
warehouse (dbt reads the column types of each tested model's inputs from it).
"""

from __future__ import annotations

import json
from pathlib import Path

from dbt_cli import run_dbt


def test_every_dbt_unit_test_passes(sample: tuple[Path, Path]) -> None:
    _, warehouse = sample
    # Its own target folder: the sample build's run_results.json is read by other tests.
    target = warehouse.parent / "dbt_unit_tests"
    run_dbt(warehouse, "test", "--resource-type", "unit_test", target_path=target)
    unit_tests = json.loads((target / "manifest.json").read_text())["unit_tests"]
    run_results = json.loads((target / "run_results.json").read_text())["results"]
    passed = {result["unique_id"] for result in run_results if result["status"] == "pass"}
    assert len(unit_tests) >= 50
    assert passed == set(unit_tests)
