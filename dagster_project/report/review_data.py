"""What the weekly review shows, read from the served BI file in a few set-based queries.

Every figure comes from a published mart as it is: the report formats and arranges, it
never recomputes a metric, so a figure on the page is the figure a BI tool reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

COMPANY = "company"
TREND_WEEKS = 13
TOP_DEALS_SHOWN = 20
CHANGES_SHOWN = 25

# The headline figures of mart_pipeline_health, in the order a page shows them.
HEADLINE_COLUMNS = (
    "open_pipeline",
    "weighted_pipeline",
    "coverage_ratio",
    "bookings_qtd",
    "win_rate",
    "avg_deal_size",
    "avg_sales_cycle_days",
    "pipeline_generated",
    "stalled_deals",
    "deals_without_next_step",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Entity:
    """A page of the report: the company, a team or a rep."""

    level: str
    entity_id: str
    name: str
    team: str | None = None


@dataclass
class ReviewData:
    """Every row the pages need, keyed by (level, entity_id) where the mart has that grain."""

    as_of_date: date
    entities: list[Entity]
    health: dict[tuple[str, str], Row] = field(default_factory=dict)
    health_week_ago: dict[tuple[str, str], Row] = field(default_factory=dict)
    quarter_attainment: dict[tuple[str, str], Row] = field(default_factory=dict)
    trend: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    waterfall: dict[tuple[str, str, str], Row] = field(default_factory=dict)
    top_deals: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    outcomes: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    forecast: dict[tuple[str, str], list[Row]] = field(default_factory=dict)
    changes: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    funnel: list[Row] = field(default_factory=list)
    missing_extract_days: list[date] = field(default_factory=list)


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]) -> list[Row]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _by_entity(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    grouped: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row["level"], row["entity_id"]), []).append(row)
    return grouped


def _one_per_entity(rows: list[Row]) -> dict[tuple[str, str], Row]:
    return {(row["level"], row["entity_id"]): row for row in rows}


def _marts(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }


def read_review_data(connection: duckdb.DuckDBPyConnection) -> ReviewData:
    """The review as of the latest as-of date of mart_pipeline_health."""
    (as_of_date,) = connection.execute(
        "select max(as_of_date) from marts.mart_pipeline_health"
    ).fetchone() or (None,)
    if as_of_date is None:
        raise ValueError("marts.mart_pipeline_health is empty: there is nothing to review yet")
    week_ago = as_of_date - timedelta(days=7)
    health_columns = ", ".join(HEADLINE_COLUMNS)
    health_sql = (
        f"select level, entity_id, entity_name, quarter_quota, {health_columns} "
        "from marts.mart_pipeline_health where as_of_date = ?"
    )
    health_rows = _rows(connection, health_sql, [as_of_date])
    teams = {
        row["owner_id"]: row["team"]
        for row in _rows(
            connection,
            "select distinct owner_id, team from marts.mart_quota_plan order by owner_id, team",
            [],
        )
    }
    order = {COMPANY: 0, "team": 1, "rep": 2}
    entities = sorted(
        (
            Entity(
                level=row["level"],
                entity_id=row["entity_id"],
                name=row["entity_name"] or row["entity_id"],
                team=teams.get(row["entity_id"]) if row["level"] == "rep" else None,
            )
            for row in health_rows
        ),
        key=lambda entity: (order[entity.level], entity.name.lower(), entity.entity_id),
    )
    trend_days = [as_of_date - timedelta(days=7 * week) for week in range(TREND_WEEKS)]
    # A file published before these marts existed still gets a report, without them.
    published = _marts(connection)
    forecast = (
        _rows(
            connection,
            "select * from marts.mart_forecast where as_of_date = ? order by quarter_start",
            [as_of_date],
        )
        if "mart_forecast" in published
        else []
    )
    changes = (
        _rows(
            connection,
            "select * from marts.mart_deal_changes where change_date > ? and change_date <= ? "
            "order by change_date desc, deal_id, change_kind",
            [week_ago, as_of_date],
        )
        if "mart_deal_changes" in published
        else []
    )
    return ReviewData(
        as_of_date=as_of_date,
        entities=entities,
        health=_one_per_entity(health_rows),
        health_week_ago=_one_per_entity(_rows(connection, health_sql, [week_ago])),
        quarter_attainment=_one_per_entity(
            _rows(
                connection,
                "select level, entity_id, quota, bookings_to_date, attainment_pct, "
                "expected_pace_pct, gap_to_quota from marts.mart_attainment_by_period "
                "where period_type = 'quarter' and period_start <= ? and next_period_start > ?",
                [as_of_date, as_of_date],
            )
        ),
        trend=_by_entity(
            _rows(
                connection,
                "select level, entity_id, as_of_date, open_pipeline, weighted_pipeline "
                "from marts.mart_pipeline_health where as_of_date in "
                f"({', '.join('?' for _ in trend_days)}) order by as_of_date",
                trend_days,
            )
        ),
        waterfall={
            (row["period_type"], row["level"], row["entity_id"]): row
            for row in _rows(
                connection,
                "select * from marts.mart_pipeline_waterfall where period_type in "
                "('week', 'quarter') and period_start <= ? and period_end > ?",
                [as_of_date, as_of_date],
            )
        },
        top_deals=_by_entity(
            _rows(
                connection,
                "select * from marts.mart_top_deals where as_of_date = ? and deal_rank <= ? "
                "order by deal_rank",
                [as_of_date, TOP_DEALS_SHOWN],
            )
        ),
        outcomes=_by_entity(
            _rows(
                connection,
                "select * from marts.mart_deal_outcomes where period_type = 'quarter' "
                "and period_start = (select fiscal_quarter_start from marts.dim_calendar "
                "where date_day = ?) order by outcome, outcome_rank",
                [as_of_date],
            )
        ),
        forecast=_by_entity(forecast),
        changes=changes,
        activities=_rows(
            connection,
            "select owner_id, sum(activities) as activities, "
            "sum(case when activity_type = 'call' then completed else 0 end) as calls, "
            "sum(completed_calls) as completed_calls, sum(connected_calls) as connected_calls, "
            "sum(case when activity_type = 'meeting' then completed else 0 end) as meetings, "
            "sum(demos_booked) as demos_booked, sum(demos_held) as demos_held, "
            "sum(demo_no_shows) as demo_no_shows "
            "from marts.mart_activity_kpis where period_type = 'day' "
            "and period_start > ? and period_start <= ? group by owner_id order by owner_id",
            [week_ago, as_of_date],
        ),
        funnel=_rows(
            connection,
            "select sum(leads) as leads, sum(mqls) as mqls, sum(sqls) as sqls, "
            "sum(opportunities) as opportunities, sum(won) as won from marts.mart_funnel "
            "where cohort_month > ? and cohort_month <= ?",
            [as_of_date - timedelta(days=365), as_of_date],
        ),
        missing_extract_days=[
            day
            for (day,) in connection.execute(
                "select distinct snapshot_date from marts.fct_deal_daily_snapshot "
                "where is_carried_over_gap order by snapshot_date"
            ).fetchall()
        ],
    )
