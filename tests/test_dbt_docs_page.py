"""`make docs` builds dbt's docs as one static page that opens in a browser with no
error and no request off the machine, and shows the metric glossary and each mart
column's definition from docs/metrics.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import opened, served

from dagster_project.settings import REPO_ROOT, Paths
from dagster_project.transform.metric_docs import METRICS_DOC, metric_definitions

pytestmark = pytest.mark.slow


def plain(text: str) -> str:
    """Text as a page shows it: Markdown's bold and code marks gone, spaces collapsed."""
    return " ".join(re.sub(r"\*\*|`", "", text).split())


@pytest.fixture(scope="module")
def docs_page(published_sample: Paths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make docs` on a copy of the shared sample's build database (dbt reads its catalog
    from it, and opens it for writing)."""
    warehouse = tmp_path_factory.mktemp("docs") / "warehouse"
    warehouse.mkdir()
    shutil.copy(published_sample.build_database, warehouse / "build.duckdb")
    make = subprocess.run(
        # The tests' own interpreter and dbt; `-o` keeps make from reinstalling them.
        ["make", "-o", ".venv/.installed", f"BIN={Path(sys.executable).parent}", "docs"],
        cwd=REPO_ROOT,
        env={**os.environ, "PIPEHEALTH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )
    assert make.returncode == 0, make.stdout + make.stderr
    return warehouse / "docs" / "index.html"


def test_the_docs_page_shows_the_metric_glossary_and_each_column_s_definition(
    docs_page: Path,
) -> None:
    definitions = metric_definitions(METRICS_DOC.read_text())

    with served(docs_page.parent) as base_url, opened(base_url + "index.html") as docs:
        overview = docs.page.locator("body")
        assert docs.page.get_by_role("heading", name="Metric glossary").is_visible()
        assert plain(definitions["win_rate"]) in plain(overview.inner_text())
        assert plain(definitions["connect_rate"]) in plain(overview.inner_text())

        docs.page.goto(
            base_url + "index.html#!/model/model.pipehealth.mart_pipeline_health",
            wait_until="networkidle",
        )
        docs.page.get_by_text("coverage_ratio").first.wait_for()
        columns = docs.page.locator("body").inner_text()
        assert plain(definitions["coverage_ratio"]) in plain(columns)
        # The catalog, read from the build database: the column's type as DuckDB has it.
        assert "DECIMAL(28,6)" in columns

        assert docs.console_errors == []
        assert docs.dialogs == []
        assert docs.off_loopback_requests == []
