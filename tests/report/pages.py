"""Reading the weekly review's pages: the figures they show and the marts they come from."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from browser import OpenedPage

# Where each mart of a headline figure holds the figure the page shows.
FIGURE_ROWS = {
    "mart_pipeline_health": "as_of_date = (select max(as_of_date) from marts.mart_pipeline_health)",
    "mart_attainment_by_period": "period_type = 'quarter' and is_current_period",
}


def wait_for_charts(page: OpenedPage) -> None:
    page.page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')].every(area => area.dataset.rendered)"
    )


def figures(page: OpenedPage, entity_id: str) -> list[dict[str, str]]:
    """Every headline figure of `entity_id` on the page: metric, raw value, text shown."""
    return page.page.eval_on_selector_all(
        f'[data-metric][data-entity="{entity_id}"]',
        "elements => elements.map(element => ({metric: element.dataset.metric, "
        "value: element.dataset.value, shown: element.textContent.trim()}))",
    )


def served_figure(served_database: Path, metric: str, entity_id: str) -> Any:
    """The figure `<mart>.<column>` of `entity_id` in the served BI file."""
    mart, column = metric.split(".")
    with duckdb.connect(str(served_database), read_only=True) as connection:
        rows = connection.execute(
            f'select "{column}" from marts.{mart} where {FIGURE_ROWS[mart]} and entity_id = ?',
            [entity_id],
        ).fetchall()
    assert len(rows) == 1, (metric, entity_id, rows)
    return rows[0][0]


def assert_figures_are_the_served_marts(
    page: OpenedPage, served_database: Path, entity_id: str
) -> int:
    """Each figure's data-value is the mart's number exactly; returns how many there are."""
    shown = figures(page, entity_id)
    for figure in shown:
        expected = served_figure(served_database, figure["metric"], entity_id)
        if expected is None:
            assert figure["value"] == "" and figure["shown"] == "—", figure
        else:
            assert Decimal(figure["value"]) == Decimal(expected), figure
            assert figure["shown"] not in ("", "—"), figure
    return len(shown)
