"""The weekly review the pipeline built for the shared published sample, as a sales leader
opens it: Debian's Chromium over a loopback server, nothing else reachable."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from browser import OpenedPage, opened, served
from pages import assert_figures_are_the_served_marts, wait_for_charts

from dagster_project.publish.publisher import served_publish_id
from dagster_project.settings import REPO_ROOT, Paths

SCREENSHOT = REPO_ROOT / "docs" / "images" / "weekly-review.png"
# The budget for the company page with everything it loads, at scale M.
COMPANY_PAGE_BUDGET_BYTES = 5 * 1024 * 1024
COMPANY_CHARTS = [
    "pipeline_trend",
    "attainment",
    "waterfall_week",
    "waterfall_quarter",
    "forecast",
    "funnel",
]


@pytest.fixture(scope="module")
def company_page(published_sample: Paths) -> Iterator[OpenedPage]:
    with (
        served(published_sample.report_dir) as base_url,
        opened(base_url + "index.html", viewport=(1400, 900)) as page,
    ):
        wait_for_charts(page)
        yield page


def test_company_page_loads_offline_and_renders_every_chart(company_page: OpenedPage) -> None:
    assert company_page.console_errors == []
    assert company_page.off_loopback_requests == []
    assert company_page.dialogs == []
    charts = company_page.page.eval_on_selector_all(
        "[data-chart]",
        "areas => areas.map(area => [area.dataset.chart, area.dataset.rendered, "
        "area.querySelectorAll('svg .mark-rect path, svg .mark-line path, "
        "svg .mark-symbol path, svg .mark-rule line').length])",
    )
    assert [name for name, _, _ in charts] == COMPANY_CHARTS
    for name, rendered, marks in charts:
        assert rendered == "true", name
        assert marks > 0, f"chart {name} drew nothing"


def test_every_company_headline_figure_is_the_served_mart(
    company_page: OpenedPage, published_sample: Paths
) -> None:
    # Ten of mart_pipeline_health, quota attainment and pace of mart_attainment_by_period.
    shown = assert_figures_are_the_served_marts(
        company_page, published_sample.served_database, "company"
    )
    assert shown == 12


def test_the_page_names_its_publish_and_as_of_date(
    company_page: OpenedPage, published_sample: Paths
) -> None:
    page = company_page.page
    publish_id = page.get_attribute("[data-publish-id]", "data-publish-id")
    assert publish_id == served_publish_id(published_sample)
    with duckdb.connect(str(published_sample.served_database), read_only=True) as connection:
        (as_of_date,) = connection.execute(
            "select max(as_of_date) from marts.mart_pipeline_health"
        ).fetchone()
    assert page.get_attribute("[data-as-of-date]", "data-as-of-date") == as_of_date.isoformat()
    # The served link is the report of that publish, in the publish's own folder.
    assert publish_id in str(published_sample.report_dir.resolve())


def test_top_deals_show_whole_days_in_stage_rounded_down(
    company_page: OpenedPage, published_sample: Paths
) -> None:
    page = company_page.page
    shown = page.eval_on_selector(
        "table.deals",
        "table => { const column = [...table.tHead.rows[0].cells]"
        ".findIndex(cell => cell.textContent === 'Days in stage'); "
        "return [...table.tBodies[0].rows].map(row => row.cells[column].textContent.trim()); }",
    )
    with duckdb.connect(str(published_sample.served_database), read_only=True) as connection:
        rows = connection.execute(
            "select days_in_stage from marts.mart_top_deals "
            "where level = 'company' and as_of_date = ? order by deal_rank",
            [page.get_attribute("[data-as-of-date]", "data-as-of-date")],
        ).fetchall()
    days = [float(value) for (value,) in rows]
    assert shown == [str(math.floor(value)) for value in days]
    # Not trivially: rounding to the nearest day would show some of these one day more.
    assert any(value % 1 >= 0.5 for value in days)


def test_company_page_with_what_it_loads_fits_the_budget(published_sample: Paths) -> None:
    folder = published_sample.report_dir
    loaded = ["index.html", "vega.js", "review.css", "review.js"]
    assert sum((folder / name).stat().st_size for name in loaded) < COMPANY_PAGE_BUDGET_BYTES


def test_screenshot_of_the_company_page(company_page: OpenedPage, tmp_path: Path) -> None:
    """The README's picture: PIPEHEALTH_UPDATE_SCREENSHOTS=1 writes it into docs/images."""
    screenshot = company_page.screenshot(tmp_path / SCREENSHOT.name)
    assert screenshot.stat().st_size > 100_000
    if os.environ.get("PIPEHEALTH_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(screenshot, SCREENSHOT)
