"""One `@dbt_assets` over the whole dbt project, running `dbt build`.

`dbt build` runs each model's tests right after it, so a failing test skips every
model downstream of it and, through Dagster, the publish step.
"""

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.crash_points import pause_point
from dagster_project.exit_codes import GATE_FAILURE_METADATA_KEY
from dagster_project.ingest.assets import raw_asset_key
from dagster_project.project import dbt_project

# The crash-safety test's "during dbt" point: some models built, most not yet.
DBT_PAUSE_AFTER_EVENTS = 10


class PipehealthDbtTranslator(DagsterDbtTranslator):
    """Sources map onto the raw assets; models are keyed and grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["name"])
        return dg.AssetKey([_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return _layer(dbt_resource_props)


def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
    if dbt_resource_props["resource_type"] == "seed":
        return "seeds"
    # fqn is [project, folder, ...]: the first folder under models/ is the layer.
    return dbt_resource_props["fqn"][1]


def dbt_build_args() -> list[str]:
    """`dbt build` of the data, with `as_of_date` pinned when PIPEHEALTH_AS_OF_DATE is set.

    Unit tests are left out: they check the SQL on hand-made rows, so the answer does not
    change with the night's data; `make test` and an analyst's own `dbt build` run them.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    as_of_date = os.environ.get("PIPEHEALTH_AS_OF_DATE")
    if as_of_date:
        args += ["--vars", json.dumps({"as_of_date": as_of_date})]
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=PipehealthDbtTranslator(),
)
def pipehealth_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    invocation = dbt.cli(dbt_build_args(), context=context, raise_on_error=False)
    for event_number, event in enumerate(invocation.stream()):
        if event_number == DBT_PAUSE_AFTER_EVENTS:
            pause_point("dbt")
        yield event
    if not invocation.is_successful():
        raise build_failure(invocation.get_artifact("run_results.json"))


_FAILED = ("fail", "error", "runtime error")


def build_failure(run_results: Mapping[str, Any]) -> dg.Failure:
    """Why `dbt build` failed. Failing tests and broken model contracts are the model gate
    (exit 1, docs/operations.md); anything else, e.g. SQL that does not run, is an error (exit 2).
    A broken contract is no asset check, so the stop is told from dbt's own results."""
    failed = [result for result in run_results["results"] if result["status"] in _FAILED]
    gate = [result for result in failed if _is_gate_failure(result)]
    listed = "\n".join(
        f"  - {_node_name(result)}: {result.get('message') or result['status']}"
        for result in failed
    )
    if gate and len(gate) == len(failed):
        return dg.Failure(
            description=(
                f"dbt build: {len(gate)} test(s) or model contract(s) failed, so the marts "
                f"are not published:\n{listed}"
            ),
            metadata={GATE_FAILURE_METADATA_KEY: True},
        )
    return dg.Failure(description=f"dbt build failed:\n{listed}")


def _is_gate_failure(result: Mapping[str, Any]) -> bool:
    kind = result["unique_id"].split(".", 1)[0]
    if kind in ("test", "unit_test"):
        return result["status"] == "fail"
    return kind == "model" and "contract" in (result.get("message") or "").lower()


def _node_name(result: Mapping[str, Any]) -> str:
    # unique_id is <kind>.<project>.<name>[.<hash>]
    return result["unique_id"].split(".")[2]
