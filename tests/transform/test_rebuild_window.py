"""The rebuild rule on hand-made rows: each row of its table gives the day it says, and
a re-delivered or withdrawn drop, an edited project or a changed var make a full refresh.

The relations the rule reads are made here with only the columns it reads; what dbt
builds them from is checked by the night-by-night test (tests/marts/test_nightly_builds.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.drop_log import ensure_drop_log
from dagster_project.transform import rebuild_window
from dagster_project.transform.rebuild_window import BuildPlan, LastBuild

BUILT_THROUGH = datetime(2025, 3, 1, 2)
LOADED_NOW = datetime(2025, 3, 2, 2)
LAST_AS_OF = date(2025, 2, 28)
SETTINGS = "settings-1"


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """One deal, one user, one activity known at the last build: the canonical deal and its
    field history in their staging tables, as the last build left them; what a test loads
    goes to their deliveries views, or to the source unions for the other sources."""
    connection = duckdb.connect()
    connection.execute("create schema staging; create schema intermediate")
    connection.execute(
        "create table staging.stg_canonical__extracts (extract_date date, loaded_at timestamp)"
    )
    deal_columns = (
        "deal_id varchar, pipeline varchar, probability double, created_at timestamp, "
        "closed_at timestamp, updated_at timestamp, is_deleted boolean, loaded_at timestamp"
    )
    for staging in ("stg_canonical__deal_versions", "stg_canonical__deal_deliveries"):
        connection.execute(f"create table staging.{staging} ({deal_columns})")
    connection.execute(
        "create table intermediate.int_source_deal_versions "
        f"(source_system varchar, {deal_columns})"
    )
    connection.execute(
        "create table intermediate.int_deal_versions (deal_id varchar, close_date date)"
    )
    history_columns = "deal_id varchar, changed_at timestamp, loaded_at timestamp"
    for staging in (
        "stg_canonical__deal_field_history",
        "stg_canonical__deal_field_history_deliveries",
    ):
        connection.execute(f"create table staging.{staging} ({history_columns})")
    connection.execute(
        "create table intermediate.int_source_deal_field_history "
        f"(source_system varchar, {history_columns})"
    )
    connection.execute(
        "create table intermediate.int_source_user_versions (user_id varchar, "
        "full_name varchar, updated_at timestamp, loaded_at timestamp)"
    )
    connection.execute(
        "create table intermediate.int_source_activity_versions (activity_id varchar, "
        "scheduled_at timestamp, completed_at timestamp, loaded_at timestamp)"
    )
    connection.execute(
        "create table intermediate.int_source_quotas (period_start date, loaded_at timestamp)"
    )
    connection.execute(
        "insert into staging.stg_canonical__deal_versions values "
        "('d1', 'inbound', 0.4, '2024-10-01', '2025-01-15', '2025-01-15', false, ?)",
        [BUILT_THROUGH],
    )
    connection.execute("insert into intermediate.int_deal_versions values ('d1', '2025-01-15')")
    connection.execute(
        "insert into staging.stg_canonical__deal_field_history values ('d1', '2025-01-10', ?)",
        [BUILT_THROUGH],
    )
    connection.execute(
        "insert into intermediate.int_source_user_versions values ('u1', 'Ann', '2024-06-01', ?)",
        [BUILT_THROUGH],
    )
    connection.execute(
        "insert into intermediate.int_source_activity_versions values "
        "('a1', '2025-02-03 10:00', null, ?)",
        [BUILT_THROUGH],
    )
    yield connection
    connection.close()


def rebuild_from(connection: duckdb.DuckDBPyConnection) -> date:
    return rebuild_window.rebuild_from(
        connection, LastBuild(BUILT_THROUGH, "drops", SETTINGS, LAST_AS_OF)
    )


def test_nothing_loaded_rebuilds_from_the_last_as_of_date(connection) -> None:
    assert rebuild_from(connection) == LAST_AS_OF


@pytest.mark.parametrize(
    ("table", "row", "changed_day"),
    [
        # A drop closes a carried-over gap on its own day, even a late one.
        ("staging.stg_canonical__extracts", ("2025-02-20", LOADED_NOW), date(2025, 2, 20)),
        # A known deal's new version: from the close it had, which the edit may move.
        (
            "staging.stg_canonical__deal_deliveries",
            (
                "d1",
                "inbound",
                0.5,
                "2024-10-01",
                "2025-01-15",
                "2025-03-01 09:00",
                False,
                LOADED_NOW,
            ),
            date(2025, 1, 15),
        ),
        # A new deal closed back-dated: from its close.
        (
            "staging.stg_canonical__deal_deliveries",
            (
                "d2",
                "inbound",
                1.0,
                "2025-02-25",
                "2025-02-10",
                "2025-03-01 09:00",
                False,
                LOADED_NOW,
            ),
            date(2025, 2, 10),
        ),
        # A new deal created before the last as-of date: from its creation.
        (
            "staging.stg_canonical__deal_deliveries",
            ("d3", "outbound", 60, "2025-02-12", None, "2025-03-01 09:00", False, LOADED_NOW),
            date(2025, 2, 12),
        ),
        # A probability above 1 on a pipeline read 0-1 so far: every day.
        (
            "staging.stg_canonical__deal_deliveries",
            ("d4", "inbound", 60, "2025-03-01", None, "2025-03-01 09:00", False, LOADED_NOW),
            rebuild_window.EVERY_DAY,
        ),
        # A field change: from its own day, or from the deal's creation when it is the
        # deal's first (its old_value is the stage the deal was created in).
        (
            "staging.stg_canonical__deal_field_history_deliveries",
            ("d1", "2025-02-14", LOADED_NOW),
            date(2025, 2, 14),
        ),
        (
            "staging.stg_canonical__deal_field_history_deliveries",
            ("d1", "2025-01-05", LOADED_NOW),
            date(2024, 10, 1),
        ),
        # Another source's deals and field history, from the source unions.
        (
            "intermediate.int_source_deal_versions",
            (
                "salesforce",
                "s1",
                "x",
                0.2,
                "2025-02-18",
                None,
                "2025-03-01 9:00",
                False,
                LOADED_NOW,
            ),
            date(2025, 2, 18),
        ),
        (
            "intermediate.int_source_deal_field_history",
            ("hubspot", "h1", "2025-02-17", LOADED_NOW),
            date(2025, 2, 17),
        ),
        # A backdated team move: from the fiscal quarter before the one holding it (team
        # quotas are per quarter; the forecast shows the next quarter's).
        (
            "intermediate.int_source_user_versions",
            ("u1", "Ann", "2025-02-16 12:00", LOADED_NOW),
            date(2024, 9, 1),
        ),
        # A rename: every day (entity names are current names).
        (
            "intermediate.int_source_user_versions",
            ("u1", "Ann B", "2025-03-01 12:00", LOADED_NOW),
            rebuild_window.EVERY_DAY,
        ),
        # A new user: every day.
        (
            "intermediate.int_source_user_versions",
            ("u2", "Bo", "2025-03-01 12:00", LOADED_NOW),
            rebuild_window.EVERY_DAY,
        ),
        # An activity completed now: from the day any version of it had.
        (
            "intermediate.int_source_activity_versions",
            ("a1", "2025-02-03 10:00", "2025-03-01 10:00", LOADED_NOW),
            date(2025, 2, 3),
        ),
        # A quota: the fiscal quarter and year holding its period.
        ("intermediate.int_source_quotas", ("2025-04-01", LOADED_NOW), date(2024, 4, 1)),
    ],
)
def test_each_loaded_row_rebuilds_from_the_earliest_day_it_changes(
    connection, table: str, row: tuple[object, ...], changed_day: date
) -> None:
    placeholders = ", ".join("?" for _ in row)
    connection.execute(f"insert into {table} values ({placeholders})", list(row))
    assert rebuild_from(connection) == changed_day


def test_rows_loaded_through_the_last_build_change_nothing(connection) -> None:
    connection.execute(
        "insert into staging.stg_canonical__deal_field_history_deliveries "
        "values ('d1', '2025-01-02', ?)",
        [BUILT_THROUGH],
    )
    assert rebuild_from(connection) == LAST_AS_OF


def record(connection: duckdb.DuckDBPyConnection, plan: BuildPlan) -> None:
    rebuild_window.record_build(
        connection,
        plan,
        run_id="run",
        built_at=datetime(2025, 3, 1, 3),
        rebuilt_from=rebuild_window.EVERY_DAY,
        as_of_date=LAST_AS_OF,
    )


def log_drop(connection: duckdb.DuckDBPyConnection, day: str, loaded_at: datetime) -> None:
    connection.execute("delete from raw._drops where drop_date = ?", [day])
    connection.execute(
        "insert into raw._drops values (?, '', 'full', 'canonical', '', ?)", [day, loaded_at]
    )


@pytest.fixture
def built(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A warehouse with two drops, built once."""
    connection.execute("create schema raw")
    ensure_drop_log(connection)
    log_drop(connection, "2025-02-27", datetime(2025, 2, 28, 2))
    log_drop(connection, "2025-02-28", BUILT_THROUGH)
    first = rebuild_window.plan_build(connection, SETTINGS)
    assert first.full_refresh and first.reason == "no build recorded"
    record(connection, first)
    return connection


