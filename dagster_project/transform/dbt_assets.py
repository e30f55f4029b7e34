"""One `@dbt_assets` over the whole dbt project, running one `dbt build` a run.

`dbt build` runs each model's tests right after it, so a failing test skips every
model downstream of it and, through Dagster, the publish step. An incremental run first
reads what it loaded, in the views over raw the last build left, and decides what the
models rebuild (rebuild_window); its build leaves the seeds and the staging and
intermediate views as they are, as a change to either makes the run a full refresh.
"""

import json
import os
import shutil
from collections.abc import Generator, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from dagster_project.crash_points import pause_point
from dagster_project.exit_codes import GATE_FAILURE_METADATA_KEY
from dagster_project.ingest.assets import raw_asset_key
from dagster_project.ingest.postgres_mirror import connect_postgres
from dagster_project.project import PARTIAL_PARSE_NAME, dbt_project
from dagster_project.resources import WarehouseResource
from dagster_project.settings import DBT_PROJECT_DIR, POSTGRES_TARGET, dbt_target
from dagster_project.transform import rebuild_window

# The crash-safety test's "during dbt" point: some models built, most not yet.
DBT_PAUSE_AFTER_EVENTS = 10
# dbt/selectors.yml: what an incremental run builds. dbt ignores Dagster's own `--select`
# beside a `--selector`, so the run builds exactly the selector's nodes and tests.
INCREMENTAL_RUN_SELECTOR = "incremental_run"
# What the incremental models rebuild from (dbt/macros/rebuild_window.sql): read with
# env_var(), since a changed `--vars` makes dbt parse the whole project again.
REBUILD_FROM_VARIABLE = "PIPEHEALTH_REBUILD_FROM"


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


def pinned_vars() -> dict[str, str]:
    """The vars the environment pins: `as_of_date` from PIPEHEALTH_AS_OF_DATE."""
    as_of_date = os.environ.get("PIPEHEALTH_AS_OF_DATE")
    return {"as_of_date": as_of_date} if as_of_date else {}


def dbt_build_args(
    dbt_vars: Mapping[str, str], *, full_refresh: bool, selection: list[str]
) -> list[str]:
    """`dbt build` of the data with `dbt_vars`, a full refresh or not, of `selection`.

    Unit tests are left out: they check the SQL on hand-made rows, so the answer does not
    change with the night's data; `make test` and an analyst's own `dbt build` run them.
    """
    args = ["build", "--exclude-resource-type", "unit_test", *selection]
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars))]
    if full_refresh:
        args.append("--full-refresh")
    return args


def target_connection(warehouse: WarehouseResource) -> AbstractContextManager[Any]:
    """A connection to where dbt builds: the build DuckDB file, or the PostgreSQL server."""
    if dbt_target() == POSTGRES_TARGET:
        return connect_postgres()
    return warehouse.connect()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=PipehealthDbtTranslator(),
)
def pipehealth_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    dbt_vars = pinned_vars()
    if context.is_subset:
        # A part of the graph materialized from the UI: every day of what it selects,
        # recorded as no build, so the next nightly run still decides from the last one.
        yield from _stream_build(
            context,
            dbt,
            dbt_build_args(dbt_vars, full_refresh=False, selection=[]),
            pause=False,
            rebuild_from=rebuild_window.EVERY_DAY,
        )
        return
    settings = rebuild_window.settings_digest(
        dbt_project.manifest_path, DBT_PROJECT_DIR / "dbt_project.yml", dbt_vars
    )
    with warehouse.connect() as connection:
        plan = rebuild_window.plan_build(connection, settings)
        as_of_date = rebuild_window.build_as_of_date(connection, dbt_vars.get("as_of_date"))
        rebuild_window.record_attempt(connection, plan)
    if plan.full_refresh or plan.last_build is None:
        rebuilt_from = rebuild_window.EVERY_DAY
        context.log.info(f"dbt rebuilds every model whole ({plan.reason})")
        build = dbt_build_args(dbt_vars, full_refresh=True, selection=[])
    else:
        with target_connection(warehouse) as connection:
            rebuilt_from = rebuild_window.rebuild_from(connection, plan.last_build)
        context.log.info(f"dbt rebuilds from {rebuilt_from} ({plan.reason})")
        build = dbt_build_args(
            dbt_vars, full_refresh=False, selection=["--selector", INCREMENTAL_RUN_SELECTOR]
        )
    built = yield from _stream_build(context, dbt, build, pause=True, rebuild_from=rebuilt_from)
    _require_every_mart(context, built)
    with warehouse.connect() as connection:
        rebuild_window.record_build(
            connection,
            plan,
            run_id=context.run.run_id,
            built_at=datetime.now(UTC).replace(tzinfo=None),
            rebuilt_from=rebuilt_from,
            as_of_date=as_of_date or rebuilt_from,
        )


# The published models: those of the first folder under dbt/models/ named marts.
MART_KEYS = [
    key for key, layer in pipehealth_dbt_models.group_names_by_key.items() if layer == "marts"
]


def _stream_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    *,
    pause: bool,
    rebuild_from: date,
) -> Generator[Any, None, set[dg.AssetKey]]:
    """Run `dbt build` with `args`, yielding its events; return the assets it materialized."""
    with _environment(REBUILD_FROM_VARIABLE, rebuild_from.isoformat()):
        invocation = dbt.cli(args, context=context, raise_on_error=False)
    built: set[dg.AssetKey] = set()
    for event_number, event in enumerate(invocation.stream()):
        if pause and event_number == DBT_PAUSE_AFTER_EVENTS:
            pause_point("dbt")
        if isinstance(event, dg.Output):
            built.add(context.asset_key_for_output(event.output_name))
        yield event
    if not invocation.is_successful():
        raise build_failure(invocation.get_artifact("run_results.json"))
    # dagster-dbt starts each invocation from the partial-parse cache in the folder it
    # makes the invocation's target folder in (target/, or DBT_TARGET_PATH); dbt's own runs
    # leave their latest parse there, and so does this one. The cache holds the profile it
    # was parsed with (the warehouse path): another installation's would make dbt parse
    # the whole project again. (None where partial parsing is off.)
    parsed = invocation.target_path / PARTIAL_PARSE_NAME
    if parsed.exists():
        os.replace(parsed, invocation.target_path.parent / PARTIAL_PARSE_NAME)
    # Each invocation writes a target folder of its own (compiled SQL and artifacts, about
    # 20 MB) that nothing reads once it succeeded: kept, a nightly run adds one for good.
    # A failed one stays for its compiled SQL.
    shutil.rmtree(invocation.target_path, ignore_errors=True)
    return built


def _require_every_mart(context: dg.AssetExecutionContext, built: set[dg.AssetKey]) -> None:
    """Fail the step if a run's build left a mart out.

    The publish step reads every mart, and Dagster skips a step when an asset it reads
    was not materialized, yet calls the run a success: the last night's marts would stay
    served with no failure to alert on.
    """
    unbuilt = sorted(key.to_user_string() for key in MART_KEYS if key not in built)
    if unbuilt:
        raise dg.Failure(
            description=f"dbt build left out marts the publish step reads: {', '.join(unbuilt)}"
        )


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """`name` set to `value` while dagster-dbt starts dbt, which inherits this process's
    environment (DbtCliResource takes no environment of its own)."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


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
