"""The bad-extract corpus: every case blocks, warns or is accepted as its manifest says.

Each case is delivered as the next drop on a copy of a warehouse that already published
the corpus' good drop. Blocking cases run the whole job in process, as `pipehealth run`
does: exit code 1, nothing published (the publish asset is not materialized, the BI file
and the Parquet files keep their checksums), the failure kept in the `audit` schema and
printed with the words the manifest lists. Warned and accepted cases run the loader and
the gate directly (what follows them is the normal build, tested elsewhere).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from corpus import (
    CASES,
    DROP_DATE,
    Case,
    cases_with,
    checksums,
    deliver,
)
from pipeline_runs import copy_state, run_in

from dagster_project.exit_codes import EXIT_GATE_FAILED
from dagster_project.ingest.contract import ENTITIES
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.publish.assets import PUBLISHED_MARTS_KEY
from dagster_project.quality.checks import DEFAULT_CHUNK_ROWS
from dagster_project.settings import EXPECTATIONS_DIR, Paths

# Each test copies the shared published state: the tests can run on any worker.
pytestmark = pytest.mark.spread


def test_the_corpus_covers_the_issue_and_every_folder_is_a_case() -> None:
    folders = {path.name for path in CASES[0].path.parent.iterdir() if path.is_dir()}
    assert folders == {case.folder for case in CASES} | {"good"}
    assert len(CASES) >= 20
    assert {case.outcome for case in CASES} == {"block", "warn", "accept"}
    for case in CASES:
        assert case.why and case.fault
        assert (case.stopped_by is not None) == (case.outcome == "block")
        assert bool(case.words) == (case.outcome != "accept")


@pytest.mark.parametrize("case", cases_with("block"))
def test_a_blocking_case_stops_the_run_and_publishes_nothing(
    case: Case, good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_state(good_state, tmp_path)
    published_before = checksums(paths)
    drop = deliver(paths, case.path)
    files_before = {path.name: path.read_bytes() for path in drop.iterdir()}
    capsys.readouterr()

    run = run_in(paths)

    assert run.exit_code == EXIT_GATE_FAILED
    message = capsys.readouterr().err
    run_id = run.run_id
    assert PUBLISHED_MARTS_KEY not in run.materialized()
    assert checksums(paths) == published_before
    # The bad drop stays in landing as it was delivered.
    assert {path.name: path.read_bytes() for path in drop.iterdir()} == files_before
    for word in case.words:
        assert word in message
    recorded = _recorded_failures(paths, run_id, case)
    assert recorded, f"no audit row for run {run_id}"
    for word in case.words:
        assert any(word in text for text in recorded), (word, recorded)


@pytest.mark.parametrize("case", cases_with("warn", "accept"))
def test_a_warned_or_accepted_case_passes_the_gate(
    case: Case, good_state: Paths, tmp_path: Path
) -> None:

    from dagster_project.quality.gate import run_gate
    from dagster_project.quality.parameters import SEEDS_DIR

    paths = copy_state(good_state, tmp_path)
    deliver(paths, case.path)
    with duckdb.connect(str(paths.build_database)) as connection:
        load = load_pending_drops(connection, paths.landing, datetime(2025, 3, 5))
        reports = [
            run_gate(
                connection,
                entity,
                run_id=f"corpus-{case.folder}",
                expectations_dir=EXPECTATIONS_DIR,
                seeds_dir=SEEDS_DIR,
                chunk_rows=DEFAULT_CHUNK_ROWS,
            )
            for entity in ENTITIES
        ]
        stored = connection.execute(
            "select count(*), count(deal_id) from raw.deals where _extract_date = ?", [DROP_DATE]
        ).fetchall()
        warned = [
            message
            for (message,) in connection.execute(
                "select message from audit.check_results where run_id = ? and outcome = 'warned'",
                [f"corpus-{case.folder}"],
            ).fetchall()
        ]

    assert load.rejected is None
    assert load.drops_loaded == [DROP_DATE]
    assert [result for report in reports for result in report.blocking] == []
    # Every stored row kept its id: a byte order mark did not rename the first column.
    [(rows, with_id)] = stored
    assert rows > 0 and with_id == rows
    if case.outcome == "accept":
        assert warned == []
    for word in case.words:
        assert any(word in message for message in warned), (word, warned)


def test_unknown_extra_columns_are_kept_in_raw(good_state: Paths, tmp_path: Path) -> None:
    paths = copy_state(good_state, tmp_path)
    deliver(paths, next(case for case in CASES if case.folder == "extra_unknown_columns").path)
    with duckdb.connect(str(paths.build_database)) as connection:
        load_pending_drops(connection, paths.landing, datetime(2025, 3, 5))
        kept = connection.execute(
            "select deal_id, hs_custom_score, region_code from raw.deals "
            "where _extract_date = ? order by deal_id limit 2",
            [DROP_DATE],
        ).fetchall()
    assert kept == [("d001", "1", "EMEA"), ("d002", "2", "EMEA")]


def _recorded_failures(paths: Paths, run_id: str, case: Case) -> list[str]:
    """What the audit schema kept of this run's stop: load rejections or blocked checks."""
    query = (
        "select message from audit.load_rejections where run_id = ?"
        if case.stopped_by == "load"
        else "select message || ' ' || coalesce(failing_sample, '') from audit.check_results "
        "where run_id = ? and outcome = 'blocked'"
    )
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        return [text for (text,) in connection.execute(query, [run_id]).fetchall()]
