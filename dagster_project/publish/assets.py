"""The publish asset: runs after every dbt model and test passed."""

import dagster as dg

from dagster_project.ingest.postgres_mirror import connect_postgres
from dagster_project.project import dbt_project
from dagster_project.publish import postgres
from dagster_project.publish.history import record_publish
from dagster_project.publish.publisher import publish_marts
from dagster_project.publish.rewrite_units import parquet_months, rewrite_units
from dagster_project.resources import WarehouseResource
from dagster_project.settings import POSTGRES_TARGET, dbt_target
from dagster_project.transform.dbt_assets import MART_KEYS

PUBLISHED_MARTS_KEY = dg.AssetKey(["publish", "published_marts"])


@dg.asset(
    key=PUBLISHED_MARTS_KEY,
    group_name="publish",
    # The marts, not every dbt model: an incremental run leaves the staging and
    # intermediate views as they are (their SQL is the last build's), and Dagster skips a
    # step when an asset it reads was not built.
    deps=MART_KEYS,
    kinds={"duckdb", "parquet"},
    description=(
        "The served BI file warehouse/pipehealth.duckdb (schema marts only) and "
        "warehouse/parquet/<mart>.parquet (the daily snapshot: a folder a month), swapped "
        "in atomically after every gate passed."
    ),
)
def published_marts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if dbt_target() == POSTGRES_TARGET:
        return _grant_on_postgres(context)
    report = publish_marts(
        warehouse.paths,
        publish_id=context.run.run_id,
        rewrite_units=rewrite_units(dbt_project.manifest_path),
        parquet_months=parquet_months(dbt_project.manifest_path),
    )
    with warehouse.connect() as connection:
        record_publish(connection, report, action="publish")
    context.log.info(f"Published {len(report.marts)} marts to {report.served_database}")
    return dg.MaterializeResult(
        metadata={
            "served_database": dg.MetadataValue.path(str(report.served_database)),
            "parquet_dir": dg.MetadataValue.path(str(report.parquet_dir)),
            "rows_per_mart": dg.MetadataValue.json(report.rows_per_mart),
            "checksum_per_mart": dg.MetadataValue.json(
                {name: version.checksum for name, version in report.marts.items()}
            ),
        }
    )


def _grant_on_postgres(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """On the postgres target BI reads the server's `marts` schema where dbt built it."""
    role = postgres.bi_role()
    with connect_postgres() as connection:
        if role is not None:
            postgres.grant_marts_to(connection, role)
        rows_per_mart = postgres.mart_row_counts(connection)
    context.log.info(
        f"Marts stay in the server's marts schema; select granted to {role or 'no BI role'}"
    )
    return dg.MaterializeResult(
        metadata={"bi_role": role or "", "rows_per_mart": dg.MetadataValue.json(rows_per_mart)}
    )
