"""The analyst's path of docs/architecture.md ("Add a model"), followed in a copy of the
project: a new mart's SQL and its YAML entry, nothing else, then `pipehealth run`. The
mart is built, published (served file and Parquet) and a Dagster asset of the run; made
a view, it is published by the next night's incremental run too. The tests run on a copy
of the small published corpus state (one drop of 120 deals)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from corpus import GOOD_DROP, deliver
from pipeline_runs import copy_state

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.settings import REPO_ROOT, Paths

pytestmark = [pytest.mark.slow, pytest.mark.system]

MART = "mart_open_pipeline_by_stage"

# Step 1: the SQL, import CTEs first, one CTE per step, `select * from final` last.
MART_SQL = """\
with

deal_days as (

    select * from {{ ref('fct_deal_daily_snapshot') }}

),

last_snapshot as (

    select max(snapshot_date) as as_of_date

    from deal_days

),

open_deals as (

    select
        deal_days.pipeline,
        deal_days.stage,
        deal_days.amount

    from deal_days
    inner join last_snapshot
        on deal_days.snapshot_date = last_snapshot.as_of_date
    where deal_days.is_open

),

final as (

    select
        {{ hash_key(['pipeline', 'stage']) }} as open_stage_id,
        pipeline,
        stage,
        count(*) as open_deals,
        sum(coalesce(amount, 0)) as open_pipeline

    from open_deals
    group by pipeline, stage

)

select * from final
"""

# Step 2: its entry under `models:` in _marts__models.yml, the grain first, the key tested.
MART_YAML = f"""\
  - name: {MART}
    description: One row per pipeline and open stage, on the as-of date.
    columns:
      - name: open_stage_id
        description: Surrogate key of (pipeline, stage).
        data_tests: [unique, not_null]
      - name: pipeline
        description: The deal's pipeline.
      - name: stage
        description: The open stage.
      - name: open_deals
        description: Deals open in the stage at the end of the as-of date.
      - name: open_pipeline
        description: Their amount.
"""

# What the pipeline reads from the repository; dbt's own output folders are left out.
PROJECT_PARTS = ("dagster_project", "dbt", "expectations")
BUILD_OUTPUT = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__")


def copy_project(destination: Path) -> Path:
    for part in PROJECT_PARTS:
        shutil.copytree(REPO_ROOT / part, destination / part, ignore=BUILD_OUTPUT)
    return destination


def add_mart(project: Path, yaml_entry: str = MART_YAML) -> None:
    marts = project / "dbt" / "models" / "marts"
    (marts / f"{MART}.sql").write_text(MART_SQL)
    models_yaml = marts / "_marts__models.yml"
    models_yaml.write_text(
        models_yaml.read_text().replace("\nmodels:\n", f"\nmodels:\n{yaml_entry}", 1)
    )


def pipehealth_run(project: Path, paths: Paths, dagster_home: Path) -> subprocess.CompletedProcess:
    """`pipehealth run` of the copied project: its package first on the import path."""
    dagster_home.mkdir()
    environment = {
        **os.environ,
        "PYTHONPATH": str(project),
        "DAGSTER_HOME": str(dagster_home),
    }
    command = [sys.executable, "-m", "dagster_project.cli", "run"]
    command += ["--landing", str(paths.landing), "--warehouse", str(paths.warehouse)]
    return subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)


def test_a_mart_added_as_the_docs_say_is_published_and_a_dagster_asset(
    good_state: Paths, tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "project")
    add_mart(project)
    paths = copy_state(good_state, tmp_path / "state")

    run = pipehealth_run(project, paths, tmp_path / "dagster_home")

    assert run.returncode == EXIT_PUBLISHED, run.stdout + run.stderr
    assert f"marts.{MART}" in run.stdout
    assert_served_mart_recomputes(paths)
    assert (paths.parquet_dir / f"{MART}.parquet").exists()

    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        materialization = instance.get_latest_materialization_event(dg.AssetKey(["marts", MART]))
    assert materialization is not None


def test_a_mart_made_a_view_is_published_by_the_next_incremental_run(
    good_state: Paths, tmp_path: Path
) -> None:
    # An incremental run leaves the staging and intermediate views as they are; a mart it
    # left out would make Dagster skip the publish, and the night's drop would not be served.
    project = copy_project(tmp_path / "project")
    add_mart(project, MART_YAML + "    config:\n      materialized: view\n")
    paths = copy_state(good_state, tmp_path / "state")
    dagster_home = tmp_path / "dagster_home"
    assert pipehealth_run(project, paths, dagster_home).returncode == EXIT_PUBLISHED

    deliver(paths, GOOD_DROP, drop_date="2025-03-04")
    shutil.rmtree(dagster_home)
    run = pipehealth_run(project, paths, dagster_home)

    assert run.returncode == EXIT_PUBLISHED, run.stdout + run.stderr
    with duckdb.connect(str(paths.build_database), read_only=True) as build:
        [(table_type,)] = build.sql(
            f"select table_type from information_schema.tables where table_name = '{MART}'"
        ).fetchall()
        [(full_refresh,)] = build.sql(
            "select full_refresh from audit.builds order by built_at desc limit 1"
        ).fetchall()
    assert table_type == "VIEW"
    assert not full_refresh
    assert_served_mart_recomputes(paths, as_of="2025-03-04")


def assert_served_mart_recomputes(paths: Paths, as_of: str | None = None) -> None:
    """The served mart equals its definition recomputed from the served daily snapshot."""
    with duckdb.connect(str(paths.served_database), read_only=True) as served:
        published = served.sql(
            f"select pipeline, stage, open_deals, open_pipeline from marts.{MART}"
        ).df()
        [(last_snapshot,)] = served.sql(
            "select max(snapshot_date)::varchar from marts.fct_deal_daily_snapshot"
        ).fetchall()
        open_deals = served.sql(
            """
            select pipeline, stage, amount
            from marts.fct_deal_daily_snapshot
            where is_open and snapshot_date = cast($last_snapshot as date)
            """,
            params={"last_snapshot": last_snapshot},
        ).df()
    if as_of is not None:
        assert last_snapshot == as_of
    expected = (
        open_deals.assign(amount=open_deals["amount"].fillna(0).astype(float))
        .groupby(["pipeline", "stage"], as_index=False)
        .agg(open_deals=("amount", "size"), open_pipeline=("amount", "sum"))
    )
    assert len(expected) >= 3
    pd.testing.assert_frame_equal(
        published.astype({"open_pipeline": float, "open_deals": "int64"})
        .sort_values(["pipeline", "stage"])
        .reset_index(drop=True),
        expected.astype({"open_deals": "int64"})
        .sort_values(["pipeline", "stage"])
        .reset_index(drop=True),
        check_dtype=False,
    )
