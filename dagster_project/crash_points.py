"""Test-only pause points, so the crash-safety tests can SIGKILL a run at a known place.

`PIPEHEALTH_PAUSE_AT=<point>` (load, dbt or publish) makes a run that reaches that
point create the file named by `PIPEHEALTH_PAUSE_MARKER` and sleep until it is
killed. Outside tests neither variable is set and a pause point does nothing.
Used by tests/integration/test_crash_safety.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT_VARIABLE = "PIPEHEALTH_PAUSE_AT"
PAUSE_MARKER_VARIABLE = "PIPEHEALTH_PAUSE_MARKER"


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_AT_VARIABLE) != name:
        return
    Path(os.environ[PAUSE_MARKER_VARIABLE]).touch()
    while True:
        time.sleep(60)
