"""Rows of raw tables as the loader stores them, and good CRM rows for tests to break."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import pandas as pd

from dagster_project.ingest.contract import ENTITIES

Row = dict[str, str | None]


def add_drop(
    connection: duckdb.DuckDBPyConnection, entity: str, extract_date: date, rows: Sequence[Row]
) -> None:
    """Append rows to raw.<entity> as the loader stores them: text plus load metadata."""
    columns = ENTITIES[entity].columns
    frame = pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns)
    frame = frame.astype(object)
    frame["_extract_date"] = extract_date
    frame["_source_file"] = f"{extract_date}/{entity}.csv"
    frame["_source_row"] = range(1, len(rows) + 1)
    frame["_row_hash"] = [hashlib.md5(repr(row).encode()).hexdigest() for row in rows]
    frame["_loaded_at"] = datetime(2025, 1, 1)
    connection.register("drop_rows", frame)
    connection.execute(f"insert into raw.{entity} by name select * from drop_rows")
    connection.unregister("drop_rows")


OWNERS_LOADED_ON = date(2024, 12, 1)


def add_owners(connection: duckdb.DuckDBPyConnection) -> None:
    """The users that good deals are owned by: an owner must be a known user."""
    users = [
        {
            "user_id": f"U{number}",
            "full_name": f"Rep {number}",
            "role": "rep",
            "is_active": "true",
            "updated_at": "2024-12-01T00:00:00Z",
        }
        for number in range(3)
    ]
    add_drop(connection, "users", OWNERS_LOADED_ON, users)


def good_deal(number: int) -> Row:
    return {
        "deal_id": f"D{number:05d}",
        "deal_name": f"Deal {number}",
        "account_id": f"A{number % 7}",
        "owner_id": f"U{number % 3}",
        "pipeline": "new_business",
        "deal_type": "new_business",
        "stage": "demo",
        "amount": "12500.50",
        "currency": "USD",
        "probability": "40",
        "expected_close_date": "2025-02-28",
        "created_at": "2024-12-01T09:30:00Z",
        "closed_at": None,
        "lost_reason": "",  # a blank field is null, as staging reads it
        "next_step": "Send the proposal",
        "is_deleted": "false",
        "updated_at": "2025-01-02T17:45:00+00:00",
    }


def good_deals(count: int) -> list[Row]:
    return [good_deal(number) for number in range(1, count + 1)]


def closed_deals(count: int) -> list[Row]:
    return [
        {**deal, "stage": "closed_won", "probability": "100", "closed_at": "2024-12-20T10:00:00Z"}
        for deal in good_deals(count)
    ]
