"""Structural faults of a drop: a clear message naming the file, and raw left as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from landing_files import DEAL_HEADER, FIRST_DAY_DEALS, LOADED_AT, full_export, write_drop

from dagster_project.ingest.loader import load_pending_drops

BAD_DAY = "2025-01-02"
LATER_DAY = "2025-01-03"
A_DEAL = FIRST_DAY_DEALS[1]
# Enough rows that the fault lies beyond the block the file check reads.
MANY_DEALS = [A_DEAL.replace("d2,", f"d{number},", 1) for number in range(3, 1003)]

FAULTS: dict[str, tuple[bytes, str]] = {
    "not_utf8_header_block": (
        f"{DEAL_HEADER}\n".encode() + b"d9,caf\xe9,a1\n",
        "2025-01-02/deals.csv: line 2 is not UTF-8 text; "
        "re-export the file with UTF-8 encoding (the contract's only encoding)",
    ),
    "not_utf8_deep_in_the_file": (
        "\n".join([DEAL_HEADER, *MANY_DEALS, ""]).encode()
        + A_DEAL.replace("Beta", "Caf\xe9").encode("latin-1")
        + b"\n",
        "2025-01-02/deals.csv: line 1002 is not UTF-8 text; "
        "re-export the file with UTF-8 encoding (the contract's only encoding)",
    ),
    "truncated_quoted_field": (
        f'{DEAL_HEADER}\n{A_DEAL}\nd3,"Gamma'.encode(),
        "2025-01-02/deals.csv: line 3 opens a quoted value that is never closed "
        "(the file looks truncated); re-export the file",
    ),
    "more_fields_than_the_header": (
        f"{DEAL_HEADER}\n{A_DEAL}\n{A_DEAL},extra\n{A_DEAL}\n".encode(),
        "2025-01-02/deals.csv: line 3 has 12 fields but the header has 11; "
        "quote values that contain commas, or re-export the file",
    ),
    "fewer_fields_than_the_header": (
        f"{DEAL_HEADER}\nd3,Gamma\n".encode(),
        "2025-01-02/deals.csv: line 2 has 2 fields but the header has 11; "
        "quote values that contain commas, or re-export the file",
    ),
    "no_header": (
        f"{A_DEAL}\n".encode(),
        "2025-01-02/deals.csv: the first line (d2,Beta,a1,u1,new_business,demo,200.00,EUR,"
        "2025-02-01,2025-01-01T10:00:00Z,20...) is not a deals header: it names none "
        "of the contract's columns; add the header row (deal_id,account_id,owner_id,"
        "pipeline,stage,amount,currency,expected_close_date,created_at,updated_at, ...)",
    ),
    "renamed_required_column": (
        f"{DEAL_HEADER.replace(',amount,', ',amount_usd,')}\n{A_DEAL}\n".encode(),
        "2025-01-02/deals.csv: required column amount is missing from the header (found: "
        "deal_id,deal_name,account_id,owner_id,pipeline,stage,amount_usd,currency,expe...); "
        "rename or add it and re-deliver the file",
    ),
    "empty_file": (
        b"",
        "2025-01-02/deals.csv: the file is empty (0 bytes); "
        "re-export it with its header row, or remove it from the drop",
    ),
    "reserved_column_name": (
        f"{DEAL_HEADER},_loaded_at\n{A_DEAL},x\n".encode(),
        "2025-01-02/deals.csv: column _loaded_at uses a name reserved for load metadata; "
        "rename it in the export",
    ),
}


@pytest.fixture
def connection(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()


def stored_drops(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute("select drop_date::varchar from raw._drops order by 1").fetchall()
    return [day for (day,) in rows]


def deal_dates(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select distinct _extract_date::varchar from raw.deals order by 1"
    ).fetchall()
    return [day for (day,) in rows]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_file_stops_its_drop_with_a_message_and_leaves_raw_unchanged(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection, fault: str
) -> None:
    content, expected_message = FAULTS[fault]
    landing = tmp_path / "landing"
    full_export(landing)
    folder = write_drop(landing, BAD_DAY, {"deals.csv": []})
    (folder / "deals.csv").write_bytes(content)
    write_drop(landing, LATER_DAY, {"deals.csv": [DEAL_HEADER, A_DEAL]})

    report = load_pending_drops(connection, landing, LOADED_AT)

    # The drop before the broken one loads; the broken one and the later one wait.
    assert str(report.rejected) == expected_message
    assert report.drops_loaded == ["2025-01-01"]
    assert stored_drops(connection) == ["2025-01-01"]
    assert deal_dates(connection) == ["2025-01-01"]


def test_a_broken_first_drop_loads_nothing(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    folder = full_export(landing)
    (folder / "deals.csv").write_bytes(FAULTS["more_fields_than_the_header"][0])

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert str(report.rejected) == (
        "2025-01-01/deals.csv: line 3 has 12 fields but the header has 11; "
        "quote values that contain commas, or re-export the file"
    )
    assert report.drops_loaded == []
    for table in ("_drops", "_drop_files", "users", "accounts", "deals"):
        assert connection.execute(f"select count(*) from raw.{table}").fetchone() == (0,)


def test_a_file_for_an_unknown_entity_is_named(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    write_drop(landing, BAD_DAY, {"opportunities.csv": ["id", "1"]})

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert str(report.rejected) == (
        "2025-01-02/opportunities.csv: unknown entity 'opportunities'; expected one of users, "
        "accounts, leads, deals, deal_field_history, activities, quotas; rename the file or "
        "remove it from the drop"
    )
    assert stored_drops(connection) == ["2025-01-01"]


def test_a_header_only_file_is_empty_only_for_an_entity_a_full_export_requires(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    # An incremental drop with no changed deals, and optional leads with no rows: fine.
    write_drop(
        landing,
        BAD_DAY,
        {"deals.csv": [DEAL_HEADER], "leads.csv": ["lead_id,created_at,status,updated_at"]},
    )
    folder = full_export(landing, LATER_DAY)
    (folder / "_manifest.json").write_text('{"mode": "full"}')
    (folder / "users.csv").write_text("user_id,full_name,role,is_active,updated_at\n")

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert str(report.rejected) == (
        "2025-01-03/users.csv: holds a header but no rows; a full export must contain "
        "its users: re-export the file"
    )
    assert report.drops_loaded == ["2025-01-01", "2025-01-02"]
    assert stored_drops(connection) == ["2025-01-01", "2025-01-02"]
    assert connection.execute(
        "select count(*) from raw.users where _extract_date = '2025-01-03'"
    ).fetchone() == (0,)
