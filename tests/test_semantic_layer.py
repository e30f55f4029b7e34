"""The semantic layer's metrics (MetricFlow, `pipehealth metrics`) give the marts' figures:
each answer on the shared sample is checked against the mart that publishes the same
figure, for several periods and entities. The queries read the served file alone."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from dagster_project.cli import main
from dagster_project.semantic_layer import query_metrics
from dagster_project.settings import Paths

VELOCITY_WINDOW_DAYS = 90  # the var's default, as the sample is built with
TRAILING_WINDOW_METRICS = [
    "deals_closed",
    "deals_won",
    "win_rate",
    "win_rate_by_value",
    "avg_deal_size",
    "avg_sales_cycle_days",
]


@pytest.fixture(scope="module")
def served_only(published_sample: Paths, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """A warehouse folder holding the served file and nothing else: no build database to
    read or lock."""
    root = tmp_path_factory.mktemp("served_only")
    paths = Paths(landing=root / "landing", warehouse=root / "warehouse")
    paths.warehouse.mkdir()
    shutil.copy(published_sample.served_database, paths.served_database)
    return paths


def mart(paths: Paths, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(paths.served_database), read_only=True) as served:
        return served.sql(sql).df()


def test_bookings_by_fiscal_quarter_month_and_rep_are_the_attainment_mart_s(
    served_only: Paths,
) -> None:
    for grain in ("month", "quarter"):
        answer = query_metrics(
            served_only, ["bookings"], [f"metric_time__{_period(grain)}", "deal_day__owner_id"]
        )
        expected = mart(
            served_only,
            f"""
            select period_start, entity_id as owner_id, cast(bookings as double) as bookings
            from marts.mart_attainment_by_period
            where period_type = '{grain}' and level = 'rep' and bookings > 0
            """,
        )
        answer.columns = ["period_start", "owner_id", "bookings"]
        answer = answer[answer["bookings"] > 0]
        assert len(expected) >= 5
        _assert_same(answer, expected, keys=["period_start", "owner_id"])


def test_quota_and_attainment_by_fiscal_quarter_and_rep_are_the_attainment_mart_s(
    served_only: Paths,
) -> None:
    answer = query_metrics(
        served_only, ["quota", "attainment_pct"], ["metric_time__fiscal_quarter", "owner"]
    )
    expected = mart(
        served_only,
        """
        select period_start, entity_id as owner, quota, attainment_pct
        from marts.mart_attainment_by_period
        where period_type = 'quarter' and level = 'rep' and quota is not null
        """,
    )
    answer.columns = ["period_start", "owner", "quota", "attainment_pct"]
    answer = answer[answer["quota"].notna()]
    assert len(expected) >= 5
    _assert_same(answer, expected, keys=["period_start", "owner"])


def test_the_trailing_window_figures_are_the_pipeline_health_mart_s(served_only: Paths) -> None:
    health = mart(
        served_only,
        """
        select as_of_date, deals_closed, deals_won, win_rate, win_rate_by_value,
            avg_deal_size, avg_sales_cycle_days, open_deals, open_pipeline, weighted_pipeline
        from marts.mart_pipeline_health
        where level = 'company'
        order by as_of_date desc
        limit 3
        """,
    )
    for day in health.itertuples():
        window_start = day.as_of_date - timedelta(days=VELOCITY_WINDOW_DAYS - 1)
        outcomes = query_metrics(
            served_only,
            TRAILING_WINDOW_METRICS,
            where=[
                f"{{{{ TimeDimension('metric_time', 'day') }}}} "
                f"between '{window_start}' and '{day.as_of_date}'"
            ],
        )
        pipeline = query_metrics(
            served_only,
            ["open_deals", "open_pipeline", "weighted_pipeline"],
            where=[f"{{{{ TimeDimension('metric_time', 'day') }}}} = '{day.as_of_date}'"],
        )
        answer = {**outcomes.iloc[0].to_dict(), **pipeline.iloc[0].to_dict()}
        assert answer["deals_closed"] >= 10
        for figure, value in answer.items():
            assert value == pytest.approx(float(getattr(day, figure)), abs=1e-6), figure


def test_connect_and_no_show_rates_by_week_and_rep_are_the_activity_mart_s(
    served_only: Paths,
) -> None:
    answer = query_metrics(
        served_only,
        ["connect_rate", "demo_no_show_rate"],
        ["metric_time__week", "activity_day__owner_id"],
    )
    weeks = mart(
        served_only,
        """
        select period_start, owner_id,
            sum(connected_calls) / nullif(sum(completed_calls), 0) as connect_rate,
            sum(demo_no_shows) / nullif(sum(demos_held + demo_no_shows), 0)
                as demo_no_show_rate
        from marts.mart_activity_kpis
        where period_type = 'week'
        group by period_start, owner_id
        """,
    )
    answer.columns = ["period_start", "owner_id", "connect_rate", "demo_no_show_rate"]
    assert weeks["connect_rate"].notna().sum() >= 20
    _assert_same(answer, weeks, keys=["period_start", "owner_id"])


def test_lead_step_rates_by_cohort_month_are_the_funnel_mart_s(served_only: Paths) -> None:
    answer = query_metrics(
        served_only, ["mql_to_sql_rate", "sql_to_opportunity_rate"], ["metric_time__month"]
    )
    cohorts = mart(
        served_only,
        """
        select cohort_month as period_start,
            sum(sqls) / nullif(sum(mqls), 0) as mql_to_sql_rate,
            sum(opportunities) / nullif(sum(sqls), 0) as sql_to_opportunity_rate
        from marts.mart_funnel
        group by cohort_month
        """,
    )
    answer.columns = ["period_start", "mql_to_sql_rate", "sql_to_opportunity_rate"]
    assert len(cohorts) >= 3
    _assert_same(answer, cohorts, keys=["period_start"])


def _period(grain: str) -> str:
    """MetricFlow's name of a period: the fiscal quarter is dim_calendar's."""
    return "fiscal_quarter" if grain == "quarter" else grain


def _assert_same(answer: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({column: "float64" for column in frame.columns if column not in keys})
        frame["period_start"] = pd.to_datetime(frame["period_start"]).astype("datetime64[us]")
        return frame.sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(
        ordered(answer), ordered(expected[list(answer.columns)]), check_exact=False, atol=1e-6
    )


def test_pipehealth_metrics_prints_the_win_rate_by_fiscal_quarter(
    served_only: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("DAGSTER_HOME", "PIPEHEALTH_LANDING", "PIPEHEALTH_WAREHOUSE"):
        monkeypatch.setenv(variable, os.environ[variable])  # the command exports them
    quarters = mart(
        served_only,
        """
        select period_start, cast(bookings as double) as bookings
        from marts.mart_attainment_by_period
        where period_type = 'quarter' and level = 'company' and bookings > 0
        """,
    )

    argv = ["metrics", "--warehouse", str(served_only.warehouse), "--metrics", "bookings"]
    assert main([*argv, "--group-by", "metric_time__fiscal_quarter"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["metric_time__fiscal_quarter", "bookings"]
    assert len(quarters) >= 2
    for quarter in quarters.itertuples():
        [line] = [line for line in printed if line.split()[0] == str(quarter.period_start.date())]
        assert float(line.split()[1]) == pytest.approx(quarter.bookings, abs=1e-4)
