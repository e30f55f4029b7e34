"""The raw gate on hand-made drops: what blocks, what warns, what it says, what it keeps."""

from __future__ import annotations

import json
import socket
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from raw_layout import Row, add_drop, closed_deals, good_deals

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.ingest.raw_tables import ensure_raw_schema
from dagster_project.quality.checks import check_result
from dagster_project.quality.gate import Chunk, plan_chunks, run_gate
from dagster_project.quality.results import GateReport, Outcome, PendingDrop
from dagster_project.settings import EXPECTATIONS_DIR

JAN_3 = date(2025, 1, 3)
JAN_4 = date(2025, 1, 4)
JAN_5 = date(2025, 1, 5)
DEALS_EXPECTATIONS = 31
CHUNKING_SUITE = {
    "name": "raw.deals",
    "expectations": [
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {
                "column_list": ["_extract_date", "deal_id"],
                "ignore_row_if": "any_value_is_missing",
            },
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "amount", "regex": "^[0-9.]+$"},
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "closed_at::timestamp",
                "column_B": "created_at::timestamp",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
                "mostly": 0.9,
            },
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "stage", "value_set": {"$PARAMETER": "pipeline_stages"}},
        },
    ],
}


def gate(
    connection: duckdb.DuckDBPyConnection,
    seeds_dir: Path,
    entity: str = "deals",
    *,
    run_id: str = "run-1",
    chunk_rows: int = 200_000,
) -> GateReport:
    return run_gate(
        connection,
        entity,
        run_id=run_id,
        expectations_dir=EXPECTATIONS_DIR,
        seeds_dir=seeds_dir,
        chunk_rows=chunk_rows,
    )


def with_changes(rows: list[Row], changes: dict[int, Row]) -> list[Row]:
    """`changes` by 1-based row number, as the messages number rows."""
    return [{**row, **changes.get(number, {})} for number, row in enumerate(rows, start=1)]


def messages_of(report: GateReport, outcome: Outcome) -> list[str]:
    from dagster_project.quality.messages import result_message

    return [
        message
        for result in report.results
        if result.outcome is outcome and (message := result_message(result)) is not None
    ]


