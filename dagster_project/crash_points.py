"""Test-only pause points, so tests can act on a run at a known place.

`PIPEHEALTH_PAUSE_AT=<point>` (load, dbt, publish or summary) makes a run that reaches
that point create the file named by `PIPEHEALTH_PAUSE_MARKER` and wait while that file
exists: the crash-safety tests SIGKILL the run there, the exit-code tests change the
warehouse and delete the file to let the run go on. Outside tests neither variable is
set and a pause point does nothing. Used by tests/integration/test_crash_safety.py and
tests/integration/test_exit_codes.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_VARIABLE = "PIPEHEALTH_PAUSE_AT"
PAUSE_MARKER_VARIABLE = "PIPEHEALTH_PAUSE_MARKER"
POLL_SECONDS = 0.1


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_AT_VARIABLE) != name:
        return
    marker = Path(os.environ[PAUSE_MARKER_VARIABLE])
    marker.touch()
    while marker.exists():
        time.sleep(POLL_SECONDS)