def test_a_new_drop_is_an_incremental_build(built) -> None:
    log_drop(built, "2025-03-01", LOADED_NOW)
    plan = rebuild_window.plan_build(built, SETTINGS)
    assert not plan.full_refresh
    assert plan.last_build == LastBuild(
        BUILT_THROUGH, plan.last_build.drops_digest, SETTINGS, LAST_AS_OF
    )
    assert plan.loaded_through == LOADED_NOW


@pytest.mark.parametrize("change", ["re-delivered", "withdrawn"])
def test_a_drop_built_before_and_loaded_again_or_gone_is_a_full_refresh(built, change) -> None:
    if change == "re-delivered":
        log_drop(built, "2025-02-27", LOADED_NOW)
    else:
        built.execute("delete from raw._drops where drop_date = '2025-02-27'")
    plan = rebuild_window.plan_build(built, SETTINGS)
    assert plan.full_refresh
    assert plan.reason == "a drop built before was re-delivered or withdrawn"


@pytest.mark.parametrize("change", ["re-delivered", "withdrawn"])
def test_a_drop_read_by_a_stopped_build_and_loaded_again_or_gone_is_a_full_refresh(
    built, change
) -> None:
    """A build that stopped at a dbt test may have left the drop's rows in incremental
    models (the staging that merges what was loaded): a corrected or withdrawn drop
    cannot be merged over them."""
    log_drop(built, "2025-03-01", LOADED_NOW)
    stopped = rebuild_window.plan_build(built, SETTINGS)
    rebuild_window.record_attempt(built, stopped)
    if change == "re-delivered":
        log_drop(built, "2025-03-01", datetime(2025, 3, 2, 9))
    else:
        built.execute("delete from raw._drops where drop_date = '2025-03-01'")
    plan = rebuild_window.plan_build(built, SETTINGS)
    assert plan.full_refresh
    assert plan.reason == "a drop read by a stopped build was re-delivered or withdrawn"


