"""The Maven flat export through the whole Dagster path, checked against pandas.

Every expected figure is computed here from the export's CSV files
(tests/fixtures/third_party/) with pandas (the definitions of docs/metrics.md), never
from the models, and must equal the published marts.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from third_party import maven_dir, run_to_published, write_maven_drop

from dagster_project.settings import DBT_PROJECT_DIR, Paths, current_paths

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

# The drop is dated the day of the last close, so the as-of date is 2017-12-31.
AS_OF = date(2017, 12, 31)


@pytest.fixture(scope="module")
def published_run(dbt_manifest: Path) -> tuple[Paths, str]:
    """The published warehouse, and what the run printed."""
    paths = current_paths()
    shutil.rmtree(paths.landing, ignore_errors=True)
    shutil.rmtree(paths.warehouse, ignore_errors=True)
    write_maven_drop(paths.landing, AS_OF)
    return paths, run_to_published(paths)


@pytest.fixture(scope="module")
def published(published_run: tuple[Paths, str]) -> Paths:
    return published_run[0]


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    """sales_pipeline.csv with each agent's manager, dates parsed."""
    pipeline = pd.read_csv(maven_dir() / "sales_pipeline.csv", parse_dates=["close_date"])
    teams = pd.read_csv(maven_dir() / "sales_teams.csv")
    return pipeline.merge(teams, on="sales_agent", how="left", validate="many_to_one")


def served(paths: Paths, sql: str, parameters: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(paths.served_database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetch_df()


def trailing_window(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals closed in the trailing velocity window ending on (and including) AS_OF."""
    days = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "velocity_window_days"
    ]
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=days - 1)
    return deals[deals["close_date"].between(start, pd.Timestamp(AS_OF))]


def test_deal_counts_per_stage(published: Paths, deals: pd.DataFrame) -> None:
    mapping = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "stage_mappings.csv")
    flat = mapping[mapping["source"] == "flat"].set_index("source_stage")["stage"]
    expected = deals["deal_stage"].map(flat).value_counts().sort_index()

    actual = served(
        published,
        "select stage, count(*) as deals from marts.snap_deals where is_current group by stage",
    ).set_index("stage")["deals"]

    assert expected.to_dict() == {"engaging": 1589, "lost": 2473, "prospecting": 500, "won": 4238}
    assert actual.sort_index().to_dict() == expected.to_dict()


def test_win_rate_per_agent(published: Paths, deals: pd.DataFrame) -> None:
    closed = trailing_window(deals)
    closed = closed[closed["deal_stage"].isin(["Won", "Lost"])]
    expected = closed.groupby("sales_agent")["deal_stage"].apply(lambda s: (s == "Won").mean())

    actual = served(
        published,
        "select entity_id, win_rate from marts.mart_pipeline_health "
        "where as_of_date = ? and level = 'rep' and win_rate is not null",
        [AS_OF],
    ).set_index("entity_id")["win_rate"]

    assert len(expected) == 30
    assert actual.sort_index().to_dict() == pytest.approx(expected.sort_index().to_dict())


def test_average_deal_size_per_agent_and_company(published: Paths, deals: pd.DataFrame) -> None:
    won = trailing_window(deals).query("deal_stage == 'Won'")
    expected = won.groupby("sales_agent")["close_value"].mean().to_dict()
    expected["company"] = won["close_value"].mean()

    actual = served(
        published,
        "select entity_id, avg_deal_size from marts.mart_pipeline_health "
        "where as_of_date = ? and level in ('rep', 'company') and avg_deal_size is not null",
        [AS_OF],
    ).set_index("entity_id")["avg_deal_size"]

    assert actual.to_dict() == pytest.approx(expected)


@pytest.mark.parametrize(("level", "entity"), [("team", "manager"), ("company", None)])
def test_bookings_per_month_and_manager(
    published: Paths, deals: pd.DataFrame, level: str, entity: str | None
) -> None:
    won = deals[deals["deal_stage"] == "Won"].assign(
        month=lambda frame: frame["close_date"].dt.to_period("M").dt.start_time.dt.date,
        entity_id=lambda frame: frame[entity] if entity else "company",
    )
    expected = won.groupby(["month", "entity_id"])["close_value"].sum()

    actual = served(
        published,
        "select period_start as month, entity_id, bookings from marts.mart_attainment_by_period "
        "where period_type = 'month' and level = ? and bookings > 0",
        [level],
    )
    actual["month"] = pd.to_datetime(actual["month"]).dt.date
    actual = actual.set_index(["month", "entity_id"])["bookings"]

    assert expected.sum() == 10_005_534
    assert actual.sort_index().to_dict() == pytest.approx(expected.sort_index().to_dict())


def test_the_run_summary_lists_the_export_defects_that_only_warn(
    published_run: tuple[Paths, str],
) -> None:
    _, printed = published_run

    assert "warning:       raw/flat__sales_pipeline / raw_gate" in printed
    assert "column account: 1425 of 8800 rows have no account" in printed
    assert "column engage_date: 500 of 8800 rows have no engage_date" in printed
    assert "warning:       raw/flat__accounts / raw_gate" in printed
    assert "'technolgy'" in printed
