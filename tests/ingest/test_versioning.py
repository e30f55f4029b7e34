"""The version rule (dagster_project/ingest/new_versions.sql) on hand-made batches.

Each batch is staged as readers.read_batch leaves it (the files' columns as text,
`filename`, `_source_row`), so the rule alone decides which rows raw stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from landing_files import LOADED_AT

from dagster_project.ingest.drops import DropFile
from dagster_project.ingest.raw_tables import ensure_raw_schema
from dagster_project.ingest.readers import BATCH_TABLE
from dagster_project.ingest.versioning import append_new_versions

LANDING = Path("/landing")
DEAL_COLUMNS = ("deal_id", "stage", "amount")
QUOTA_COLUMNS = ("owner_id", "period_start", "period_end", "quota_amount", "currency")
Row = tuple[str | None, ...]


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    ensure_raw_schema(connection)
    yield connection
    connection.close()


def deliver(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    columns: tuple[str, ...],
    files: dict[str, list[Row]],
) -> tuple[int, int]:
    """Apply the rule to a batch of files `<day>/<entity>.csv` holding `rows` in order."""
    drop_files = [
        DropFile(entity=entity, path=LANDING / day / f"{entity}.csv", file_format="csv")
        for day in files
    ]
    column_types = ", ".join(f"{name} varchar" for name in columns)
    connection.execute(
        f"create or replace temp table {BATCH_TABLE} "
        f"({column_types}, filename varchar, _source_row bigint)"
    )
    placeholders = ", ".join("?" for _ in range(len(columns) + 2))
    for drop_file, rows in zip(drop_files, files.values(), strict=True):
        connection.executemany(
            f"insert into {BATCH_TABLE} values ({placeholders})",
            [(*row, str(drop_file.path), number) for number, row in enumerate(rows, start=1)],
        )
    return append_new_versions(connection, entity, drop_files, LOADED_AT)


def stored_deals(connection: duckdb.DuckDBPyConnection, since: str) -> list[tuple[object, ...]]:
    return connection.execute(
        "select _source_file, _source_row, deal_id, stage, amount from raw.deals "
        "where _extract_date >= ? order by _extract_date, _source_row",
        [since],
    ).fetchall()


def test_a_first_delivery_stores_every_row(connection: duckdb.DuckDBPyConnection) -> None:
    first = [("d1", "qualification", "100"), ("d2", "demo", "200")]

    assert deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-01": first}) == (2, 2)

    assert stored_deals(connection, "2025-01-01") == [
        ("2025-01-01/deals.csv", 1, "d1", "qualification", "100"),
        ("2025-01-01/deals.csv", 2, "d2", "demo", "200"),
    ]


def test_only_rows_that_differ_from_the_version_before_them_are_stored(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    first = [("d1", "qualification", "100"), ("d2", "demo", "200"), ("d3", "demo", "300")]
    deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-01": first})
    # Two drops in one batch, with an extra column the first drop did not have.
    with_score = (*DEAL_COLUMNS, "custom_score")
    second = [
        ("d1", "qualification", "100", None),  # unchanged; the new column empty: not stored
        ("d2", "proposal", "200", None),  # changed
        ("d4", "demo", "50", None),  # a new key
        ("d5", "demo", "10", None),  # a key twice in one drop: both stored, for the gate
        ("d5", "demo", "10", None),
    ]
    third = [
        ("d2", "demo", "200", None),  # back to the 01-01 value: differs from 01-02's
        ("d4", "demo", "50", None),  # unchanged since the same batch's 01-02 row
        ("d3", "demo", "300", "87"),  # a value in the new column is a change
    ]

    read, stored = deliver(
        connection, "deals", with_score, {"2025-01-02": second, "2025-01-03": third}
    )

    assert (read, stored) == (8, 6)
    assert stored_deals(connection, "2025-01-02") == [
        ("2025-01-02/deals.csv", 2, "d2", "proposal", "200"),
        ("2025-01-02/deals.csv", 3, "d4", "demo", "50"),
        ("2025-01-02/deals.csv", 4, "d5", "demo", "10"),
        ("2025-01-02/deals.csv", 5, "d5", "demo", "10"),
        ("2025-01-03/deals.csv", 1, "d2", "demo", "200"),
        ("2025-01-03/deals.csv", 3, "d3", "demo", "300"),
    ]
    assert connection.execute(
        "select custom_score from raw.deals where deal_id = 'd3' order by _extract_date"
    ).fetchall() == [(None,), ("87",)]


def test_a_row_is_compared_with_the_latest_stored_version_of_its_key(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    in_demo, in_proposal = ("d1", "demo", "100"), ("d1", "proposal", "100")
    deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-01": [in_demo]})
    deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-02": [in_proposal]})

    # The same as the latest version (01-02's): not stored; the same as 01-01's: stored.
    assert deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-03": [in_proposal]}) == (1, 0)
    assert deliver(connection, "deals", DEAL_COLUMNS, {"2025-01-04": [in_demo]}) == (1, 1)


def test_a_key_column_the_export_leaves_out_pairs_versions_as_null(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    """Quotas are keyed by owner, period and quota_type; this export has no quota_type."""
    quota = ("u1", "2025-02-01", "2025-02-28", "100000", "USD")
    deliver(connection, "quotas", QUOTA_COLUMNS, {"2025-01-01": [quota]})

    assert deliver(connection, "quotas", QUOTA_COLUMNS, {"2025-01-02": [quota]}) == (1, 0)
    raised = (*quota[:3], "120000", "USD")
    assert deliver(connection, "quotas", QUOTA_COLUMNS, {"2025-01-03": [raised]}) == (1, 1)
