"""The progress display of `pipehealth run`: one line per step as it starts and ends.

A thread follows the run's events in the Dagster instance (the same event stream the
UI shows) and prints them as the four steps a user knows: load, gate, dbt, publish.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import dagster as dg

STEPS = ("load", "gate", "dbt", "publish")
POLL_SECONDS = 0.5
# dbt reports every model and test; a line per this many keeps the display short.
DBT_EVENTS_PER_LINE = 50

_FOLLOWED = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}


def step_of(step_key: str) -> str | None:
    """Which of the four steps a Dagster step belongs to."""
    if step_key == "raw_extracts":
        return "load"
    if step_key.endswith("raw_gate"):
        return "gate"
    if step_key == "pipehealth_dbt_models":
        return "dbt"
    if step_key.endswith("published_marts"):
        return "publish"
    return None


class ProgressPrinter:
    """Turns a run's events into progress lines; fed in order, prints as it goes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started: dict[str, float] = {}
        self._dbt_events = 0

    def handle(self, event: dg.DagsterEvent, timestamp: float) -> None:
        step = step_of(event.step_key or "")
        if step is None:
            return
        if event.event_type == dg.DagsterEventType.STEP_START:
            self._started.setdefault(event.step_key or "", timestamp)
            if step != "gate":
                self._print(step, "started")
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            elapsed = timestamp - self._started.get(event.step_key or "", timestamp)
            self._print(step, f"{self._entity(event, step)}done in {elapsed:.1f} s")
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            self._print(step, f"{self._entity(event, step)}FAILED")
        elif step == "dbt":
            self._dbt_events += 1
            if self._dbt_events % DBT_EVENTS_PER_LINE == 0:
                self._print(step, f"{self._dbt_events} models and tests done")

    def _entity(self, event: dg.DagsterEvent, step: str) -> str:
        if step != "gate":
            return ""
        # Gate steps are one per raw entity, keyed like raw__deals_raw_gate: name the entity.
        return (event.step_key or "").removesuffix("_raw_gate").replace("__", "/") + " "

    def _print(self, step: str, text: str) -> None:
        position = STEPS.index(step) + 1
        print(f"[{position}/{len(STEPS)}] {step:<8} {text}", file=self._stream, flush=True)


@contextmanager
def progress_display(
    instance: dg.DagsterInstance, run_id: str, stream: TextIO = sys.stdout
) -> Iterator[None]:
    """Print the progress of run `run_id` while the block runs (it executes the run)."""
    printer = ProgressPrinter(stream)
    done = threading.Event()
    cursor: list[str | None] = [None]

    def drain() -> None:
        while True:
            connection = instance.get_records_for_run(
                run_id=run_id, cursor=cursor[0], of_type=_FOLLOWED, limit=500
            )
            for record in connection.records:
                event = record.event_log_entry.dagster_event
                if event is not None:
                    printer.handle(event, record.event_log_entry.timestamp)
            cursor[0] = connection.cursor
            if not connection.has_more:
                return

    def follow() -> None:
        while not done.wait(POLL_SECONDS):
            drain()

    thread = threading.Thread(target=follow, name="pipehealth-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        drain()
