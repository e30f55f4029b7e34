"""One run at a time per warehouse, and connections that ride out a foreign lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.resources import WarehouseResource
from dagster_project.warehouse_access import WarehouseBusyError, connect, run_lock

HOLD_LOCK = """
import sys, time
from pathlib import Path
from dagster_project.warehouse_access import run_lock
with run_lock(Path(sys.argv[1]), holder="run test-holder", wait_seconds=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""

HOLD_WRITER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.close()
"""


def hold(script: str, target: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(target), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_run_waits_for_the_first_and_names_it(tmp_path: Path) -> None:
    holder = hold(HOLD_LOCK, tmp_path, seconds=1.5)
    told: list[str] = []
    started = time.monotonic()

    with run_lock(tmp_path, holder="run second", wait_seconds=30, on_wait=told.append):
        waited = time.monotonic() - started

    holder.wait()
    assert waited >= 1.0
    assert told == [f"Waiting for run test-holder to finish with {tmp_path}"]


def test_waiting_too_long_for_the_lock_fails_clearly(tmp_path: Path) -> None:
    holder = hold(HOLD_LOCK, tmp_path, seconds=5)
    try:
        with (
            pytest.raises(WarehouseBusyError, match="in use by run test-holder"),
            run_lock(tmp_path, holder="run second", wait_seconds=1),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = hold(HOLD_LOCK, tmp_path, seconds=60)
    holder.kill()
    holder.wait()

    with run_lock(tmp_path, holder="run next", wait_seconds=0):
        assert (tmp_path / ".run.lock").read_text() == "run next"


def test_connect_retries_while_another_process_writes(tmp_path: Path) -> None:
    database = tmp_path / "build.duckdb"
    duckdb.connect(str(database)).close()
    writer = hold(HOLD_WRITER, database, seconds=1.5)
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(database)).close()

    connection = connect(database, {})

    assert connection.execute("select 42").fetchall() == [(42,)]
    connection.close()
    writer.wait()


def test_a_runs_connections_take_the_dbt_profiles_memory_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load, gate and publish open the build database with the memory_limit, threads
    and spill folder dbt's profile gives the build, not DuckDB's default of 80% of RAM."""
    monkeypatch.setenv("PIPEHEALTH_DUCKDB_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("PIPEHEALTH_DUCKDB_THREADS", "1")
    resource = WarehouseResource(landing_dir=str(tmp_path), warehouse_dir=str(tmp_path / "wh"))

    with resource.connect() as connection:
        settings = connection.execute(
            "select current_setting('memory_limit'), current_setting('threads'), "
            "current_setting('temp_directory')"
        ).fetchone()

    assert settings == ("488.2 MiB", 1, str(tmp_path / "wh" / "tmp"))


def test_the_holder_enters_its_own_lock_again_and_keeps_it_until_the_outer_block_ends(
    tmp_path: Path,
) -> None:
    """`pipehealth run` holds the lock around the job, whose resource takes it again."""
    try_lock = [sys.executable, "-c", HOLD_LOCK, str(tmp_path), "0"]
    with run_lock(tmp_path, holder="run outer", wait_seconds=0):
        with run_lock(tmp_path, holder="run inner", wait_seconds=0):
            assert subprocess.run(try_lock, capture_output=True).returncode != 0
        # The inner block ended: the lock is still this process's.
        other = subprocess.run(try_lock, capture_output=True, text=True)
        assert other.returncode != 0
        assert "in use by run outer" in other.stderr
    assert subprocess.run(try_lock, capture_output=True).returncode == 0
