"""Build a test warehouse as the nightly run does, and the drops that test its rebuild rule.

`build_as_nightly` runs the `dbt build` of the run's dbt asset
(dagster_project/transform/dbt_assets.py) with the rule's own functions, seeds and models
only (the run's data tests are checked elsewhere), and records the build as the asset
does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from dbt_cli import run_dbt

from dagster_project.project import dbt_project
from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR
from dagster_project.transform import rebuild_window
from dagster_project.transform.dbt_assets import INCREMENTAL_RUN_SELECTOR, REBUILD_FROM_VARIABLE
from dagster_project.transform.rebuild_window import BuildPlan

NIGHTLY_TEAM_MOVE_BACK_DAYS = 6
# What nothing here reads: dbt's JSON artifacts and its debug log file (about 2 s of
# CPU a build); a failing build still shows its output.
NO_ARTIFACTS = ("--no-write-json", "--log-level-file", "none")
# `dbt build` of the seeds and models a selection holds, without their tests.
SEEDS_AND_MODELS = ("build", "--resource-type", "seed", "--resource-type", "model", *NO_ARTIFACTS)


def build_as_nightly(
    warehouse: Path,
    dbt_vars: dict[str, object] | None = None,
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    manifest_path: Path | None = None,
) -> tuple[BuildPlan, date]:
    """Build as the nightly run would; returns its plan and the day it rebuilt from."""
    dbt_vars = dbt_vars or {}
    settings = rebuild_window.settings_digest(
        manifest_path or dbt_project.manifest_path, project_dir / "dbt_project.yml", dbt_vars
    )
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        plan = rebuild_window.plan_build(connection, settings)
        pinned = dbt_vars.get("as_of_date")
        as_of_date = rebuild_window.build_as_of_date(connection, str(pinned) if pinned else None)
        rebuild_window.record_attempt(connection, plan)
    step_vars = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    if plan.full_refresh or plan.last_build is None:
        rebuilt_from = rebuild_window.EVERY_DAY
        run_dbt(warehouse, *SEEDS_AND_MODELS, *step_vars, "--full-refresh", project_dir=project_dir)
    else:
        with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
            rebuilt_from = rebuild_window.rebuild_from(connection, plan.last_build)
        run_dbt(
            warehouse,
            *SEEDS_AND_MODELS,
            "--selector",
            INCREMENTAL_RUN_SELECTOR,
            *step_vars,
            project_dir=project_dir,
            environment={REBUILD_FROM_VARIABLE: rebuilt_from.isoformat()},
        )
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        rebuild_window.record_build(
            connection,
            plan,
            run_id="test",
            built_at=datetime.now(UTC).replace(tzinfo=None),
            rebuilt_from=rebuilt_from,
            as_of_date=as_of_date or rebuilt_from,
        )
    return plan, rebuilt_from


def build_from_scratch(
    warehouse: Path, dbt_vars: dict[str, object], project_dir: Path = DBT_PROJECT_DIR
) -> None:
    """Every model a nightly build does not rebuild whole, rebuilt whole from the same raw
    (the incremental models and every model after them; the others are tables and views
    the nightly build already rebuilt from the same rows), recorded as no build."""
    step_vars = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    run_dbt(
        warehouse,
        "run",
        "--full-refresh",
        "--select",
        "config.materialized:incremental+",
        *NO_ARTIFACTS,
        *step_vars,
        project_dir=project_dir,
    )


def current_rows(landing: Path, file_name: str, key: str) -> pd.DataFrame:
    """The latest delivered row of each key of `file_name` over every drop."""
    return (
        pd.concat(
            pd.read_csv(path, dtype=str, keep_default_na=False)
            for path in sorted(landing.glob(f"*/{file_name}"))
        )
        .sort_values("updated_at", kind="stable")
        .drop_duplicates(key, keep="last")
    )


def write_drop(landing: Path, drop_day: date, files: dict[str, pd.DataFrame]) -> None:
    folder = landing / drop_day.isoformat()
    folder.mkdir(exist_ok=True)
    for file_name, rows in files.items():
        rows.to_csv(folder / file_name, index=False)
    (folder / "_SUCCESS").touch()


def stamp(drop_day: date) -> str:
    return f"{drop_day.isoformat()}T12:00:00Z"


def team_move_and_activity_edit(landing: Path, drop_day: date) -> None:
    """A users row moving a rep (the first one with a team) to another team from a week
    back, and an activity version cancelling the first completed activity about no deal
    counted that week: days already built change for the team and activity marts."""
    moved_from = drop_day - timedelta(days=NIGHTLY_TEAM_MOVE_BACK_DAYS)
    users = current_rows(landing, "users.csv", "user_id")
    reps = users[(users["role"] == "rep") & (users["team"] != "")]
    moved = reps.iloc[[0]].copy()
    moved["team"] = sorted(set(reps["team"]) - set(moved["team"]))[0]
    moved["updated_at"] = stamp(moved_from)
    activities = current_rows(landing, "activities.csv", "activity_id")
    completed = activities[
        (activities["status"] == "completed")
        & (activities["deal_id"] == "")
        & (activities["completed_at"] >= moved_from.isoformat())
    ]
    cancelled = completed.sort_values("completed_at").iloc[[0]].copy()
    cancelled["status"] = "cancelled"
    cancelled["completed_at"] = ""
    cancelled["updated_at"] = stamp(drop_day)
    write_drop(landing, drop_day, {"users.csv": moved, "activities.csv": cancelled})


def closed_stages() -> pd.DataFrame:
    stages = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "pipeline_stages.csv", dtype=str)
    return stages[stages["is_closed"] == "true"]


def backdated_close(landing: Path, drop_day: date, closed_days_back: int) -> None:
    """A deals row closing (won) the open deal updated last, `closed_days_back` days ago."""
    deals = current_rows(landing, "deals.csv", "deal_id")
    won = closed_stages()
    won = won[won["is_won"] == "true"].set_index("pipeline")["stage"]
    open_deals = deals[~deals["stage"].isin(closed_stages()["stage"])]
    closing = open_deals[open_deals["pipeline"].isin(won.index)].iloc[[-1]].copy()
    closing["stage"] = won[closing["pipeline"].iloc[0]]
    closing["closed_at"] = stamp(drop_day - timedelta(days=closed_days_back))
    closing["updated_at"] = stamp(drop_day)
    write_drop(landing, drop_day, {"deals.csv": closing})


def closed_amount_edit(landing: Path, drop_day: date) -> date:
    """A deals row changing the amount of the deal closed last; returns its close day."""
    deals = current_rows(landing, "deals.csv", "deal_id")
    closed = deals[deals["stage"].isin(closed_stages()["stage"]) & (deals["closed_at"] != "")]
    edited = closed.sort_values("closed_at").iloc[[-1]].copy()
    edited["amount"] = "98765.43"
    edited["updated_at"] = stamp(drop_day)
    write_drop(landing, drop_day, {"deals.csv": edited})
    return date.fromisoformat(edited["closed_at"].iloc[0][:10])


def open_deal_deletion(landing: Path, drop_day: date) -> date:
    """A deals row deleting the open deal created first; returns its creation day."""
    deals = current_rows(landing, "deals.csv", "deal_id")
    open_deals = deals[~deals["stage"].isin(closed_stages()["stage"])]
    deleted = open_deals.sort_values("created_at").iloc[[0]].copy()
    deleted["is_deleted"] = "true"
    deleted["updated_at"] = stamp(drop_day)
    write_drop(landing, drop_day, {"deals.csv": deleted})
    return date.fromisoformat(deleted["created_at"].iloc[0][:10])