def test_a_stopped_build_then_a_new_drop_is_an_incremental_build(built) -> None:
    log_drop(built, "2025-03-01", LOADED_NOW)
    rebuild_window.record_attempt(built, rebuild_window.plan_build(built, SETTINGS))
    log_drop(built, "2025-03-02", datetime(2025, 3, 3, 2))
    plan = rebuild_window.plan_build(built, SETTINGS)
    assert not plan.full_refresh
    assert plan.loaded_through == datetime(2025, 3, 3, 2)


def test_changed_settings_are_a_full_refresh(built) -> None:
    plan = rebuild_window.plan_build(built, "settings-2")
    assert plan.full_refresh
    assert plan.reason == "the seeds, vars or dbt project changed"


def test_the_settings_digest_follows_seeds_vars_and_models(tmp_path) -> None:
    from dagster_project.project import dbt_project
    from dagster_project.settings import DBT_PROJECT_DIR

    manifest = json.loads(dbt_project.manifest_path.read_text())
    project_file = DBT_PROJECT_DIR / "dbt_project.yml"

    def digest(edited: dict, project: Path = project_file, cli_vars: dict | None = None) -> str:
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(edited))
        return rebuild_window.settings_digest(path, project, cli_vars or {})

    base = digest(manifest)
    assert digest(manifest) == base
    assert digest(manifest, cli_vars={"as_of_date": "2025-01-31"}) != base
    edited_project = tmp_path / "dbt_project.yml"
    edited_project.write_text(
        project_file.read_text().replace("stalled_after_days: 14", "stalled_after_days: 21")
    )
    assert digest(manifest, edited_project) != base
    for node_id in ("seed.pipehealth.currency_rates", "model.pipehealth.mart_pipeline_health"):
        edited = copy.deepcopy(manifest)
        edited["nodes"][node_id]["checksum"]["checksum"] = "edited"
        assert digest(edited) != base
