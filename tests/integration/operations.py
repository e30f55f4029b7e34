"""Running `pipehealth run` as a real subprocess, and reading the served file beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import ENTITIES
from dagster_project.publish.checksums import MartVersion, served_mart_versions
from dagster_project.settings import BUILD_DATABASE_NAME, SERVED_DATABASE_NAME, Paths

PIPEHEALTH = str(Path(sys.executable).parent / "pipehealth")
RUN_TIMEOUT_SECONDS = 1800

# A BI reader: opens the served file read-only twice a second and logs what it saw, one
# JSON line per read ({"versions": {mart: [rows, checksum]}} or {"error": ...}).
READER_SCRIPT = """
import json, os, pathlib, sys, time
import duckdb
from dagster_project.publish.checksums import mart_versions
served, log_path, stop = sys.argv[1:4]
# A background client: the run's processes come first (each read hashes every mart).
os.nice(10)
with open(log_path, "w") as log:
    while not pathlib.Path(stop).exists():
        try:
            with duckdb.connect(served, read_only=True) as connection:
                versions = {
                    name: [version.rows, version.checksum]
                    for name, version in mart_versions(connection).items()
                }
            log.write(json.dumps({"versions": versions}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": repr(error)}) + "\\n")
        log.flush()
        time.sleep(0.5)
"""


@dataclass(frozen=True)
class Installation:
    """A landing folder, warehouse and DAGSTER_HOME under one root, as a user has them."""

    root: Path

    @property
    def paths(self) -> Paths:
        return Paths(landing=self.root / "landing", warehouse=self.root / "warehouse")

    @property
    def warehouse(self) -> Path:
        return self.paths.warehouse

    @property
    def served_database(self) -> Path:
        return self.warehouse / SERVED_DATABASE_NAME

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PIPEHEALTH_LANDING": str(self.root / "landing"),
            "PIPEHEALTH_WAREHOUSE": str(self.warehouse),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            **extra,
        }

    def start_run(self, log_name: str = "run.log", **extra: str) -> subprocess.Popen[bytes]:
        """`pipehealth run` in its own process group, so a kill takes its dbt child too;
        its output goes to `log_name` in the root."""
        (self.root / "dagster_home").mkdir(exist_ok=True)
        log = (self.root / log_name).open("ab")
        return subprocess.Popen(
            [PIPEHEALTH, "run"],
            env=self.environment(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run_to_end(self) -> None:
        process = self.start_run()
        code = process.wait(timeout=RUN_TIMEOUT_SECONDS)
        log_tail = (self.root / "run.log").read_text(errors="replace")[-3000:]
        assert code == 0, log_tail

    def served_versions(self) -> dict[str, MartVersion]:
        return served_mart_versions(self.served_database)

    def raw_versions(self) -> dict[str, int]:
        """Rows stored per raw table, and drops logged: what a duplicate load would inflate."""
        with duckdb.connect(str(self.warehouse / BUILD_DATABASE_NAME), read_only=True) as db:
            counts = {
                entity: db.execute(f"select count(*) from raw.{entity}").fetchall()[0][0]
                for entity in ENTITIES
            }
            counts["_drops"] = db.execute("select count(*) from raw._drops").fetchall()[0][0]
        return counts


class Reader:
    """A separate process reading the served file in a loop, as a BI tool would."""

    def __init__(self, served_database: Path, folder: Path) -> None:
        self.log = folder / "reader.jsonl"
        self.stop_file = folder / "reader.stop"
        self.stop_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER_SCRIPT,
                str(served_database),
                str(self.log),
                str(self.stop_file),
            ]
        )
        wait_until(lambda: len(self.reads()) > 0, "the reader's first read")

    def reads(self) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        # The last line may be half-written while the reader runs.
        return [json.loads(line) for line in lines if line.endswith("}")]

    def stop_after_seeing(self, versions: dict[str, MartVersion]) -> list[dict[str, object]]:
        expected = as_json(versions)
        wait_until(
            lambda: any(read.get("versions") == expected for read in self.reads()),
            "the reader to see the final version",
        )
        self.stop_file.touch()
        self.process.wait(timeout=60)
        return self.reads()


def as_json(versions: dict[str, MartVersion]) -> dict[str, list[object]]:
    return {name: [version.rows, version.checksum] for name, version in versions.items()}


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float = RUN_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
