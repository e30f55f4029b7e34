"""Load a landing folder's pending drops into a test warehouse's raw layer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.settings import BUILD_DATABASE_NAME


def load(warehouse: Path, landing: Path, loaded_at: datetime) -> None:
    """Every pending drop, stamped `loaded_at`; none may be rejected."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        report = load_pending_drops(connection, landing, loaded_at)
    assert report.rejected is None
