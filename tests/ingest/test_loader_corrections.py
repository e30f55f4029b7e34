"""Re-delivered drops (replaced while they wait at the gate) and collapsed full exports."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from landing_files import DEAL_HEADER, FIRST_DAY_DEALS, LOADED_AT, full_export, write_drop

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.quality import audit

BAD_AMOUNT = "12,5O0"
GOOD_AMOUNT = "12500"
D2 = FIRST_DAY_DEALS[1]


@pytest.fixture
def connection(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()


def pass_gate(connection: duckdb.DuckDBPyConnection, day: str, *entities: str) -> None:
    """What the gate records when `entities` of the drop of `day` pass."""
    audit.ensure_audit_tables(connection)
    connection.executemany(
        "insert into audit.gate_passes values (?, ?, 'run', '2025-01-10')",
        [(entity, date.fromisoformat(day)) for entity in entities],
    )


def deals_with_amount(amount: str) -> list[str]:
    return [DEAL_HEADER, D2.replace("200.00", f'"{amount}"').replace("demo", "proposal")]


def redeliver(folder: Path, name: str, lines: list[str]) -> None:
    time.sleep(0.01)  # a new modification time, as a real re-delivery has
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def stored(connection: duckdb.DuckDBPyConnection, entity: str) -> pd.DataFrame:
    return (
        connection.execute(
            f"select * exclude (_loaded_at) from raw.{entity} "
            "order by _extract_date, _source_file, _source_row"
        )
        .fetch_df()
        .reset_index(drop=True)
    )


def test_a_drop_waiting_at_the_gate_is_replaced_when_re_delivered(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    bad = write_drop(landing, "2025-01-02", {"deals.csv": deals_with_amount(BAD_AMOUNT)})
    # A later drop repeats the deal unchanged: it was not stored again on the first load.
    write_drop(landing, "2025-01-03", {"deals.csv": deals_with_amount(GOOD_AMOUNT)})
    load_pending_drops(connection, landing, LOADED_AT)
    pass_gate(connection, "2025-01-01", "users", "accounts", "deals")
    pass_gate(connection, "2025-01-03", "deals")

    redeliver(bad, "deals.csv", deals_with_amount(GOOD_AMOUNT))
    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.rejected is None
    assert report.drops_replaced == ["2025-01-02", "2025-01-03"]
    assert report.drops_loaded == ["2025-01-02", "2025-01-03"]
    amounts = connection.execute(
        "select _extract_date::varchar, amount from raw.deals where deal_id = 'd2' order by 1"
    ).fetchall()
    assert amounts == [("2025-01-01", "200.00"), ("2025-01-02", GOOD_AMOUNT)]
    # Raw is what loading the corrected landing folder into a new warehouse gives.
    with duckdb.connect(str(tmp_path / "fresh.duckdb")) as fresh:
        load_pending_drops(fresh, landing, LOADED_AT)
        for entity in ("users", "accounts", "deals"):
            pd.testing.assert_frame_equal(stored(connection, entity), stored(fresh, entity))
        assert (
            connection.execute("select drop_date, mode from raw._drops order by 1").fetchall()
            == fresh.execute("select drop_date, mode from raw._drops order by 1").fetchall()
        )
    # The replaced drops wait for the gate again; the earlier one keeps its pass.
    passes = connection.execute(
        "select distinct extract_date::varchar from audit.gate_passes"
    ).fetchall()
    assert passes == [("2025-01-01",)]


def test_a_re_delivery_that_is_broken_keeps_what_was_loaded(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    bad = write_drop(landing, "2025-01-02", {"deals.csv": deals_with_amount(BAD_AMOUNT)})
    load_pending_drops(connection, landing, LOADED_AT)
    pass_gate(connection, "2025-01-01", "users", "accounts", "deals")
    before = stored(connection, "deals")

    redeliver(bad, "deals.csv", [DEAL_HEADER.replace("amount", "amount_usd"), D2])
    report = load_pending_drops(connection, landing, LOADED_AT)

    assert str(report.rejected).startswith(
        "2025-01-02/deals.csv: required column amount is missing from the header"
    )
    assert report.drops_loaded == []
    pd.testing.assert_frame_equal(stored(connection, "deals"), before)


def test_a_drop_changed_after_it_passed_the_gate_is_not_reloaded(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    accepted = write_drop(landing, "2025-01-02", {"deals.csv": deals_with_amount(GOOD_AMOUNT)})
    load_pending_drops(connection, landing, LOADED_AT)
    pass_gate(connection, "2025-01-01", "users", "accounts", "deals")
    pass_gate(connection, "2025-01-02", "deals")
    before = stored(connection, "deals")

    redeliver(accepted, "deals.csv", deals_with_amount("99999"))
    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.warnings == [
        "2025-01-02: its files changed after the drop was loaded and accepted by the quality "
        "gate; the change is ignored and raw keeps the rows loaded before. Deliver "
        "corrections as a new drop."
    ]
    assert report.drops_loaded == []
    pd.testing.assert_frame_equal(stored(connection, "deals"), before)


def full_export_of(landing: Path, day: str, deals: int) -> None:
    folder = full_export(landing, day)
    (folder / "_manifest.json").write_text('{"mode": "full"}')
    rows = [D2.replace("d2,", f"d{number},", 1) for number in range(deals)]
    (folder / "deals.csv").write_text("\n".join([DEAL_HEADER, *rows]) + "\n")


@pytest.mark.parametrize("one_load", [True, False], ids=["one_load", "two_loads"])
def test_a_full_export_below_half_the_previous_one_is_rejected(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection, one_load: bool
) -> None:
    landing = tmp_path / "landing"
    full_export_of(landing, "2025-01-01", deals=5)
    if not one_load:
        load_pending_drops(connection, landing, LOADED_AT)
    full_export_of(landing, "2025-01-02", deals=3)  # 60%: fine
    full_export_of(landing, "2025-01-03", deals=1)  # 33% of the 3 before it
    full_export_of(landing, "2025-01-04", deals=3)

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert str(report.rejected) == (
        "2025-01-03: the full export has 1 deals rows, fewer than 50% of the 3 in the "
        "previous full export (2025-01-02); the extract looks cut short: re-export it"
    )
    loaded = connection.execute("select drop_date::varchar from raw._drops order by 1").fetchall()
    assert loaded == [("2025-01-01",), ("2025-01-02",)]
    rows_read = connection.execute(
        "select drop_date::varchar, rows_read from raw._drop_files "
        "where entity = 'deals' order by 1"
    ).fetchall()
    assert rows_read == [("2025-01-01", 5), ("2025-01-02", 3)]
    assert connection.execute(
        "select count(*) from raw.deals where _extract_date >= '2025-01-03'"
    ).fetchone() == (0,)
