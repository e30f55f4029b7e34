"""The Definitions load, and asset keys only change on purpose."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_keys.json"


def load_definitions() -> dg.Definitions:
    from dagster_project.definitions import defs

    return defs


def test_definitions_load_with_job_schedule_and_sensor(dbt_manifest: Path) -> None:
    defs = load_definitions()
    job = defs.resolve_job_def("pipehealth_build")
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("nightly_build")
    assert schedule.cron_schedule == "0 2 * * *"
    assert defs.resolve_sensor_def("new_landing_drop").job_name == "pipehealth_build"


def test_raw_entities_have_blocking_gate_checks(dbt_manifest: Path) -> None:
    checks = load_definitions().resolve_asset_graph().asset_check_keys
    raw_checked = {key.asset_key.path[1] for key in checks if key.asset_key.path[0] == "raw"}
    assert raw_checked == {
        "users",
        "accounts",
        "leads",
        "deals",
        "deal_field_history",
        "activities",
        "quotas",
        "flat__sales_pipeline",
        "flat__sales_teams",
        "flat__accounts",
        "flat__products",
        "salesforce__opportunity",
        "salesforce__opportunity_history",
        "salesforce__opportunity_field_history",
        "salesforce__user",
        "salesforce__user_role",
        "salesforce__account",
        "salesforce__lead",
        "salesforce__task",
        "salesforce__event",
        "hubspot__deal",
        "hubspot__deal_company",
        "hubspot__deal_pipeline",
        "hubspot__deal_pipeline_stage",
        "hubspot__deal_stage",
        "hubspot__deal_property_history",
        "hubspot__owner",
        "hubspot__team",
        "hubspot__owner_team",
        "hubspot__company",
        "hubspot__engagement",
        "hubspot__engagement_call",
        "hubspot__engagement_meeting",
        "hubspot__engagement_email",
        "hubspot__engagement_deal",
    }


def test_asset_keys_match_the_snapshot(dbt_manifest: Path) -> None:
    """A renamed or removed asset breaks lineage and BI: update the snapshot on purpose."""
    keys = sorted(
        key.to_user_string()
        for key in load_definitions().resolve_asset_graph().get_all_asset_keys()
    )
    assert keys == json.loads(SNAPSHOT.read_text())


def test_publish_runs_after_every_mart(dbt_manifest: Path) -> None:
    """Every mart and nothing else: Dagster skips the publish step when an asset it reads
    was not materialized, and an incremental run leaves the staging views as they are."""
    graph = load_definitions().resolve_asset_graph()
    upstream = graph.get(dg.AssetKey(["publish", "published_marts"])).parent_keys
    manifest = json.loads(dbt_manifest.read_text())
    marts = {
        dg.AssetKey(["marts", node["name"]])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
    assert dg.AssetKey(["marts", "fct_deal_daily_snapshot"]) in marts
    assert upstream == marts
    review = graph.get(dg.AssetKey(["publish", "weekly_review"])).parent_keys
    assert review == {dg.AssetKey(["publish", "published_marts"])}


def test_every_dbt_data_test_is_an_asset_check(dbt_manifest: Path) -> None:
    """A singular test reading several models must name the one it checks (meta.dagster.ref
    in dbt/data-tests/_data_tests.yml): else Dagster logs its result as an observation and
    the run summary leaves out its warning."""
    manifest = json.loads(dbt_manifest.read_text())
    data_tests = {
        node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "test"
    }
    checks = {key.name for key in load_definitions().resolve_asset_graph().asset_check_keys}
    assert len(data_tests) > 300
    assert data_tests - checks == set()
