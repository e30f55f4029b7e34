"""The `pipehealth` command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dagster_project.cli import main


def restore_locations_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command exports its locations for dbt and Dagster: undo that after the test."""
    for variable in ("DAGSTER_HOME", "PIPEHEALTH_LANDING", "PIPEHEALTH_WAREHOUSE"):
        monkeypatch.setenv(variable, os.environ[variable])


def test_generate_writes_drops_and_reports_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "landing"

    assert main(["generate", "--reps", "3", "--days", "5", "--out", str(out)]) == 0

    assert sorted(path.name for path in out.iterdir()) == [
        "2024-11-01",
        "2024-11-02",
        "2024-11-03",
        "2024-11-04",
        "2024-11-05",
    ]
    printed = capsys.readouterr().out
    assert "Wrote 5 drops (2024-11-01 .. 2024-11-05)" in printed
    assert "deals" in printed


def test_status_before_any_publish_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command exports its locations for dbt and Dagster: restore them afterwards.
    restore_locations_afterwards(monkeypatch)

    assert main(["status", "--warehouse", str(tmp_path / "warehouse")]) == 0

    printed = capsys.readouterr().out
    assert "Served: nothing published yet" in printed
    assert "Nothing loaded yet" in printed


def test_rollback_with_nothing_published_says_so_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    restore_locations_afterwards(monkeypatch)

    assert main(["rollback", "--warehouse", str(tmp_path / "warehouse")]) == 2

    assert "No previous published version" in capsys.readouterr().err


def test_an_unexpected_error_exits_2_with_one_line_and_the_traceback_in_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    restore_locations_afterwards(monkeypatch)
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    # A served BI file that is not a DuckDB database: status cannot read it.
    (warehouse / "pipehealth.duckdb").write_text("not a database\n" * 100)

    assert main(["status", "--warehouse", str(warehouse)]) == 2

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("pipehealth status failed: IOException: ")
    log = Path(line.rsplit("(details in ", 1)[1].removesuffix(")"))
    assert log.parent == warehouse / "logs"
    assert log.read_text().count("Traceback (most recent call last)") == 1


def test_an_error_where_no_log_can_be_written_still_exits_2_with_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    restore_locations_afterwards(monkeypatch)
    # A file where the warehouse folder should be: neither the lock nor a log fits in it.
    warehouse = tmp_path / "warehouse"
    warehouse.write_text("")

    assert main(["rollback", "--warehouse", str(warehouse)]) == 2

    first, *rest = capsys.readouterr().err.splitlines()
    assert first.startswith("pipehealth rollback failed: FileExistsError: ")
    assert "(no log, " in first
    assert rest[0] == "Traceback (most recent call last):"
