"""The figures the marts cannot give for the export formats loaded so far.

A flat export has no history, activities or leads: the marts leave those figures empty
or at a default rather than inventing them, and the run summary and `pipehealth status`
say which ones, from the list each source format declares (sources.UNAVAILABLE_FIGURES).
"""

from __future__ import annotations

import duckdb

from dagster_project.ingest.drop_log import DROPS_TABLE
from dagster_project.ingest.sources import UNAVAILABLE_FIGURES


def unavailable_figure_lines(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per figure a loaded source format cannot give; none for canonical drops."""
    loaded_sources = connection.execute(
        f"select distinct source from {DROPS_TABLE} order by source"
    ).fetchall()
    return [
        f"  not in {source} exports: {figure}"
        for (source,) in loaded_sources
        for figure in UNAVAILABLE_FIGURES.get(source, ())
    ]
