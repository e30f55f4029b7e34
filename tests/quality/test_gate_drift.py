"""The drift rule on landed drops: a dirty CRM warns every day, a sudden jump blocks.

Thirty daily drops of 100 new deals, 3 of them without an amount (3%, a dirty CRM), then
one more drop: 60 of 100 without an amount (a broken export) blocks, naming the check,
the drop's share and the baseline; 4 of 100 only warns. Drops are landed as CSV files and
read by the loader, then gated, as a nightly run does (no dbt). The upgrade of an
audit schema from before the rule adds rows to raw directly (raw_layout.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from raw_layout import Row, add_drop, good_deals

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.quality.gate import run_gate
from dagster_project.quality.messages import result_message
from dagster_project.quality.results import ExpectationResult, GateReport, Outcome
from dagster_project.settings import BUILD_DATABASE_NAME, EXPECTATIONS_DIR, Paths
from dagster_project.status import status_lines

FIRST_DAY = date(2025, 1, 1)
HISTORY_DAYS = 30
DEALS_PER_DROP = 100
DEAL_HEADER = (
    "deal_id,account_id,owner_id,pipeline,stage,amount,currency,expected_close_date,"
    "created_at,updated_at"
)


def deal_lines(day: date, without_amount: int, deals: int) -> list[str]:
    """The day's `deals` new deals; the first `without_amount` of them have no amount."""
    return [
        f"D{day:%m%d}-{number:03d},A1,U1,new_business,demo,"
        f"{'' if number <= without_amount else '5000'},USD,2025-06-30,"
        f"{day}T09:00:00Z,{day}T09:00:00Z"
        for number in range(1, deals + 1)
    ]


def land(landing: Path, day: date, without_amount: int, deals: int = DEALS_PER_DROP) -> None:
    folder = landing / day.isoformat()
    folder.mkdir(parents=True)
    files = {"deals.csv": [DEAL_HEADER, *deal_lines(day, without_amount, deals)]}
    if day == FIRST_DAY:  # the first drop of a warehouse is a full export
        files["users.csv"] = [
            "user_id,full_name,role,is_active,updated_at",
            f"U1,Ann Lee,rep,true,{day}T00:00:00Z",
        ]
        files["accounts.csv"] = [
            "account_id,account_name,created_at,updated_at",
            f"A1,Acme,{day}T00:00:00Z,{day}T00:00:00Z",
        ]
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "_SUCCESS").touch()


def status_of(tmp_path: Path) -> list[str]:
    paths = Paths(landing=tmp_path / "landing", warehouse=tmp_path)
    return status_lines(paths, dg.DagsterInstance.ephemeral(), date(2025, 3, 1))


def load_and_gate(
    connection: duckdb.DuckDBPyConnection, landing: Path, seeds_dir: Path, run_id: str
) -> GateReport:
    loaded = load_pending_drops(connection, landing, datetime(2025, 3, 1))
    assert loaded.rejected is None
    return gate_drop(connection, seeds_dir, run_id)


def gate_drop(connection: duckdb.DuckDBPyConnection, seeds_dir: Path, run_id: str) -> GateReport:
    return run_gate(
        connection,
        "deals",
        run_id=run_id,
        expectations_dir=EXPECTATIONS_DIR,
        seeds_dir=seeds_dir,
        chunk_rows=200_000,
    )


def amount_results(report: GateReport) -> dict[date, ExpectationResult]:
    return {
        result.drop.extract_date: result
        for result in report.results
        if result.spec.type == "expect_column_values_to_not_be_null"
        and result.spec.columns == ("amount",)
    }


HISTORY = [FIRST_DAY + timedelta(days=offset) for offset in range(HISTORY_DAYS)]
NEXT_DAY = HISTORY[-1] + timedelta(days=1)


@pytest.fixture
def dirty_landing(tmp_path: Path) -> Path:
    """Thirty daily drops, 3% of their deals without an amount: a dirty CRM."""
    landing = tmp_path / "landing"
    for day in HISTORY:
        land(landing, day, without_amount=3)
    return landing


