"""The raw gate as Dagster asset checks: one blocking check per raw entity.

A failing `critical` expectation fails the check with severity ERROR, which stops
everything downstream of the raw asset. Warnings fail it with severity WARN: Dagster
shows them, and a blocking check with WARN severity does not stop downstream assets.
"""

# No `from __future__ import annotations`: Dagster reads the check function's `context`
# annotation at definition time, and cannot resolve it as a string in a nested function.
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from dagster_project.ingest.sources import suite_file
from dagster_project.quality import messages
from dagster_project.quality.audit import CHECK_RESULTS_TABLE
from dagster_project.quality.parameters import SEEDS_DIR
from dagster_project.quality.results import GateReport
from dagster_project.resources import WarehouseResource
from dagster_project.settings import EXPECTATIONS_DIR

RAW_KEY_PREFIX = "raw"
GATE_CHECK_NAME = "raw_gate"
DEFAULT_CHUNK_ROWS = 200_000


def build_raw_gate_checks(
    entities: Sequence[str],
    *,
    expectations_dir: Path = EXPECTATIONS_DIR,
    seeds_dir: Path = SEEDS_DIR,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> list[dg.AssetChecksDefinition]:
    """One blocking check `raw_gate` per entity, on the asset `raw/<entity>`."""
    return [_raw_gate_check(entity, expectations_dir, seeds_dir, chunk_rows) for entity in entities]


def _raw_gate_check(
    entity: str, expectations_dir: Path, seeds_dir: Path, chunk_rows: int
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([RAW_KEY_PREFIX, entity]),
        name=GATE_CHECK_NAME,
        blocking=True,
        description=(
            f"Great Expectations suite expectations/{suite_file(entity)} on every drop of "
            f"raw.{entity} not gated yet; results in {CHECK_RESULTS_TABLE}."
        ),
    )
    def raw_gate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        # Imported here: Great Expectations takes seconds to import, which loading the
        # definitions (UI, CLI, sensors) should not pay for.
        from dagster_project.quality.gate import run_gate

        with warehouse.connect() as connection:
            report = run_gate(
                connection,
                entity,
                run_id=context.run.run_id,
                expectations_dir=expectations_dir,
                seeds_dir=seeds_dir,
                chunk_rows=chunk_rows,
            )
        result = check_result(report)
        context.log.info(result.description)
        return result

    return raw_gate


def check_result(report: GateReport) -> dg.AssetCheckResult:
    if report.blocking:
        passed, severity = False, dg.AssetCheckSeverity.ERROR
    elif report.warnings:
        passed, severity = False, dg.AssetCheckSeverity.WARN
    else:
        passed, severity = True, dg.AssetCheckSeverity.ERROR
    return dg.AssetCheckResult(
        passed=passed,
        severity=severity,
        description=messages.check_description(report),
        metadata={
            "drops_checked": ", ".join(str(drop.extract_date) for drop in report.drops) or "none",
            "rows_checked": sum(drop.rows for drop in report.drops),
            "blocking_problems": len(report.blocking),
            "warnings": len(report.warnings),
            "audit": f"select * from {CHECK_RESULTS_TABLE} where run_id = '{report.run_id}'",
        },
    )
