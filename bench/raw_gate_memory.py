"""Peak memory of the raw gate on one large deals drop: bounded by the chunk, not the drop.

    .venv/bin/python bench/raw_gate_memory.py [--rows 1000000 3000000]
        [--chunk-rows 200000 1000000] [--workdir DIR]

For each drop size, writes one full-export drop (users, accounts and a deals.csv of that
many rows, generated in DuckDB SQL in seconds) and loads it into a fresh warehouse with
the real loader. Then, for each chunk size, a fresh Python process runs the raw gate of
`deals` on that drop (all 30 expectations of expectations/deals.json) and reports its
peak RSS. The table shows the drop's rows and bytes beside the gate's time and peak
RSS: with the same chunk size, peak RSS stays about flat however large the drop;
it grows with the chunk size. Not run by the tests; `make bench` calls it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

DROP_DATE = "2025-03-03"
OWNERS = 2_000  # reps of the L scale
ACCOUNTS = 50_000

# Everything is text in a CSV; values are valid, with a few implausible rows so the gate
# also collects failing examples (closed before created on 1 deal in 500: a warning).
_DEALS_SQL = f"""
copy (
    select
        'D' || lpad(cast(i as varchar), 9, '0') as deal_id,
        'Deal ' || i as deal_name,
        'A' || (i % {ACCOUNTS}) as account_id,
        'U' || (i % {OWNERS}) as owner_id,
        'new_business' as pipeline,
        'new_business' as deal_type,
        ['qualification', 'discovery', 'demo', 'proposal', 'negotiation',
            'closed_won', 'closed_lost'][1 + i % 7] as stage,
        cast(1000 + (i * 37) % 90000 as varchar) || '.00' as amount,
        'USD' as currency,
        cast([10, 20, 40, 60, 80, 100, 0][1 + i % 7] as varchar) as probability,
        cast(date '2025-01-01' + cast(i % 180 as integer) as varchar) as expected_close_date,
        strftime(timestamp '2024-01-01 09:00:00' + to_minutes(cast(i % 400000 as bigint)),
            '%Y-%m-%dT%H:%M:%SZ') as created_at,
        case when i % 7 >= 5 then strftime(
            timestamp '2024-01-01 09:00:00' + to_minutes(cast(i % 400000 as bigint))
            + to_days(cast(case when i % 500 = 0 then -3 else 30 end as integer)),
            '%Y-%m-%dT%H:%M:%SZ') end as closed_at,
        case when i % 7 = 6 then 'price' end as lost_reason,
        'Follow up' as next_step,
        'false' as is_deleted,
        '2025-03-03T08:00:00Z' as updated_at
    from range(?) as numbers(i)
) to '{{path}}' (header, delimiter ',')
"""


@dataclass(frozen=True)
class Measurement:
    drop_rows: int
    drop_bytes: int
    chunk_rows: int
    seconds: float
    baseline_rss_mb: float
    peak_rss_mb: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--chunk-rows", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=None, help="kept when given")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="raw-gate-memory-"))
    measurements = []
    try:
        for rows in args.rows:
            warehouse, drop_bytes = _loaded_drop(workdir / f"rows_{rows}", rows)
            for chunk_rows in args.chunk_rows:
                measurements.append(_measure(warehouse, rows, drop_bytes, chunk_rows))
                _print_table(measurements[-1:], header=len(measurements) == 1)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    _print_table(measurements, header=True)
    return 0


def _loaded_drop(root: Path, rows: int) -> tuple[Path, int]:
    """A warehouse holding one full-export drop with `rows` deals; the deals file's size."""
    from dagster_project.ingest.loader import load_pending_drops

    drop = root / "landing" / DROP_DATE
    drop.mkdir(parents=True, exist_ok=True)
    deals = drop / "deals.csv"
    with duckdb.connect() as connection:
        connection.execute(_DEALS_SQL.format(path=str(deals).replace("'", "''")), [rows])
    (drop / "users.csv").write_text(
        "user_id,full_name,role,is_active,updated_at\n"
        + "".join(f"U{n},Rep {n},rep,true,2024-01-01T00:00:00Z\n" for n in range(OWNERS))
    )
    (drop / "accounts.csv").write_text(
        "account_id,account_name,created_at,updated_at\n"
        + "".join(
            f"A{n},Account {n},2023-06-01T00:00:00Z,2023-06-01T00:00:00Z\n" for n in range(ACCOUNTS)
        )
    )
    (drop / "_SUCCESS").touch()
    warehouse = root / "warehouse"
    warehouse.mkdir(exist_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(warehouse / "build.duckdb")) as connection:
        load_pending_drops(connection, root / "landing", datetime(2025, 3, 4))
    print(
        f"drop of {rows:,} deals ({deals.stat().st_size / 1e6:,.0f} MB) loaded into raw "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return warehouse, deals.stat().st_size


def _measure(warehouse: Path, rows: int, drop_bytes: int, chunk_rows: int) -> Measurement:
    """Run the gate in a fresh process on a copy of the warehouse, so each run checks the
    drop anew and its peak RSS is its own."""
    scratch = warehouse.parent / f"gate_{chunk_rows}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(warehouse, scratch)
    completed = subprocess.run(
        [sys.executable, __file__, "--gate-child", str(scratch / "build.duckdb"), str(chunk_rows)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "GX_ANALYTICS_ENABLED": "false"},
    )
    shutil.rmtree(scratch, ignore_errors=True)
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return Measurement(drop_rows=rows, drop_bytes=drop_bytes, chunk_rows=chunk_rows, **report)


def _gate_child(database: str, chunk_rows: int) -> int:
    """In the child process: import everything, note the RSS, run the gate, report."""
    from dagster_project.quality.gate import run_gate
    from dagster_project.quality.parameters import SEEDS_DIR
    from dagster_project.settings import EXPECTATIONS_DIR

    baseline = _peak_rss_mb()
    started = time.perf_counter()
    with duckdb.connect(database) as connection:
        run_gate(
            connection,
            "deals",
            run_id="bench",
            expectations_dir=EXPECTATIONS_DIR,
            seeds_dir=SEEDS_DIR,
            chunk_rows=chunk_rows,
        )
    report = {
        "seconds": round(time.perf_counter() - started, 1),
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }
    print(json.dumps(report))
    return 0


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_table(measurements: list[Measurement], header: bool) -> None:
    if header:
        print(
            f"{'drop rows':>12} {'drop MB':>8} {'chunk rows':>11} {'gate s':>7} "
            f"{'RSS before MB':>14} {'peak RSS MB':>12}"
        )
    for m in measurements:
        print(
            f"{m.drop_rows:>12,} {m.drop_bytes / 1e6:>8,.0f} {m.chunk_rows:>11,} "
            f"{m.seconds:>7.1f} {m.baseline_rss_mb:>14,.0f} {m.peak_rss_mb:>12,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--gate-child"]:
        raise SystemExit(_gate_child(sys.argv[2], int(sys.argv[3])))
    raise SystemExit(main())
