"""Print what the audit schema kept of the latest gate or load stop of a build database.

`python -m dagster_project.quality.report warehouse/build.duckdb`: the quickest way to
read, after `pipehealth run` exited 1, what the gate recorded (`make run-broken-example`
uses it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from dagster_project.quality.audit import CHECK_RESULTS_TABLE, LOAD_REJECTIONS_TABLE

# The latest run that recorded a problem, load rejections and gate results alike.
_LATEST_PROBLEMS = f"""
with problems as (
    select run_id, rejected_at as recorded_at, cast(extract_date as varchar) as extract_date,
        'load' as stage, 'blocked' as outcome, message
    from {LOAD_REJECTIONS_TABLE}
    union all
    select run_id, checked_at, cast(extract_date as varchar), 'gate', outcome, message
    from {CHECK_RESULTS_TABLE}
    where outcome <> 'passed'
),
latest as (
    select run_id from problems order by recorded_at desc limit 1
)
select problems.run_id, problems.extract_date, problems.stage, problems.outcome,
    problems.message
from problems
inner join latest using (run_id)
order by problems.outcome, problems.message
"""


def latest_problems(database: Path) -> list[tuple[str, str, str, str, str]]:
    """(run id, drop, stage, outcome, message) of the latest run that had a problem."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        if not {CHECK_RESULTS_TABLE, LOAD_REJECTIONS_TABLE} <= tables:
            return []
        return [tuple(row) for row in connection.execute(_LATEST_PROBLEMS).fetchall()]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m dagster_project.quality.report <build.duckdb>", file=sys.stderr)
        return 2
    problems = latest_problems(Path(argv[0]))
    if not problems:
        print("  no problem recorded")
    for run_id, drop, stage, outcome, message in problems:
        print(f"  run {run_id}  drop {drop}  {stage} {outcome}:\n    {message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
