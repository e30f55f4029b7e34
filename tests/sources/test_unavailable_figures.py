"""The figures a source format cannot give: declared once per format, printed in the run
summary and `pipehealth status` for the formats loaded, and listed in docs/sources.md."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest import flat_contract
from dagster_project.ingest.drop_log import DROPS_TABLE, ensure_drop_log
from dagster_project.ingest.sources import SOURCES, UNAVAILABLE_FIGURES
from dagster_project.ingest.unavailable_figures import unavailable_figure_lines
from dagster_project.settings import REPO_ROOT


def logged_drops(sources: list[str]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("create schema raw")
    ensure_drop_log(connection)
    for day, source in enumerate(sources, start=1):
        connection.execute(
            f"insert into {DROPS_TABLE} (drop_date, source) values (?, ?)",
            [f"2025-01-{day:02d}", source],
        )
    return connection


def test_a_flat_drop_lists_what_a_flat_export_cannot_give() -> None:
    with logged_drops(["canonical", "flat", "flat"]) as connection:
        lines = unavailable_figure_lines(connection)

    assert lines == [
        f"  not in flat exports: {figure}" for figure in flat_contract.UNAVAILABLE_FIGURES
    ]
    assert any("stage conversions" in line for line in lines)


def test_canonical_drops_miss_nothing() -> None:
    with logged_drops(["canonical"]) as connection:
        assert unavailable_figure_lines(connection) == []


def test_every_format_declares_its_list() -> None:
    assert set(UNAVAILABLE_FIGURES) == set(SOURCES)


@pytest.mark.parametrize(
    ("source", "figure"),
    [(source, figure) for source, figures in UNAVAILABLE_FIGURES.items() for figure in figures],
)
def test_the_sources_doc_lists_the_same_figures(source: str, figure: str) -> None:
    sources_doc = Path(REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    section = sources_doc.split(f"**Not in {source} exports**", 1)

    assert len(section) == 2, f"docs/sources.md has no 'Not in {source} exports' list"
    assert f"- {figure}\n" in section[1].split("\n\n", 1)[0] + "\n"
