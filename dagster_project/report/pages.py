"""One page per entity (the company, each team, each rep): the review's sections as the
template shows them, with every headline figure kept unformatted beside its display."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dagster_project.report import charts
from dagster_project.report.review_data import (
    CHANGES_SHOWN,
    COMPANY,
    Entity,
    ReviewData,
    Row,
)

HEALTH_MART = "mart_pipeline_health"
ATTAINMENT_MART = "mart_attainment_by_period"
COMPANY_PAGE = "index.html"


@dataclass(frozen=True)
class Figure:
    """A headline figure: `metric` is `<mart>.<column>`, `value` the mart's own number."""

    label: str
    metric: str
    entity_id: str
    value: Decimal | int | None
    display: str
    change: str | None = None
    change_direction: str = "flat"
    note: str | None = None
    details: list[Figure] = field(default_factory=list)

    @property
    def raw_value(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class NavLink:
    """A link of a page's navigation: the company, a team or a rep."""

    level: str
    name: str
    file_name: str
    current: bool


@dataclass(frozen=True)
class PageScope:
    """Whom one entity's page shows: the entities it compares, the reps whose activity it
    lists, the deal changes of its deals, and the pages its navigation links to."""

    file_name: str
    nav: list[NavLink]
    compared: list[Entity]
    reps: list[Entity]
    changes: list[Row]


@dataclass
class Page:
    entity: Entity
    file_name: str
    nav: list[NavLink]
    figures: list[Figure]
    charts: dict[str, Chart]
    top_deals: list[Row]
    outcomes: dict[str, list[Row]]
    activities: list[Row]
    attainment_rows: list[Row]
    waterfalls: dict[str, Row | None]
    forecast: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    change_counts: list[tuple[str, int]] = field(default_factory=list)


def amount(value: Any) -> str:
    """4.46M, 812K, 950: a sales leader reads pipeline in millions and thousands."""
    if value is None:
        return "—"
    number = float(value)
    for divisor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(number) >= divisor:
            return f"{number / divisor:.2f}".rstrip("0").rstrip(".") + suffix
    return f"{number:,.0f}"


def whole(value: Any) -> str:
    return "—" if value is None else f"{float(value):,.0f}"


def signed(value: Any) -> str:
    """A change: +1,234 or -1,234; empty where there is nothing to compare with."""
    if value is None:
        return ""
    number = float(value)
    return "±0" if number == 0 else f"{number:+,.0f}"


def percent(fraction: Any) -> str:
    return "—" if fraction is None else f"{float(fraction) * 100:.1f}%"


def _ratio(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}x"


def _days(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f} days"


# (column, label, formatter, formatter of the change, whether more is better)
_HEADLINES = (
    ("open_pipeline", "Open pipeline", amount, amount, True),
    ("weighted_pipeline", "Weighted pipeline", amount, amount, True),
    ("coverage_ratio", "Coverage (this quarter)", _ratio, _ratio, True),
    ("bookings_qtd", "Bookings QTD", amount, amount, True),
    ("win_rate", "Win rate (90 days)", percent, percent, True),
    ("avg_deal_size", "Average deal size", amount, amount, True),
    ("avg_sales_cycle_days", "Sales cycle", _days, _days, False),
    ("pipeline_generated", "Pipeline generated (90 days)", amount, amount, True),
    ("stalled_deals", "Stalled deals", whole, whole, False),
    ("deals_without_next_step", "Deals without a next step", whole, whole, False),
)


def _change(now: Any, before: Any, formatter: Any, more_is_better: bool) -> tuple[str | None, str]:
    if now is None or before is None:
        return None, "flat"
    delta = now - before
    if delta == 0:
        return "no change vs 7 days ago", "flat"
    sign = "+" if delta > 0 else "-"
    good = (delta > 0) == more_is_better
    return f"{sign}{formatter(abs(delta))} vs 7 days ago", "good" if good else "bad"


def _figures(data: ReviewData, key: tuple[str, str]) -> list[Figure]:
    health = data.health.get(key, {})
    before = data.health_week_ago.get(key, {})
    attainment = data.quarter_attainment.get(key)
    figures = []
    for column, label, formatter, change_formatter, more_is_better in _HEADLINES:
        value = health.get(column)
        change, direction = _change(value, before.get(column), change_formatter, more_is_better)
        details = []
        if column == "bookings_qtd" and attainment is not None:
            details = [
                Figure(
                    "of quota",
                    f"{ATTAINMENT_MART}.attainment_pct",
                    key[1],
                    attainment["attainment_pct"],
                    _pct_points(attainment["attainment_pct"]),
                ),
                Figure(
                    "linear pace",
                    f"{ATTAINMENT_MART}.expected_pace_pct",
                    key[1],
                    attainment["expected_pace_pct"],
                    _pct_points(attainment["expected_pace_pct"]),
                ),
            ]
        figures.append(
            Figure(
                label=label,
                metric=f"{HEALTH_MART}.{column}",
                entity_id=key[1],
                value=value,
                display=formatter(value),
                change=change,
                change_direction=direction,
                details=details,
            )
        )
    return figures


def _pct_points(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0f}%"


def _waterfall_steps(row: Row) -> list[tuple[str, float, str]]:
    def number(column: str) -> float:
        return float(row.get(column) or 0)

    steps = [
        ("Opening", number("opening"), "total"),
        ("Created", number("created"), "in"),
        ("Increased", number("increased"), "in"),
        ("Decreased", -number("decreased"), "out"),
        ("Won", -number("won"), "won"),
        ("Lost", -number("lost"), "out"),
    ]
    if "removed" in row:
        steps.append(("Removed", -number("removed"), "out"))
    steps.append(("Closing", number("closing"), "total"))
    return steps


def _attainment_rows(data: ReviewData, members: list[Entity]) -> list[Row]:
    rows = []
    for member in members:
        attainment = data.quarter_attainment.get((member.level, member.entity_id))
        if attainment is None:
            continue
        rows.append(
            {
                "name": member.name,
                "attainment_pct": _float(attainment["attainment_pct"]),
                "bookings": _float(attainment["bookings_to_date"]),
                "quota": _float(attainment["quota"]),
                "gap": _float(attainment["gap_to_quota"]),
                "pace": _float(attainment["expected_pace_pct"]),
            }
        )
    return rows


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _activity_rows(data: ReviewData, reps: list[Entity]) -> list[Row]:
    names = {rep.entity_id: rep.name for rep in reps}
    rows = []
    for row in data.activities:
        if row["owner_id"] not in names:
            continue
        demos_scheduled = (row["demos_held"] or 0) + (row["demo_no_shows"] or 0)
        rows.append(
            {
                **row,
                "name": names[row["owner_id"]],
                "connect_rate": row["connected_calls"] / row["completed_calls"]
                if row["completed_calls"]
                else None,
                "no_show_rate": row["demo_no_shows"] / demos_scheduled if demos_scheduled else None,
            }
        )
    return rows


CHANGE_LABELS = {
    "created": "Created",
    "stage_forward": "Stage forward",
    "stage_back": "Stage back",
    "amount_up": "Amount up",
    "amount_down": "Amount down",
    "close_date_pushed_out": "Close date pushed out",
    "close_date_pulled_in": "Close date pulled in",
    "forecast_category_changed": "Forecast category",
    "won": "Won",
    "lost": "Lost",
    "reopened": "Reopened",
    "removed": "Removed",
}
# Forecast categories as the review shows them: (label, mart_forecast column).
FORECAST_ROWS = (
    ("Closed won", "closed_won"),
    ("Commit", "commit"),
    ("Best case", "best_case"),
    ("Pipeline", "pipeline"),
    ("Omitted", "omitted"),
)
_QUARTER_LABELS = {"current": "This quarter", "next": "Next quarter"}


def _change_detail(row: Row) -> str:
    """What moved, from what to what, in words."""
    kind = row["change_kind"]
    if kind in ("stage_forward", "stage_back", "won", "reopened"):
        return f"{row['from_stage']} → {row['to_stage']}"
    if kind in ("amount_up", "amount_down"):
        return f"{whole(row['from_amount'])} → {whole(row['to_amount'])}"
    if kind in ("close_date_pushed_out", "close_date_pulled_in"):
        return f"{row['from_close_date']} → {row['to_close_date']}"
    if kind == "forecast_category_changed":
        return f"{row['from_forecast_category']} → {row['to_forecast_category']}"
    if kind == "lost":
        return f"{row['from_stage']} → lost: {row['lost_reason'] or 'no reason given'}"
    if kind == "removed":
        return "deleted while open"
    return f"in {row['to_stage']}"


def _change_amount(row: Row) -> float:
    if row["change_kind"] in ("amount_up", "amount_down"):
        return abs(float(row["amount_delta"] or 0))
    return float(row["to_amount"] if row["to_amount"] is not None else row["from_amount"] or 0)


def _changes(mine: list[Row], names: dict[str, str]) -> tuple[list[Row], list[tuple[str, int]]]:
    """The week's changes of an entity: counts per kind, and the largest by amount."""
    counts: dict[str, int] = {}
    for row in mine:
        counts[row["change_kind"]] = counts.get(row["change_kind"], 0) + 1
    largest = sorted(mine, key=_change_amount, reverse=True)[:CHANGES_SHOWN]
    shown = [
        {
            **row,
            "label": CHANGE_LABELS.get(row["change_kind"], row["change_kind"]),
            "detail": _change_detail(row),
            "amount": _change_amount(row),
            "owner_name": names.get(row["owner_id"], row["owner_id"]),
        }
        for row in largest
    ]
    ordered = [(label, counts[kind]) for kind, label in CHANGE_LABELS.items() if kind in counts]
    return shown, ordered


def _forecast_chart(rows: list[Row]) -> Chart | None:
    if not rows:
        return None
    bars = [
        {
            "quarter": _QUARTER_LABELS.get(row["forecast_quarter"], row["forecast_quarter"]),
            "category": label,
            "order": order,
            "amount": _float(row[f"{column}_amount"]),
        }
        for row in rows
        for order, (label, column) in enumerate(FORECAST_ROWS[:4])
    ]
    quotas = [
        {
            "quarter": _QUARTER_LABELS.get(row["forecast_quarter"], row["forecast_quarter"]),
            "quota": _float(row["quota"]),
        }
        for row in rows
        if row["quota"] is not None
    ]
    return Chart("forecast", "Forecast by category against quota", charts.forecast(bars, quotas))


def file_names(entities: list[Entity]) -> dict[tuple[str, str], str]:
    """index.html for the company; team-<id>.html and rep-<id>.html, made safe and unique."""
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for entity in entities:
        if entity.level == COMPANY:
            name = COMPANY_PAGE
        else:
            slug = re.sub(r"[^a-z0-9]+", "-", entity.entity_id.lower()).strip("-") or "entity"
            name = f"{entity.level}-{slug}.html"
            suffix = 2
            while name in taken:
                name = f"{entity.level}-{slug}-{suffix}.html"
                suffix += 1
        taken.add(name)
        names[(entity.level, entity.entity_id)] = name
    return names


def build_pages(data: ReviewData) -> list[Page]:
    names = file_names(data.entities)
    teams = [entity for entity in data.entities if entity.level == "team"]
    reps = [entity for entity in data.entities if entity.level == "rep"]
    team_of = {team.entity_id: team for team in teams}
    reps_of: dict[str, list[Entity]] = {}
    for rep in reps:
        reps_of.setdefault(rep.team or "", []).append(rep)
    rep_names = {rep.entity_id: rep.name for rep in reps}
    changes_of: dict[tuple[str, str], list[Row]] = {}
    for row in data.changes:
        changes_of.setdefault(("rep", row["owner_id"]), []).append(row)
        changes_of.setdefault(("team", row["team"]), []).append(row)
    company = [entity for entity in data.entities if entity.level == COMPANY]
    pages = []
    for entity in data.entities:
        key = (entity.level, entity.entity_id)
        # Each page links up to the company and across to its own team's pages: a list of
        # every rep on every page grows with the square of the reps (2,000 reps at L).
        if entity.level == COMPANY:
            compared, reps_shown = teams, reps
            linked = [entity, *teams, *(rep for rep in reps if rep.team not in team_of)]
            changes = data.changes
        elif entity.level == "team":
            reps_shown = reps_of.get(entity.entity_id, [])
            compared = reps_shown
            linked = [*company, entity, *reps_shown]
            changes = changes_of.get(key, [])
        else:
            compared = reps_shown = [entity]
            team = team_of.get(entity.team or "")
            linked = [*company, team, *reps_of[team.entity_id]] if team else [*company, entity]
            changes = changes_of.get(key, [])
        nav = [
            NavLink(
                level=link.level,
                name="Company" if link.level == COMPANY else link.name,
                file_name=names[(link.level, link.entity_id)],
                current=link is entity,
            )
            for link in linked
        ]
        scope = PageScope(names[key], nav, compared, reps_shown, changes)
        pages.append(_page(data, entity, scope, rep_names))
    return pages


def _page(data: ReviewData, entity: Entity, scope: PageScope, rep_names: dict[str, str]) -> Page:
    key = (entity.level, entity.entity_id)
    page_charts: dict[str, Chart] = {}
    trend = data.trend.get(key, [])
    if trend:
        points = [
            {
                "day": row["as_of_date"].isoformat(),
                "open": _float(row["open_pipeline"]),
                "weighted": _float(row["weighted_pipeline"]),
            }
            for row in trend
        ]
        page_charts["pipeline_trend"] = Chart(
            "pipeline_trend", "Pipeline, last 13 weeks", charts.pipeline_trend(points)
        )
    waterfalls = {period: data.waterfall.get((period, *key)) for period in ("week", "quarter")}
    for period, row in waterfalls.items():
        if row is not None:
            title = "This week" if period == "week" else "Quarter to date"
            page_charts[f"waterfall_{period}"] = Chart(
                f"waterfall_{period}", title, charts.waterfall(_waterfall_steps(row))
            )
    attainment_rows = _attainment_rows(data, scope.compared)
    pace = data.quarter_attainment.get(key, {}).get("expected_pace_pct")
    if attainment_rows:
        page_charts["attainment"] = Chart(
            "attainment",
            "Attainment against linear pace",
            charts.attainment(attainment_rows, _float(pace)),
        )
    if entity.level == COMPANY and data.funnel and data.funnel[0]["leads"]:
        funnel_row = data.funnel[0]
        steps = [
            {"step": label, "count": int(funnel_row[column] or 0)}
            for column, label in (
                ("leads", "Leads"),
                ("mqls", "MQL"),
                ("sqls", "SQL"),
                ("opportunities", "Opportunity"),
                ("won", "Won"),
            )
        ]
        page_charts["funnel"] = Chart("funnel", "Funnel, last 12 months", charts.funnel(steps))
    forecast_rows = data.forecast.get(key, [])
    forecast_chart = _forecast_chart(forecast_rows)
    if forecast_chart is not None:
        page_charts["forecast"] = forecast_chart
    changes, change_counts = _changes(scope.changes, rep_names)
    outcomes: dict[str, list[Row]] = {"won": [], "lost": [], "churned": []}
    for row in data.outcomes.get(key, []):
        outcomes.setdefault(row["outcome"], []).append(row)
    return Page(
        entity=entity,
        file_name=scope.file_name,
        nav=scope.nav,
        figures=_figures(data, key),
        charts=page_charts,
        top_deals=data.top_deals.get(key, []),
        outcomes=outcomes,
        activities=_activity_rows(data, scope.reps),
        attainment_rows=attainment_rows,
        waterfalls=waterfalls,
        forecast=[
            {**row, "label": _QUARTER_LABELS.get(row["forecast_quarter"], "")}
            for row in forecast_rows
        ],
        changes=changes,
        change_counts=change_counts,
    )
