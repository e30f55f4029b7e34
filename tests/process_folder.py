"""The folder of this test process, and the one warehouse path every run in it goes by.

dbt parses the whole project again (about 8 s of CPU) whenever the profile differs from
the one its kept parse was made with, and the profile holds the warehouse path: a run on
each test's own warehouse would pay a full parse every time. So each test process (each
pytest-xdist worker) keeps dbt's target folder of its own, and a run reaches its
warehouse through this process's one link, pointed at that warehouse just before: every
run of the process has the same profile and parses only what changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dagster_project.settings import Paths

PROCESS_FOLDER = Path(tempfile.mkdtemp(prefix="pipehealth-tests-"))
DBT_TARGET_FOLDER = PROCESS_FOLDER / "dbt_target"
RUN_WAREHOUSE_LINK = PROCESS_FOLDER / "run_warehouse"


def linked_warehouse(warehouse: Path) -> Path:
    """RUN_WAREHOUSE_LINK, pointed at `warehouse` (made where missing, as a run makes it)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    pointing = RUN_WAREHOUSE_LINK.with_name(f"{RUN_WAREHOUSE_LINK.name}.new")
    pointing.unlink(missing_ok=True)
    pointing.symlink_to(warehouse.absolute(), target_is_directory=True)
    os.replace(pointing, RUN_WAREHOUSE_LINK)
    return RUN_WAREHOUSE_LINK


def linked(paths: Paths) -> Paths:
    """`paths` with the warehouse reached through RUN_WAREHOUSE_LINK."""
    return Paths(landing=paths.landing, warehouse=linked_warehouse(paths.warehouse))
