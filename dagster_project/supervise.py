"""`pipehealth serve` keeps `dagster dev` and everything it starts in one process group,
and stops all of it within STOP_SECONDS of a SIGTERM or SIGINT (Ctrl-C).

`dagster dev` shuts its webserver, daemon and code servers down when it gets the
signal, but may wait a minute for each; whatever is still running at the deadline is
killed, so a service manager or a terminal never finds processes left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

STOP_SECONDS = 10
# What of STOP_SECONDS `dagster dev` gets to stop by itself before the group is killed.
GRACE_SECONDS = 7
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_until_stopped(command: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
    """Run `command` until it ends or this process is told to stop; its exit code, or 0
    when it was stopped as asked."""
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in STOP_SIGNALS}
    try:
        process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
        while process.poll() is None and not stop.wait(0.2):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if not stop.is_set():
        _kill_group(process.pid)  # anything it left behind
        return process.returncode
    _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    _kill_group(process.pid)
    process.wait()
    return 0


def _kill_group(group: int) -> None:
    _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is empty already
        os.killpg(group, number)