def test_a_jump_to_60_percent_without_amount_blocks_with_share_and_baseline(
    tmp_path: Path, seeds_dir: Path, dirty_landing: Path
) -> None:
    landing, jump_day = dirty_landing, NEXT_DAY
    with duckdb.connect(str(tmp_path / BUILD_DATABASE_NAME)) as connection:
        history = load_and_gate(connection, landing, seeds_dir, run_id="history")
        land(landing, jump_day, without_amount=60)
        report = load_and_gate(connection, landing, seeds_dir, run_id="jump")
        stored = connection.execute(
            "select outcome, failing_share, baseline_share from audit.check_results "
            "where run_id = 'jump' and column_name = 'amount' "
            "and expectation = 'expect_column_values_to_not_be_null'"
        ).fetchall()
        passes = connection.execute(
            "select count(*), max(extract_date) from audit.gate_passes where entity = 'deals'"
        ).fetchone()

    # A dirty CRM: 3% every day warns, never blocks; the first drop has nothing to compare.
    assert history.blocking == []
    assert {day: r.outcome for day, r in amount_results(history).items()} == dict.fromkeys(
        HISTORY, Outcome.WARNED
    )
    assert amount_results(history)[FIRST_DAY].baseline is None
    [blocked] = report.blocking
    assert (blocked.spec.columns, blocked.failing_rows) == (("amount",), 60)
    assert (blocked.baseline, blocked.history_drops) == (pytest.approx(0.03), HISTORY_DAYS)
    assert result_message(blocked) == (
        f"{jump_day}/deals.csv: column amount: 60 of 100 rows have no amount (counted as 0 "
        "in sums) (a jump: 60.0% of the drop against a median of 3.0% over the last 30 loaded "
        "drop(s), more than 3x the median and 5 points above it in 60 rows: a broken export? "
        "If the CRM really changed, raise meta.drift in the suite file in expectations/ "
        "until the median follows) (expect_column_values_to_not_be_null), e.g. row 1 null, "
        "row 2 null, row 3 null, row 4 null, row 5 null"
    )
    assert stored == [("blocked", pytest.approx(0.6), pytest.approx(0.03))]
    # The blocked drop waits; it does not become history.
    assert passes == (HISTORY_DAYS, HISTORY[-1])
    status = status_of(tmp_path)
    failing = status.index("Failing checks: 1 (details in audit.check_results)")
    assert status[failing + 1] == f"  deals {jump_day}: {result_message(blocked)}"


def test_amounts_gone_from_every_deal_block_as_a_missing_column_naming_the_jump(
    tmp_path: Path, seeds_dir: Path, dirty_landing: Path
) -> None:
    land(dirty_landing, NEXT_DAY, without_amount=DEALS_PER_DROP)

    with duckdb.connect(str(tmp_path / BUILD_DATABASE_NAME)) as connection:
        report = load_and_gate(connection, dirty_landing, seeds_dir, run_id="catch-up")

    [blocked] = report.blocking
    assert blocked.drop.extract_date == NEXT_DAY
    assert (result_message(blocked) or "").startswith(
        f"column amount missing from {NEXT_DAY}/deals.csv (empty in all 100 rows) (a jump: "
        "100.0% of the drop against a median of 3.0% over the last 30 loaded drop(s)"
    )


def test_four_percent_without_amount_passes_with_a_warning_naming_the_baseline(
    tmp_path: Path, seeds_dir: Path, dirty_landing: Path
) -> None:
    landing, last_day = dirty_landing, NEXT_DAY
    land(landing, last_day, without_amount=4)

    # One catch-up run: each drop is judged against the drops before it in the same run.
    with duckdb.connect(str(tmp_path / BUILD_DATABASE_NAME)) as connection:
        report = load_and_gate(connection, landing, seeds_dir, run_id="catch-up")

    assert report.blocking == []
    last = amount_results(report)[last_day]
    assert (last.outcome, last.failing_rows, last.history_drops) == (
        Outcome.WARNED,
        4,
        HISTORY_DAYS,
    )
    assert last.baseline == pytest.approx(0.03)
    assert (
        "4 of 100 rows have no amount (counted as 0 in sums) (4.0% of the drop against a "
        "median of 3.0% over the last 30 loaded drop(s)) (expect_column_values_to_not_be_null)"
    ) in (result_message(last) or "")
    # `pipehealth status` names the warnings (of the latest gate run: every drop here).
    status = status_of(tmp_path)
    assert "Failing checks: none" in status
    warnings = status.index(f"Gate warnings: {HISTORY_DAYS + 1} (details in audit.check_results)")
    assert status[warnings + 1] == f"  deals {last_day}: {result_message(last)}"
    assert f"  ... {HISTORY_DAYS + 1 - 10} more" in status


