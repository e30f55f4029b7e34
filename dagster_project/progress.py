"""The progress display of `pipehealth run`: one line per step as it starts and ends.

A thread follows the run's events in the Dagster instance (the same event stream the
UI shows) and prints them as the five steps a user knows: load, gate, dbt, publish, report.
The gate runs on every raw table of every source format; by default only the tables
the loaded drops delivered files to, and any that failed, get a line of their own, the
rest one line between them.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import dagster as dg

from dagster_project.ingest.assets import FILES_READ_METADATA_KEY

STEPS = ("load", "gate", "dbt", "publish", "report")
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
    """Which of the five steps a Dagster step belongs to."""
    if step_key == "raw_extracts":
        return "load"
    if step_key.endswith("raw_gate"):
        return "gate"
    if step_key == "pipehealth_dbt_models":
        return "dbt"
    if step_key.endswith("published_marts"):
        return "publish"
    if step_key.endswith("weekly_review"):
        return "report"
    return None


class ProgressPrinter:
    """Turns a run's events into progress lines; fed in order, prints as it goes."""

    def __init__(self, stream: TextIO, *, verbose: bool = False) -> None:
        self._stream = stream
        self._verbose = verbose
        self._started: dict[str, float] = {}
        self._dbt_events = 0
        self._delivered: set[str] = set()  # raw tables the loaded drops had files for
        self._gates_not_shown = 0

    def handle(self, event: dg.DagsterEvent, timestamp: float) -> None:
        step = step_of(event.step_key or "")
        if step is None:
            return
        if step != "gate":
            self._print_gates_not_shown()
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION and step == "load":
            self._note_delivery(event)
        elif (
            step == "gate"
            and event.event_type == dg.DagsterEventType.STEP_SUCCESS
            and not (self._verbose or self._entity(event, step).strip() in self._delivered)
        ):
            self._gates_not_shown += 1
        elif event.event_type == dg.DagsterEventType.STEP_START:
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

    def finish(self) -> None:
        """Called after the run's last event."""
        self._print_gates_not_shown()

    def _note_delivery(self, event: dg.DagsterEvent) -> None:
        data = event.step_materialization_data
        if data is None:
            return
        files = data.materialization.metadata.get(FILES_READ_METADATA_KEY)
        if files is not None and files.value:
            self._delivered.add(data.materialization.asset_key.to_user_string())

    def _print_gates_not_shown(self) -> None:
        if self._gates_not_shown:
            self._print(
                "gate",
                f"{self._gates_not_shown} more raw tables, not in the drops loaded: done "
                "(--verbose lists them)",
            )
            self._gates_not_shown = 0

    def _entity(self, event: dg.DagsterEvent, step: str) -> str:
        if step != "gate":
            return ""
        # Gate steps are one per raw table, keyed like raw__deals_raw_gate or
        # raw__flat__sales_pipeline_raw_gate: name the table as its asset, raw/<table>.
        table = (event.step_key or "").removeprefix("raw__").removesuffix("_raw_gate")
        return f"raw/{table} "

    def _print(self, step: str, text: str) -> None:
        position = STEPS.index(step) + 1
        print(f"[{position}/{len(STEPS)}] {step:<8} {text}", file=self._stream, flush=True)


@contextmanager
def progress_display(
    instance: dg.DagsterInstance, run_id: str, stream: TextIO = sys.stdout, *, verbose: bool = False
) -> Iterator[None]:
    """Print the progress of run `run_id` while the block runs (it executes the run)."""
    printer = ProgressPrinter(stream, verbose=verbose)
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
        printer.finish()
