"""Landing drops -> raw: versions stored once, idempotent, clear rejections."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from landing_files import DEAL_HEADER, FIRST_DAY_DEALS, LOADED_AT, full_export, write_drop

from dagster_project.ingest import load_transaction
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.ingest.raw_tables import ensure_raw_schema
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.sample_data import generate


def raw_rows(connection: duckdb.DuckDBPyConnection, entity: str) -> pd.DataFrame:
    return connection.execute(
        f"select * from raw.{entity} order by _extract_date, _source_row"
    ).fetch_df()


@pytest.fixture
def connection(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield connection
    connection.close()


def test_full_export_then_incremental_stores_each_distinct_version_once(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    # The second drop repeats d1 unchanged and changes d2, with an unknown extra column.
    write_drop(
        landing,
        "2025-01-02",
        {
            "deals.csv": [
                DEAL_HEADER + ",custom_score",
                FIRST_DAY_DEALS[0] + ",",
                "d2,Beta,a1,u1,new_business,proposal,250.00,EUR,2025-02-01,"
                "2025-01-01T10:00:00Z,2025-01-02T09:30:00Z,87",
            ]
        },
    )

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.drops_loaded == ["2025-01-01", "2025-01-02"]
    assert report.counts.rows_read["deals"] == 4
    assert report.counts.versions_added["deals"] == 3
    stored = connection.execute(
        "select deal_id, deal_name, stage, amount, custom_score, "
        "cast(_extract_date as varchar), _source_file, _source_row "
        "from raw.deals order by _extract_date, _source_row"
    ).fetchall()
    assert stored == [
        (
            "d1",
            "Acme, Inc",
            "qualification",
            "100.00",
            None,
            "2025-01-01",
            "2025-01-01/deals.csv",
            1,
        ),
        ("d2", "Beta", "demo", "200.00", None, "2025-01-01", "2025-01-01/deals.csv", 2),
        ("d2", "Beta", "proposal", "250.00", "87", "2025-01-02", "2025-01-02/deals.csv", 2),
    ]
    modes = connection.execute("select mode from raw._drops order by drop_date").fetchall()
    assert modes == [("full",), ("incremental",)]


def test_loading_the_same_drops_again_changes_nothing(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    load_pending_drops(connection, landing, LOADED_AT)
    before = {entity: raw_rows(connection, entity) for entity in ("users", "accounts", "deals")}

    again = load_pending_drops(connection, landing, datetime(2025, 1, 11))

    assert again.drops_loaded == []
    assert sum(again.counts.versions_added.values()) == 0
    for entity, frame in before.items():
        pd.testing.assert_frame_equal(raw_rows(connection, entity), frame)


def test_a_load_read_a_few_drops_a_scan_stores_what_one_scan_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first load of a long history reads its drops in chunks (LOAD_CHUNK_BYTES);
    versions still compare in drop order across chunks, so raw is the same."""
    landing = tmp_path / "landing"
    generate(landing, seed=3, reps=2, days=12)
    # A last drop re-sends an early drop's deals: those unchanged since match a version
    # stored from another scan, and are not stored again.
    drops = sorted(landing.iterdir())
    resent = landing / (date.fromisoformat(drops[-1].name) + timedelta(days=1)).isoformat()
    resent.mkdir()
    early = next(drop for drop in drops[1:] if (drop / "deals.csv").exists())
    for name in ("deals.csv", "_manifest.json", "_SUCCESS"):
        shutil.copy(early / name, resent / name)
    raw: dict[int, dict[str, pd.DataFrame]] = {}
    for chunk_bytes in (10**12, 1):
        monkeypatch.setattr(load_transaction, "LOAD_CHUNK_BYTES", chunk_bytes)
        with duckdb.connect(str(tmp_path / f"chunks_{chunk_bytes}.duckdb")) as connection:
            report = load_pending_drops(connection, landing, LOADED_AT)
            assert report.rejected is None
            raw[chunk_bytes] = {entity: raw_rows(connection, entity) for entity in RAW_TABLES}

    one_scan, drop_by_drop = raw[10**12], raw[1]
    resent_stored = one_scan["deals"]["_extract_date"].dt.date == date.fromisoformat(resent.name)
    assert 0 < resent_stored.sum() < len(pd.read_csv(resent / "deals.csv"))
    for entity in RAW_TABLES:
        pd.testing.assert_frame_equal(drop_by_drop[entity], one_scan[entity], obj=entity)


