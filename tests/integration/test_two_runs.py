"""Two `pipehealth run` processes started at once on one warehouse (a cron entry and
someone at a terminal): the second waits for the whole of the first, summary included,
then loads nothing new; both exit 0 and a BI reader sees one whole publish at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from corpus import GOOD_DROP, deliver
from operations import Installation, Reader, as_json
from pipeline_runs import copy_state

from dagster_project.exit_codes import EXIT_PUBLISHED
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.publish.history import publish_history
from dagster_project.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.spread, pytest.mark.system]

RUN_TIMEOUT_SECONDS = 600
GATE_LINE = re.compile(r"^\[2/\d\] gate     (.*)$", re.MULTILINE)


def test_two_runs_at_once_take_turns_and_the_second_loads_nothing_new(
    good_state: Paths, tmp_path: Path
) -> None:
    paths = copy_state(good_state, tmp_path)
    installation = Installation(tmp_path)
    versions_before = installation.served_versions()
    drops_before = installation.raw_versions()["_drops"]
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        publishes_before = len(publish_history(connection, limit=100))
    # The good drop again, as the next day's: accounts, deals and users.
    deliver(paths, GOOD_DROP, drop_date="2025-03-04")
    reader = Reader(installation.served_database, tmp_path)

    runs = {name: installation.start_run(log_name=f"{name}.log") for name in ("a", "b")}
    exit_codes = {name: run.wait(timeout=RUN_TIMEOUT_SECONDS) for name, run in runs.items()}
    printed = {name: (tmp_path / f"{name}.log").read_text() for name in runs}

    assert exit_codes == {"a": EXIT_PUBLISHED, "b": EXIT_PUBLISHED}, printed
    [second] = [name for name, text in printed.items() if "Waiting for run " in text]
    [first] = [name for name in runs if name != second]
    # Quiet by default: the first loaded the drop and shows the gate of its three files.
    others = "more raw tables, not in the drops loaded: done (--verbose lists them)"
    assert gate_lines(printed[first]) == [
        "raw/accounts done",
        "raw/deals done",
        "raw/users done",
        f"{len(RAW_TABLES) - 3} {others}",
    ]
    assert gate_lines(printed[second]) == [f"{len(RAW_TABLES)} {others}"]
    assert installation.raw_versions()["_drops"] == drops_before + 1
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        history = publish_history(connection, limit=100)
    assert len(history) == publishes_before + 2
    latest, before_latest = history[:2]
    # Both published, the second the same marts again, and it is served.
    assert latest.marts == before_latest.marts
    assert installation.served_versions() == latest.marts
    reads = reader.stop_after_seeing(latest.marts)
    assert [read for read in reads if "error" in read] == []
    whole_publishes = [as_json(versions_before), as_json(latest.marts)]
    assert all(read["versions"] in whole_publishes for read in reads)


def gate_lines(printed: str) -> list[str]:
    """The gate lines a run printed, without their timings."""
    return [re.sub(r" in \d+\.\d s$", "", line) for line in GATE_LINE.findall(printed)]