def test_a_jump_needs_both_three_times_and_five_points_above_the_median(
    tmp_path: Path, seeds_dir: Path
) -> None:
    """From a clean 0% history, 10 of 200 is not 5 points above; 12 of 200 is."""
    landing = tmp_path / "landing"
    for day in HISTORY[:3]:
        land(landing, day, without_amount=0, deals=200)
    land(landing, HISTORY[3], without_amount=10, deals=200)
    land(landing, HISTORY[4], without_amount=12, deals=200)

    with duckdb.connect(str(tmp_path / BUILD_DATABASE_NAME)) as connection:
        report = load_and_gate(connection, landing, seeds_dir, run_id="catch-up")

    outcomes = {day: r.outcome for day, r in amount_results(report).items()}
    assert outcomes == {
        **dict.fromkeys(HISTORY[:3], Outcome.PASSED),
        HISTORY[3]: Outcome.WARNED,
        HISTORY[4]: Outcome.BLOCKED,
    }
    # The 5% drop passed, so it is history for the next: median of 0, 0, 0, 5%.
    assert amount_results(report)[HISTORY[4]].baseline == pytest.approx(0.0)


def test_a_jump_in_fewer_rows_than_the_minimum_only_warns(tmp_path: Path, seeds_dir: Path) -> None:
    """A small daily drop, mostly new deals: 9 of 20 without an amount yet is 45% against a
    clean history, but fewer rows than `min_failing_rows` (10): a warning; 10 of 20 blocks."""
    landing = tmp_path / "landing"
    for day in HISTORY[:3]:
        land(landing, day, without_amount=0)
    land(landing, HISTORY[3], without_amount=9, deals=20)
    land(landing, HISTORY[4], without_amount=10, deals=20)

    with duckdb.connect(str(tmp_path / BUILD_DATABASE_NAME)) as connection:
        report = load_and_gate(connection, landing, seeds_dir, run_id="small-drops")

    results = amount_results(report)
    assert results[HISTORY[3]].outcome == Outcome.WARNED
    assert results[HISTORY[3]].failing_share == pytest.approx(0.45)
    assert results[HISTORY[4]].outcome == Outcome.BLOCKED
    assert "in 10 rows" in result_message(results[HISTORY[4]])


def deals_without_amount(count: int) -> list[Row]:
    return [
        {**deal, "amount": None} if number <= count else deal
        for number, deal in enumerate(good_deals(DEALS_PER_DROP), start=1)
    ]


def test_results_recorded_before_the_drift_rule_are_history_by_their_row_counts(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    """A warehouse gated before the rule has no failing_share column: the gate adds it
    and takes an old drop's share from its failing and stored rows (3 of 100)."""
    add_drop(connection, "deals", FIRST_DAY, deals_without_amount(3))
    gate_drop(connection, seeds_dir, run_id="before the rule")
    for column in ("failing_share", "baseline_share"):
        connection.execute(f"alter table audit.check_results drop column {column}")
    add_drop(connection, "deals", NEXT_DAY, deals_without_amount(60))

    report = gate_drop(connection, seeds_dir, run_id="after")

    [blocked] = report.blocking
    assert (blocked.drop.extract_date, blocked.failing_rows) == (NEXT_DAY, 60)
    assert (blocked.baseline, blocked.history_drops) == (pytest.approx(0.03), 1)
    assert connection.execute(
        "select run_id, failing_share from audit.check_results "
        "where column_name = 'amount' and expectation = 'expect_column_values_to_not_be_null' "
        "order by run_id"
    ).fetchall() == [("after", pytest.approx(0.6)), ("before the rule", None)]
