"""The scheduler as a service: the systemd units of deploy/systemd, started with the
commands their ExecStart lines hold, and `pipehealth serve`, each stop within 10 s of
SIGTERM and leave no process behind.

systemd does not run here: a unit's Environment, WorkingDirectory, ExecStartPre and
ExecStart are read from its file and run as systemd would, with its install folder
mapped to this checkout and its state folders to temporary ones; SIGTERM goes to the
whole process group, as systemd's default KillMode=control-group sends it.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from dagster_project.settings import REPO_ROOT

pytestmark = pytest.mark.system

UNITS_DIR = REPO_ROOT / "deploy" / "systemd"
UNIT_NAMES = ("pipehealth-daemon.service", "pipehealth-webserver.service")
STOP_SECONDS = 10
START_TIMEOUT_SECONDS = 240
# What the daemon logs once it has loaded the definitions and runs its sensor loop.
DAEMON_READY = "SensorDaemon"


@dataclass
class Unit:
    """The [Service] section of a unit file (a key given twice keeps its last value,
    except Environment and ExecStartPre, which add up)."""

    settings: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    exec_start_pre: list[list[str]] = field(default_factory=list)
    after: list[str] = field(default_factory=list)


def read_unit(path: Path) -> Unit:
    unit = Unit()
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line
            continue
        key, value = line.split("=", 1)
        if section == "[Unit]" and key == "After":
            unit.after += value.split()
        elif section != "[Service]":
            continue
        elif key == "Environment":
            unit.environment.update(word.split("=", 1) for word in shlex.split(value))
        elif key == "ExecStartPre":
            unit.exec_start_pre.append(shlex.split(value))
        else:
            unit.settings[key] = value
    return unit


@pytest.fixture(scope="module")
def units() -> dict[str, Unit]:
    return {name: read_unit(UNITS_DIR / name) for name in UNIT_NAMES}


def test_the_units_name_the_folders_restart_on_failure_and_stop_within_10_s(
    units: dict[str, Unit],
) -> None:
    for name, unit in units.items():
        assert {"DAGSTER_HOME", "PIPEHEALTH_WAREHOUSE", "PIPEHEALTH_LANDING"} <= set(
            unit.environment
        ), name
        assert unit.settings["Restart"] == "on-failure", name
        assert int(unit.settings["TimeoutStopSec"]) <= STOP_SECONDS, name
        program = Path(shlex.split(unit.settings["ExecStart"])[0]).name
        assert program in {"dagster-daemon", "dagster-webserver"}, name
    # Both services use one instance and one warehouse.
    daemon, webserver = (units[name] for name in UNIT_NAMES)
    for variable in ("DAGSTER_HOME", "PIPEHEALTH_WAREHOUSE", "PIPEHEALTH_LANDING"):
        assert daemon.environment[variable] == webserver.environment[variable]
    # The daemon's `pipehealth prepare` parses dbt first, so the webserver's finds it done.
    assert "pipehealth-daemon.service" in webserver.after


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def here(unit: Unit, value: str) -> str:
    """A path of the unit's install folder, as in this checkout and its virtualenv."""
    install = unit.settings["WorkingDirectory"]
    return value.replace(f"{install}/.venv/bin", str(Path(sys.executable).parent)).replace(
        install, str(REPO_ROOT)
    )


def environment_here(unit: Unit, dagster_home: Path, port: int) -> dict[str, str]:
    """The unit's environment on this machine. Landing and warehouse stay the test
    session's: `pipehealth prepare` then finds the session's dbt manifest current (its
    stamp covers the PIPEHEALTH_ variables) instead of parsing it again under the
    other tests."""
    environment = {name: here(unit, value) for name, value in unit.environment.items()}
    environment["DAGSTER_HOME"] = str(dagster_home)
    for variable in ("PIPEHEALTH_LANDING", "PIPEHEALTH_WAREHOUSE"):
        environment[variable] = os.environ[variable]
    if "DAGSTER_WEBSERVER_PORT" in environment:
        environment["DAGSTER_WEBSERVER_PORT"] = str(port)
    return {**os.environ, **environment}


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not condition():
        assert process.poll() is None, f"{what} ended: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def still_running_after_stop(processes: list[psutil.Process]) -> list[str]:
    """Wait up to STOP_SECONDS for `processes` to end; the command lines of those left."""
    _, alive = psutil.wait_procs(processes, timeout=STOP_SECONDS)
    left = []
    for process in alive:
        try:
            left.append(" ".join(process.cmdline())[:200])
        except psutil.NoSuchProcess:
            continue
    return left


@contextmanager
def started(command: list[str], log: Path, **options: object) -> Iterator[subprocess.Popen[bytes]]:
    """`command` in its own process group; whatever of it is left is killed at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **options
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_services_started_from_their_units_stop_within_10_s_of_sigterm(
    units: dict[str, Unit], tmp_path: Path
) -> None:
    port = free_port()
    dagster_home = tmp_path / "dagster_home"
    daemon, webserver = (units[name] for name in UNIT_NAMES)
    for unit in (daemon, webserver):
        for command in unit.exec_start_pre:
            prepared = subprocess.run(
                [here(unit, word) for word in command],
                cwd=here(unit, unit.settings["WorkingDirectory"]),
                env=environment_here(unit, dagster_home, port),
                capture_output=True,
                text=True,
            )
            assert prepared.returncode == 0, prepared.stderr
    assert (dagster_home / "dagster.yaml").is_file()

    def start(unit: Unit, log: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
        return started(
            [here(unit, word) for word in shlex.split(unit.settings["ExecStart"])],
            log,
            cwd=here(unit, unit.settings["WorkingDirectory"]),
            env=environment_here(unit, dagster_home, port),
        )

    daemon_log, webserver_log = tmp_path / "daemon.log", tmp_path / "webserver.log"
    with (
        start(daemon, daemon_log) as daemon_process,
        start(webserver, webserver_log) as webserver_process,
    ):
        wait_for(lambda: answers(port), "the webserver", webserver_process, webserver_log)
        wait_for(
            lambda: DAEMON_READY in daemon_log.read_text(errors="replace"),
            "the daemon",
            daemon_process,
            daemon_log,
        )
        processes = process_tree(daemon_process.pid) + process_tree(webserver_process.pid)
        for process in (daemon_process, webserver_process):
            os.killpg(process.pid, signal.SIGTERM)

        assert still_running_after_stop(processes) == []


def test_pipehealth_serve_stops_within_10_s_of_sigterm_with_everything_it_started(
    tmp_path: Path,
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    pipehealth = str(Path(sys.executable).parent / "pipehealth")
    environment = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    with started([pipehealth, "serve", "--port", str(port)], log, env=environment) as serve:
        wait_for(lambda: answers(port), "the Dagster UI", serve, log)
        processes = process_tree(serve.pid)
        assert len(processes) >= 4  # pipehealth, dagster dev, its webserver and daemon

        # To pipehealth alone, as `kill` or a service manager stopping its main process.
        serve.send_signal(signal.SIGTERM)

        assert still_running_after_stop(processes) == []
        assert serve.wait() == 0
