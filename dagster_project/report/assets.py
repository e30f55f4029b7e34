"""The report asset: the weekly review, rebuilt after every publish."""

import dagster as dg

from dagster_project.publish.assets import published_marts
from dagster_project.report.build import build_report, reporting_currency
from dagster_project.resources import WarehouseResource
from dagster_project.settings import POSTGRES_TARGET, dbt_target

WEEKLY_REVIEW_KEY = dg.AssetKey(["publish", "weekly_review"])


@dg.asset(
    key=WEEKLY_REVIEW_KEY,
    group_name="publish",
    deps=[published_marts],
    kinds={"html"},
    description=(
        "The weekly pipeline review, warehouse/report/index.html (a page per team and rep): "
        "static, offline, built from the served BI file and kept with its publish."
    ),
)
def weekly_review(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    if dbt_target() == POSTGRES_TARGET:
        # The served DuckDB file is what the report reads; on PostgreSQL there is none.
        context.log.info("The postgres target serves no BI file: no report is built")
        return dg.MaterializeResult(metadata={"pages": 0})
    with warehouse.connect(read_only=True) as build:
        result = build_report(warehouse.paths, build, reporting_currency())
    context.log.info(f"Weekly review: {result.index} ({result.pages} pages)")
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(result.index)),
            "pages": result.pages,
            "publish_id": result.publish_id,
            "seconds": round(result.seconds, 2),
        }
    )
