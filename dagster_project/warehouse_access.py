"""Who may touch the warehouse, and when: one run at a time, brief foreign locks ridden out.

DuckDB allows one writer process per file, and a reader (`pipehealth status`, a tool
pointed at the build file by mistake) blocks a writer for as long as it holds the
file. So:

- a run holds `warehouse/.run.lock` (an OS lock, `flock`) from start to end; a
  second run, or a rollback, waits for it. The OS releases it when the holder dies,
  so a killed run never leaves a stale lock behind. `pipehealth run` takes it around
  the whole job and its summary; the job's resource then enters it again in the same
  process without waiting;
- every connection to the build database retries a few times on a lock error.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

RUN_LOCK_NAME = ".run.lock"
CONNECT_ATTEMPTS = 6
FIRST_RETRY_DELAY_SECONDS = 0.5


class WarehouseBusyError(Exception):
    """Another run held the warehouse for longer than we were willing to wait."""


# Warehouses whose run lock this process holds, with how many blocks hold it: a second
# flock on a new descriptor would wait for this process's own first one.
_held_here: dict[Path, int] = {}


@contextmanager
def run_lock(
    warehouse: Path,
    *,
    holder: str,
    wait_seconds: float,
    on_wait: Callable[[str], None] = lambda _: None,
) -> Iterator[None]:
    """Hold the warehouse's run lock; `on_wait` is told once who holds it, if anyone."""
    warehouse.mkdir(parents=True, exist_ok=True)
    path = (warehouse / RUN_LOCK_NAME).resolve()
    if path in _held_here:
        _held_here[path] += 1
        try:
            yield
        finally:
            _held_here[path] -= 1
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(descriptor, path, wait_seconds, on_wait)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder.encode(), 0)
        _held_here[path] = 1
        try:
            yield
        finally:
            del _held_here[path]
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _acquire(
    descriptor: int, path: Path, wait_seconds: float, on_wait: Callable[[str], None]
) -> None:
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8", errors="replace") or "another run"
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{path.parent} is in use by {holder}; waited {wait_seconds:.0f} s"
                ) from None
            if not told:
                on_wait(f"Waiting for {holder} to finish with {path.parent}")
                told = True
            time.sleep(1)


def connect(
    database: Path, config: dict[str, str], *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with `config`, retried with growing delays while another process
    holds the file."""
    delay = FIRST_RETRY_DELAY_SECONDS
    for _ in range(CONNECT_ATTEMPTS - 1):
        try:
            return duckdb.connect(str(database), read_only=read_only, config=config)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
        time.sleep(delay)
        delay *= 2
    return duckdb.connect(str(database), read_only=read_only, config=config)
