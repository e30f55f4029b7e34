"""How `pipehealth` reports an error it did not expect: one line on stderr, the details
(a traceback) appended to a log file that line names, and exit code 2.

Exit code 1 means "stopped by a quality gate, nothing published" (exit_codes): a
scheduler or an alert acts on it, so no other failure may leave with it.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from dagster_project.exit_codes import EXIT_ERROR


def report_error(headline: str, error_line: str, details: str, log: Path) -> int:
    """Print `headline: error_line` and where `details` went; return EXIT_ERROR."""
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as file:
            file.write(f"\n{headline}\n{details}\n")
    except OSError as unwritable:
        # The warehouse may be what is broken: the details go to stderr instead.
        print(f"{headline}: {error_line} (no log, {unwritable})", file=sys.stderr)
        print(details, file=sys.stderr, flush=True)
        return EXIT_ERROR
    print(f"{headline}: {error_line} (details in {log})", file=sys.stderr, flush=True)
    return EXIT_ERROR


def report_exception(headline: str, error: BaseException, log: Path) -> int:
    return report_error(
        headline, first_line(f"{type(error).__name__}: {error}"), _traceback_of(error), log
    )


def first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _traceback_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))
