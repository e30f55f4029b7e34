"""Append pending landing drops to the `raw` schema: one row per distinct version.

Planning (load_plan.py) picks the drops; they load in one transaction
(load_transaction.py), each batch's rows stored by the version rule (versioning.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.drops import DropRejectedError
from dagster_project.ingest.load_plan import plan_load
from dagster_project.ingest.load_transaction import LoadCounts, load_in_one_transaction
from dagster_project.ingest.raw_tables import ensure_raw_schema


@dataclass(frozen=True)
class LoadReport:
    """What one load did; `rejected` is the first drop that could not be loaded, if any.

    `warnings` name drops whose files changed after they were accepted: those changes
    are ignored.
    """

    drops_loaded: list[str] = field(default_factory=list)
    drops_replaced: list[str] = field(default_factory=list)
    counts: LoadCounts = field(default_factory=LoadCounts)
    rejected: DropRejectedError | None = None
    warnings: list[str] = field(default_factory=list)


def load_pending_drops(
    connection: duckdb.DuckDBPyConnection, landing: Path, loaded_at: datetime
) -> LoadReport:
    """Load every complete drop not loaded yet, oldest first, in one transaction.

    Drops before the first one that cannot be loaded are loaded; that one and later
    ones wait (a later drop's rows must not become current before an earlier drop's),
    and raw keeps nothing of them.
    """
    ensure_raw_schema(connection)
    plan = plan_load(connection, landing)
    while plan.drops:
        try:
            counts = load_in_one_transaction(connection, plan, loaded_at)
        except DropRejectedError as error:
            if error.extract_date is None:
                raise
            plan = plan.before(error, error.extract_date)
        else:
            return LoadReport(
                drops_loaded=[drop.name for drop, _ in plan.drops],
                drops_replaced=[str(day) for day in plan.replaced],
                counts=counts,
                rejected=plan.rejected,
                warnings=list(plan.warnings),
            )
    return LoadReport(rejected=plan.rejected, warnings=list(plan.warnings))
