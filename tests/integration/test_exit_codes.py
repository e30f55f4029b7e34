"""Exit codes that never lie: 1 only when a quality gate stopped the run, 2 for every
other failure (one line on stderr, the traceback in the run's log), before or after
the publish. Each test runs the CLI's `main` on a copy of the published good drop.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from corpus import CORPUS_DIR, checksums, deliver
from operations import wait_until
from pipeline_runs import cli_run_in, copy_state

from dagster_project.crash_points import PAUSE_AT_VARIABLE, PAUSE_MARKER_VARIABLE
from dagster_project.exit_codes import EXIT_ERROR, EXIT_GATE_FAILED
from dagster_project.publish.history import publish_history
from dagster_project.publish.publisher import served_publish_id
from dagster_project.settings import Paths

pytestmark = pytest.mark.spread

# A writer holding the build database, as another program could: DuckDB lets no other
# process open the file while it is held.
HOLD_WRITER = """
import sys, pathlib, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
while not pathlib.Path(sys.argv[2]).exists():
    time.sleep(0.1)
connection.close()
"""
ERROR_LINE = re.compile(
    r"^(?P<headline>pipehealth run failed[^:]*): .* \(details in (?P<log>\S+)\)$"
)


def error_line(stderr: str) -> re.Match[str]:
    """The one line an unexpected error leaves on stderr."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    match = ERROR_LINE.match(lines[0])
    assert match is not None, lines[0]
    return match


def test_a_gate_stop_exits_1(
    good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_state(good_state, tmp_path)
    served_before = checksums(paths)
    deliver(paths, CORPUS_DIR / "unparseable_amount")

    assert cli_run_in(paths).exit_code == EXIT_GATE_FAILED

    stderr = capsys.readouterr().err
    assert "Stopped by a quality gate; nothing was published." in stderr
    assert "Traceback" not in stderr
    assert checksums(paths) == served_before


def test_a_crash_before_the_publish_exits_2_with_one_line_and_the_traceback_in_the_log(
    good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_state(good_state, tmp_path)
    served_before = checksums(paths)
    # A build database that is not a DuckDB file: the load cannot open it.
    paths.build_database.write_bytes(b"not a database\n" * 100)

    assert cli_run_in(paths).exit_code == EXIT_ERROR

    line = error_line(capsys.readouterr().err)
    assert line["headline"] == "pipehealth run failed in step raw_extracts; nothing was published"
    log = Path(line["log"])
    assert log.parent == paths.warehouse / "logs"
    # The step's stack, down to the line of pipehealth that failed.
    details = log.read_text()
    assert "Stack Trace:" in details
    assert 'dagster_project/ingest/assets.py", line' in details
    assert str(paths.build_database) in details
    assert checksums(paths) == served_before


# A whole run to the end, then a second process holding the build database: minutes of
# CPU for a path that rarely changes, so `make test-system` runs it.
@pytest.mark.system
def test_a_crash_after_the_publish_exits_2_and_says_the_new_marts_are_served(
    good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run pauses after publishing; another process then holds the build database,
    so the summary cannot read it."""
    paths = copy_state(good_state, tmp_path)
    served_before = served_publish_id(paths)
    paused = tmp_path / "paused"
    release = tmp_path / "release"
    exit_codes: list[int] = []
    run = threading.Thread(
        target=lambda: exit_codes.append(
            cli_run_in(
                paths, **{PAUSE_AT_VARIABLE: "summary", PAUSE_MARKER_VARIABLE: str(paused)}
            ).exit_code
        )
    )
    run.start()
    holder = None
    try:
        wait_until(lambda: paused.exists() or not run.is_alive(), "the run to publish")
        assert run.is_alive(), capsys.readouterr()
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_WRITER, str(paths.build_database), str(release)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        paused.unlink()
        run.join(timeout=120)
    finally:
        release.touch()
        paused.unlink(missing_ok=True)
        if holder is not None:
            holder.wait(timeout=30)
        run.join(timeout=120)

    assert exit_codes == [EXIT_ERROR]
    line = error_line(capsys.readouterr().err)
    assert line["headline"] == "pipehealth run failed after publishing (the new marts are served)"
    assert "Traceback" in Path(line["log"]).read_text()
    with duckdb.connect(str(paths.build_database), read_only=True) as connection:
        [last] = publish_history(connection, limit=1)
    # The run's own publish is served, and its log is the one the line names.
    assert served_publish_id(paths) == last.publish_id != served_before
    assert Path(line["log"]).name == f"{last.publish_id}.log"