def test_a_good_drop_passes_and_is_remembered(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    add_drop(connection, "deals", JAN_3, good_deals(120))

    report = gate(connection, seeds_dir)

    assert report.drops == (PendingDrop(JAN_3, "2025-01-03/deals.csv", 120),)
    assert {result.outcome for result in report.results} == {Outcome.PASSED}
    assert len(report.results) == DEALS_EXPECTATIONS
    assert check_result(report).passed
    assert connection.execute("select entity, extract_date from audit.gate_passes").fetchall() == [
        ("deals", JAN_3)
    ]
    assert connection.execute(
        "select count(*), count(*) filter (where outcome = 'passed') from audit.check_results"
    ).fetchone() == (DEALS_EXPECTATIONS, DEALS_EXPECTATIONS)


def test_an_unparseable_amount_blocks_naming_file_column_row_and_value(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    add_drop(connection, "deals", JAN_3, with_changes(good_deals(120), {17: {"amount": "12,5O0"}}))

    report = gate(connection, seeds_dir)

    assert messages_of(report, Outcome.BLOCKED) == [
        "2025-01-03/deals.csv: column amount: 1 of 120 rows do not parse as a number "
        "(expect_column_values_to_match_regex), e.g. row 17 '12,5O0'"
    ]
    result = check_result(report)
    assert (result.passed, result.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert "row 17 '12,5O0'" in (result.description or "")
    assert connection.execute("select count(*) from audit.gate_passes").fetchone() == (0,)
    assert connection.execute(
        "select column_name, failing_rows, failing_sample from audit.check_results "
        "where outcome = 'blocked'"
    ).fetchall() == [("amount", 1, "row 17 '12,5O0'")]


def test_a_duplicate_deal_id_blocks(connection: duckdb.DuckDBPyConnection, seeds_dir: Path) -> None:
    add_drop(connection, "deals", JAN_3, with_changes(good_deals(50), {9: {"deal_id": "D00005"}}))

    report = gate(connection, seeds_dir)

    assert messages_of(report, Outcome.BLOCKED) == [
        "2025-01-03/deals.csv: column deal_id: 2 of 50 rows share their deal_id with another "
        "row of the drop (expect_compound_columns_to_be_unique), e.g. row 5 'D00005', "
        "row 9 'D00005'"
    ]


def test_an_unknown_stage_blocks_and_says_to_add_it_to_the_seed(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    add_drop(connection, "deals", JAN_3, with_changes(good_deals(50), {3: {"stage": "legal"}}))

    report = gate(connection, seeds_dir)

    assert messages_of(report, Outcome.BLOCKED) == [
        "2025-01-03/deals.csv: column stage: 1 of 50 rows have a stage not in the "
        "pipeline_stages seed (expect_column_values_to_be_in_set), e.g. row 3 'legal'; "
        "add it to dbt/seeds/pipeline_stages.csv"
    ]


def test_an_unknown_forecast_category_warns_naming_file_column_row_and_value(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    # forecast_category is optional: good_deals carries none and passes (test above).
    rows = [{**row, "forecast_category": "commit"} for row in good_deals(40)]
    add_drop(connection, "deals", JAN_3, with_changes(rows, {7: {"forecast_category": "Upside"}}))

    report = gate(connection, seeds_dir)

    assert messages_of(report, Outcome.BLOCKED) == []
    assert messages_of(report, Outcome.WARNED) == [
        "2025-01-03/deals.csv: column forecast_category: 1 of 40 rows are not a forecast "
        "category (omitted, pipeline, best_case, commit, closed): the stage's applies "
        "(expect_column_values_to_be_in_set), e.g. row 7 'Upside'"
    ]


@pytest.mark.parametrize("bad_rows", [1, 10, 120])
def test_closed_before_created_warns_whatever_its_share_in_a_first_drop(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path, bad_rows: int
) -> None:
    early = {"closed_at": "2024-11-30T09:00:00Z"}
    rows = with_changes(closed_deals(200), dict.fromkeys(range(1, bad_rows + 1), early))
    add_drop(connection, "deals", JAN_3, rows)

    report = gate(connection, seeds_dir)

    [result] = [result for result in report.results if result.failing_rows]
    assert (result.spec.reported_columns, result.failing_rows) == (
        ("closed_at", "created_at"),
        bad_rows,
    )
    # An implausible row is a dirty CRM, not a broken export; with no earlier drop to
    # compare with, no share is a jump.
    assert (result.outcome, result.baseline) == (Outcome.WARNED, None)
    assert messages_of(report, Outcome.WARNED) == [
        f"2025-01-03/deals.csv: columns closed_at, created_at: {bad_rows} "
        "of 200 rows are closed before they were created "
        "(expect_column_pair_values_a_to_be_greater_than_b), e.g. row 1 "
        "(closed_at='2024-11-30T09:00:00Z' created_at='2024-12-01T09:30:00Z')"
        + "".join(
            f", row {n} (closed_at='2024-11-30T09:00:00Z' created_at='2024-12-01T09:30:00Z')"
            for n in range(2, min(bad_rows, 5) + 1)
        )
    ]
    check = check_result(report)
    assert (check.passed, check.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert connection.execute("select count(*) from audit.gate_passes").fetchone() == (1,)


def test_a_required_column_missing_from_the_file_is_reported_as_missing(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    rows = [{**row, "currency": None} for row in good_deals(40)]
    add_drop(connection, "deals", JAN_3, rows)

    report = gate(connection, seeds_dir)

    assert messages_of(report, Outcome.BLOCKED) == [
        "column currency missing from 2025-01-03/deals.csv (empty in all 40 rows) "
        "(expect_column_values_to_not_be_null)"
    ]


def test_timestamps_after_the_extract_date_only_warn(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    future = {"updated_at": "2025-03-01T00:00:00Z"}
    add_drop(connection, "deals", JAN_3, with_changes(good_deals(10), {2: future, 4: future}))

    report = gate(connection, seeds_dir)

    assert report.blocking == []
    assert messages_of(report, Outcome.WARNED) == [
        "2025-01-03/deals.csv: column updated_at: 2 of 10 rows are "
        "dated after the end of the extract date "
        "(expect_column_pair_values_a_to_be_greater_than_b), "
        "e.g. row 2 '2025-03-01T00:00:00Z', row 4 '2025-03-01T00:00:00Z'"
    ]


def test_each_run_checks_only_new_drops_and_the_audit_keeps_every_run(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    add_drop(connection, "deals", JAN_3, good_deals(20))
    first = gate(connection, seeds_dir, run_id="run-1")
    add_drop(connection, "deals", JAN_4, with_changes(good_deals(5), {2: {"amount": "n/a"}}))

    second = gate(connection, seeds_dir, run_id="run-2")
    third = gate(connection, seeds_dir, run_id="run-3")

    assert [drop.extract_date for drop in first.drops] == [JAN_3]
    assert [drop.extract_date for drop in second.drops] == [JAN_4]
    # A blocked drop has not passed: the next run checks it again.
    assert [drop.extract_date for drop in third.drops] == [JAN_4]
    assert connection.execute(
        "select run_id, extract_date, count(*), count(*) filter (where outcome = 'blocked') "
        "from audit.check_results group by all order by run_id"
    ).fetchall() == [
        ("run-1", JAN_3, DEALS_EXPECTATIONS, 0),
        ("run-2", JAN_4, DEALS_EXPECTATIONS, 1),
        ("run-3", JAN_4, DEALS_EXPECTATIONS, 1),
    ]


def test_field_history_values_are_checked_by_the_field_they_belong_to(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path
) -> None:
    change = {"deal_id": "D1", "changed_at": "2025-01-03T10:00:00Z"}
    add_drop(
        connection,
        "deal_field_history",
        JAN_3,
        [
            {**change, "field": "stage", "old_value": "demo", "new_value": "closed_won"},
            {**change, "field": "stage", "old_value": "demo", "new_value": "legal"},
            {**change, "field": "amount", "old_value": "10", "new_value": "1O0"},
            {**change, "field": "owner_id", "old_value": "U1", "new_value": "U2"},
            {**change, "field": "expected_close_date", "new_value": "2025-02-30x"},
        ],
    )

    report = gate(connection, seeds_dir, "deal_field_history")

    assert messages_of(report, Outcome.BLOCKED) == [
        "2025-01-03/deal_field_history.csv: columns new_value, field: 1 of 5 rows change to a "
        "stage not in the pipeline_stages seed (expect_column_values_to_be_in_set), e.g. row 2 "
        "(new_value='legal' field='stage'); add it to dbt/seeds/pipeline_stages.csv",
        "2025-01-03/deal_field_history.csv: columns new_value, field: 1 of 5 rows change an "
        "amount or probability to a value that does not parse as a number "
        "(expect_column_values_to_match_regex), e.g. row 3 (new_value='1O0' field='amount')",
        "2025-01-03/deal_field_history.csv: columns new_value, field: 1 of 5 rows change "
        "expected_close_date to a value that is not a date (YYYY-MM-DD) "
        "(expect_column_values_to_match_regex), "
        "e.g. row 5 (new_value='2025-02-30x' field='expected_close_date')",
    ]


def test_rows_loaded_from_a_landing_file_are_named_by_file_and_data_row(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path, tmp_path: Path
) -> None:
    drop = tmp_path / "landing" / "2025-01-03"
    drop.mkdir(parents=True)
    (drop / "users.csv").write_text(
        "user_id,full_name,role,is_active,updated_at\nU1,Ann Lee,rep,true,2025-01-03T08:00:00Z\n"
    )
    (drop / "accounts.csv").write_text(
        "account_id,account_name,created_at,updated_at\n"
        "A1,Acme,2024-12-01T00:00:00Z,2024-12-01T00:00:00Z\n"
    )
    amounts = {3: '"12,5O0"'}  # quoted, as RFC 4180 writes a value with a comma
    (drop / "deals.csv").write_text(
        "deal_id,account_id,owner_id,pipeline,stage,amount,currency,expected_close_date,"
        "created_at,updated_at\n"
        + "".join(
            f"D{n},A1,U1,new_business,demo,{amounts.get(n, '100')},USD,2025-02-01,"
            "2025-01-01T10:00:00Z,2025-01-03T10:00:00Z\n"
            for n in range(1, 5)
        )
    )
    (drop / "_SUCCESS").touch()
    load_pending_drops(connection, tmp_path / "landing", datetime(2025, 1, 4))

    reports = [gate(connection, seeds_dir, entity) for entity in ("users", "accounts", "deals")]

    assert [messages_of(report, Outcome.BLOCKED) for report in reports] == [
        [],
        [],
        [
            "2025-01-03/deals.csv: column amount: 1 of 4 rows do not parse as a number "
            "(expect_column_values_to_match_regex), e.g. row 3 '12,5O0'"
        ],
    ]


def test_no_new_drop_or_no_rows_at_all_passes(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path, tmp_path: Path
) -> None:
    leads = gate(connection, seeds_dir, "leads")  # optional entity: never delivered
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as empty:
        before_any_load = gate(empty, seeds_dir, "deals")

    for report in (leads, before_any_load):
        result = check_result(report)
        assert result.passed
        assert result.description == f"raw.{report.entity}: no new drops to check"


def test_reading_in_small_chunks_gives_the_same_results_as_one_chunk(
    tmp_path: Path, seeds_dir: Path
) -> None:
    # A small suite with each kind of expectation the chunking must not change: a
    # per-drop key, a row-level check, a tolerance judged per drop, a $PARAMETER.
    expectations_dir = tmp_path / "expectations"
    expectations_dir.mkdir()
    (expectations_dir / "deals.json").write_text(json.dumps(CHUNKING_SUITE))
    drops = {
        JAN_3: with_changes(good_deals(5), {4: {"amount": "-5"}}),
        JAN_4: with_changes(
            closed_deals(12),
            {
                3: {"deal_id": "D00011"},
                7: {"closed_at": "2024-11-01T00:00:00Z"},
                12: {"stage": "x"},
            },
        ),
        JAN_5: with_changes(good_deals(4), {1: {"amount": "1,0"}}),  # same ids as JAN_3
    }

    def results(chunk_rows: int) -> list[tuple[object, ...]]:
        with duckdb.connect(str(tmp_path / f"chunks-{chunk_rows}.duckdb")) as connection:
            ensure_raw_schema(connection)
            for day, rows in drops.items():
                add_drop(connection, "deals", day, rows)
            report = run_gate(
                connection,
                "deals",
                run_id="run-1",
                expectations_dir=expectations_dir,
                seeds_dir=seeds_dir,
                chunk_rows=chunk_rows,
            )
        return [
            (r.drop.extract_date, r.spec.position, r.failing_rows, r.checked_rows, r.examples)
            for r in report.results
        ]

    one_chunk = results(chunk_rows=1_000)
    assert results(chunk_rows=4) == one_chunk
    assert [
        (day, position, rows, checked) for day, position, rows, checked, _ in one_chunk if rows
    ] == [
        (JAN_3, 2, 1, None),
        (JAN_4, 1, 2, None),
        (JAN_4, 3, 1, 12),
        (JAN_4, 4, 1, None),
        (JAN_5, 2, 1, None),
    ]


def test_plan_chunks_packs_whole_drops_and_splits_only_large_ones() -> None:
    small, other, large, last = (
        PendingDrop(date(2025, 1, day), f"2025-01-0{day}/deals.csv", rows)
        for day, rows in ((1, 3), (2, 2), (3, 11), (4, 4))
    )

    chunks = plan_chunks([small, other, large, last], chunk_rows=5)

    assert chunks == [
        Chunk(drops=(small, other)),
        Chunk(drops=(large,), part=0, parts=3),
        Chunk(drops=(large,), part=1, parts=3),
        Chunk(drops=(large,), part=2, parts=3),
        Chunk(drops=(last,)),
    ]


def test_the_gate_never_touches_the_network(
    connection: duckdb.DuckDBPyConnection, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the gate tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    add_drop(connection, "deals", JAN_3, good_deals(3))

    assert gate(connection, seeds_dir).blocking == []