def test_incomplete_drop_waits_for_its_success_marker(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    write_drop(landing, "2025-01-02", {"deals.csv": [DEAL_HEADER]}, complete=False)
    (landing / "notes").mkdir()

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.drops_loaded == ["2025-01-01"]


def test_parquet_and_jsonl_drops_load_the_same_rows_as_csv(tmp_path: Path) -> None:
    csv_landing = tmp_path / "csv"
    full_export(csv_landing)
    frames = {}
    for file_format in ("parquet", "jsonl"):
        landing = tmp_path / file_format
        folder = full_export(landing)
        for csv_file in list(folder.glob("*.csv")):
            table = pd.read_csv(csv_file, dtype=str)
            target = csv_file.with_suffix(f".{file_format}")
            if file_format == "parquet":
                table.to_parquet(target, index=False)
            else:
                table.to_json(target, orient="records", lines=True)
            csv_file.unlink()
        frames[file_format] = landing
    columns = ["deal_id", "deal_name", "stage", "amount", "updated_at", "_source_row"]
    with duckdb.connect(str(tmp_path / "csv.duckdb")) as csv_connection:
        load_pending_drops(csv_connection, csv_landing, LOADED_AT)
        expected = raw_rows(csv_connection, "deals")[columns]
    for file_format, landing in frames.items():
        with duckdb.connect(str(tmp_path / f"{file_format}.duckdb")) as other:
            load_pending_drops(other, landing, LOADED_AT)
            pd.testing.assert_frame_equal(raw_rows(other, "deals")[columns], expected)


def test_unknown_entity_file_rejects_the_drop_and_keeps_earlier_drops(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    write_drop(landing, "2025-01-02", {"opportunities.csv": ["id", "1"]})
    write_drop(landing, "2025-01-03", {"deals.csv": [DEAL_HEADER]})

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.drops_loaded == ["2025-01-01"]
    assert report.rejected is not None
    message = str(report.rejected)
    assert "2025-01-02/opportunities.csv" in message
    assert "unknown entity 'opportunities'" in message


def test_full_export_without_deals_is_rejected_by_name(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    folder = full_export(landing)
    (folder / "deals.csv").unlink()

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.drops_loaded == []
    assert str(report.rejected) == (
        "2025-01-01: a full export must contain deals (found: accounts, users)"
    )


def test_a_second_drop_of_a_warehouse_without_manifest_is_incremental(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    load_pending_drops(connection, landing, LOADED_AT)
    write_drop(landing, "2025-01-02", {"deals.csv": [DEAL_HEADER, FIRST_DAY_DEALS[1]]})

    report = load_pending_drops(connection, landing, LOADED_AT)

    assert report.drops_loaded == ["2025-01-02"]
    modes = dict(connection.execute("select drop_date::varchar, mode from raw._drops").fetchall())
    assert modes == {"2025-01-01": "full", "2025-01-02": "incremental"}


def test_a_value_that_changes_back_is_stored_as_a_new_version(
    tmp_path: Path, connection: duckdb.DuckDBPyConnection
) -> None:
    landing = tmp_path / "landing"
    full_export(landing)
    # Quotas carry no updated_at, and this export leaves out the optional quota_type.
    header = "owner_id,period_start,period_end,quota_amount,currency"
    for day, amount in (("2025-01-02", "100000"), ("2025-01-03", "120000")):
        write_drop(landing, day, {"quotas.csv": [header, f"u1,2025-02-01,2025-02-28,{amount},USD"]})
    load_pending_drops(connection, landing, LOADED_AT)
    write_drop(
        landing, "2025-01-04", {"quotas.csv": [header, "u1,2025-02-01,2025-02-28,100000,USD"]}
    )
    write_drop(
        landing, "2025-01-05", {"quotas.csv": [header, "u1,2025-02-01,2025-02-28,100000,USD"]}
    )

    load_pending_drops(connection, landing, LOADED_AT)

    stored = connection.execute(
        "select quota_amount, cast(_extract_date as varchar) from raw.quotas order by _extract_date"
    ).fetchall()
    assert stored == [
        ("100000", "2025-01-02"),
        ("120000", "2025-01-03"),
        ("100000", "2025-01-04"),
    ]


def test_a_column_added_to_a_contract_is_added_to_an_older_raw_table(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    ensure_raw_schema(connection)
    connection.execute("alter table raw.salesforce__opportunity drop column currency_iso_code")
    connection.execute("insert into raw.salesforce__opportunity (id) values ('006A')")

    ensure_raw_schema(connection)

    assert connection.execute(
        "select id, currency_iso_code from raw.salesforce__opportunity"
    ).fetchall() == [("006A", None)]
