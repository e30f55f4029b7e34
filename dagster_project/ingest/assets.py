"""The raw assets: every complete landing drop appended to `raw.<entity>`."""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import duckdb

from dagster_project.exit_codes import GATE_FAILURE_METADATA_KEY
from dagster_project.ingest.drops import DropRejectedError
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.ingest.postgres_mirror import MirrorReport, connect_postgres, mirror_raw
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.quality.audit import record_load_rejection
from dagster_project.resources import WarehouseResource
from dagster_project.settings import POSTGRES_TARGET, dbt_target

RAW_GROUP = "raw"
DROP_LOG_KEY = dg.AssetKey([RAW_GROUP, "_drops"])
# On each raw table's materialization: how many files of the loaded drops it read.
FILES_READ_METADATA_KEY = "files_read"


def raw_asset_key(entity: str) -> dg.AssetKey:
    return dg.AssetKey([RAW_GROUP, entity])


@dg.multi_asset(
    name="raw_extracts",
    specs=[
        dg.AssetSpec(
            raw_asset_key(entity),
            group_name=RAW_GROUP,
            description=(
                f"Append-only history of the `{entity}` extracts: one row per distinct version, "
                "all columns as text plus _extract_date, _source_file, _source_row, _loaded_at."
            ),
            kinds={"duckdb"},
        )
        for entity in RAW_TABLES
    ]
    + [
        dg.AssetSpec(
            DROP_LOG_KEY,
            group_name=RAW_GROUP,
            description="The loader's log: one row per drop loaded, with its mode and source.",
            kinds={"duckdb"},
        )
    ],
)
def raw_extracts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Load every complete drop not loaded yet, in date order, in one transaction."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with warehouse.connect() as connection:
        try:
            report = load_pending_drops(connection, warehouse.paths.landing, loaded_at)
        except DropRejectedError as error:
            # The whole load rolled back: raw is as it was before this run.
            _record_rejection(connection, context.run.run_id, error, loaded_at)
            raise _drop_rejected(error, drops_loaded=0) from error
        if report.rejected is not None:
            _record_rejection(connection, context.run.run_id, report.rejected, loaded_at)
        stored = {
            entity: connection.execute(f"select count(*) from raw.{entity}").fetchone()[0]
            for entity in RAW_TABLES
        }
        mirror = _mirror_to_postgres(connection, warehouse) if _builds_on_postgres() else None
    for warning in report.warnings:
        context.log.warning(warning)
    if report.drops_replaced:
        context.log.info(
            f"Re-delivered drop(s) waiting at the gate replaced: {', '.join(report.drops_replaced)}"
        )
    if report.drops_loaded:
        context.log.info(
            f"Loaded {len(report.drops_loaded)} drop(s): "
            f"{report.drops_loaded[0]} .. {report.drops_loaded[-1]}"
        )
    else:
        context.log.info(f"No new complete drop in {warehouse.paths.landing}")
    if report.rejected is not None:
        raise _drop_rejected(report.rejected, drops_loaded=len(report.drops_loaded))
    yield dg.MaterializeResult(
        asset_key=DROP_LOG_KEY,
        metadata={
            "drops_loaded": report.drops_loaded,
            "drops_replaced": report.drops_replaced,
            "warnings": report.warnings,
            **_mirror_metadata(mirror),
        },
    )
    for entity in RAW_TABLES:
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(entity),
            metadata={
                "drops_loaded": len(report.drops_loaded),
                FILES_READ_METADATA_KEY: report.counts.files_read[entity],
                "rows_read": report.counts.rows_read[entity],
                "versions_added": report.counts.versions_added[entity],
                "versions_stored": stored[entity],
            },
        )


def _record_rejection(
    connection: duckdb.DuckDBPyConnection, run_id: str, error: DropRejectedError, at: datetime
) -> None:
    record_load_rejection(
        connection,
        run_id=run_id,
        extract_date=error.extract_date,
        message=f"Landing drop rejected: {error}",
        rejected_at=at,
    )


def _builds_on_postgres() -> bool:
    return dbt_target() == POSTGRES_TARGET


def _mirror_to_postgres(
    connection: duckdb.DuckDBPyConnection, warehouse: WarehouseResource
) -> MirrorReport:
    """On the postgres target dbt reads raw on the server: copy what changed there.

    The gate still reads DuckDB's raw, and dbt on the server builds only after it passed,
    so a drop stopped at the gate reaches no model on either engine.
    """
    with connect_postgres() as server:
        return mirror_raw(connection, server, work_dir=warehouse.paths.warehouse / "tmp")


def _mirror_metadata(mirror: MirrorReport | None) -> dict[str, object]:
    if mirror is None:
        return {}
    return {"postgres_rows_copied": mirror.rows_copied}


def _drop_rejected(error: DropRejectedError, drops_loaded: int) -> dg.Failure:
    return dg.Failure(
        description=f"Landing drop rejected: {error}",
        metadata={GATE_FAILURE_METADATA_KEY: True, "drops_loaded_before_it": drops_loaded},
    )
