"""Build the weekly review from the served BI file into its publish folder, and serve it.

The report of a publish lives in that publish's folder (`.publishes/<id>/report-<n>/`),
so it holds the figures of that publish and no other; `warehouse/report` is a link
swapped to it atomically, as the Parquet link is, and a rollback swaps it back.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from dagster_project import warehouse_access
from dagster_project.ingest.unavailable_figures import unavailable_figure_lines
from dagster_project.publish.publisher import (
    PUBLISHES_DIR_NAME,
    REPORT_DIR_PREFIX,
    served_publish_id,
    swap_symlink,
)
from dagster_project.quality.audit import CHECK_RESULTS_TABLE
from dagster_project.report import pages
from dagster_project.report.review_data import read_review_data
from dagster_project.report.vega_bundle import vega_bundle
from dagster_project.settings import DBT_PROJECT_DIR, Paths, duckdb_config

STATIC_FILES = ("review.css", "review.js")
# `pipehealth report` does not queue behind a run: the run builds the report itself.
REBUILD_LOCK_WAIT_SECONDS = 5


@dataclass(frozen=True)
class ReportResult:
    index: Path
    publish_id: str
    pages: int
    seconds: float


def reporting_currency() -> str:
    """The dbt project's var `reporting_currency`, which every mart amount is in."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project["vars"]["reporting_currency"])


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("dagster_project.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        amount=pages.amount,
        whole=pages.whole,
        percent=pages.percent,
        signed=pages.signed,
        forecast_rows=pages.FORECAST_ROWS,
    )
    return environment


def run_warnings(build: duckdb.DuckDBPyConnection, publish_id: str) -> list[str]:
    """What the run that published warned about: gate warnings (dirty CRM rows kept in
    the marts) and the figures the loaded export formats cannot give."""
    gate = [
        f"{entity} ({extract_date}): {message}"
        for entity, extract_date, message in build.execute(
            f"select entity, extract_date, message from {CHECK_RESULTS_TABLE} "
            "where run_id = ? and outcome = 'warned' order by extract_date, entity, message",
            [publish_id],
        ).fetchall()
    ]
    return gate + [line.strip() for line in unavailable_figure_lines(build)]


def build_report(paths: Paths, build: duckdb.DuckDBPyConnection, currency: str) -> ReportResult:
    """Render every page of the served publish and swap `warehouse/report` to them."""
    started = time.perf_counter()
    publish_id = served_publish_id(paths)
    if publish_id is None:
        raise FileNotFoundError(f"No published marts in {paths.warehouse}: run pipehealth run")
    with duckdb.connect(str(paths.served_database), read_only=True) as served:
        data = read_review_data(served)
    warnings = run_warnings(build, publish_id)
    if data.missing_extract_days:
        days = ", ".join(day.isoformat() for day in data.missing_extract_days[-10:])
        warnings.append(
            f"{len(data.missing_extract_days)} days without an extract, their state carried "
            f"over from the day before (latest: {days})"
        )
    publish_folder = paths.warehouse / PUBLISHES_DIR_NAME / publish_id
    folder = publish_folder / f"{REPORT_DIR_PREFIX}{time.time_ns()}"
    folder.mkdir(parents=True)
    environment = _environment()
    template = environment.get_template("review.html.j2")
    built_pages = pages.build_pages(data)
    context = {
        "as_of_date": data.as_of_date.isoformat(),
        "publish_id": publish_id,
        "currency": currency,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "warnings": warnings,
    }
    for page in built_pages:
        (folder / page.file_name).write_text(template.render(page=page, **context), "utf-8")
    for name in STATIC_FILES:
        (folder / name).write_text(environment.loader.get_source(environment, name)[0], "utf-8")
    shutil.copyfile(vega_bundle(paths.warehouse), folder / "vega.js")
    swap_symlink(paths.report_dir, folder)
    for earlier in publish_folder.glob(f"{REPORT_DIR_PREFIX}*"):
        if earlier != folder:
            shutil.rmtree(earlier, ignore_errors=True)
    return ReportResult(
        index=paths.report_dir / pages.COMPANY_PAGE,
        publish_id=publish_id,
        pages=len(built_pages),
        seconds=time.perf_counter() - started,
    )


def rebuild_report(paths: Paths) -> ReportResult:
    """`pipehealth report`: the review of the served publish, built again, between runs."""
    with (
        warehouse_access.run_lock(
            paths.warehouse,
            holder=f"pipehealth report (pid {os.getpid()})",
            wait_seconds=REBUILD_LOCK_WAIT_SECONDS,
        ),
        warehouse_access.connect(
            paths.build_database, duckdb_config(paths), read_only=True
        ) as build,
    ):
        return build_report(paths, build, reporting_currency())
