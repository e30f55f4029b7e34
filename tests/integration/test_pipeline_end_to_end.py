"""The whole path on a generated sample: drops -> raw -> gate -> dbt -> published marts.

The open and weighted pipeline are recomputed here from the generated CSV files with
pandas, independently of the SQL, and must equal fct_deal_daily_snapshot.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from process_folder import DBT_TARGET_FOLDER, linked

from dagster_project.exit_codes import EXIT_GATE_FAILED, EXIT_PUBLISHED
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.publish.checksums import served_mart_versions
from dagster_project.publish.history import publish_history
from dagster_project.settings import DBT_PROJECT_DIR, Paths, current_paths

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75
CHECK_DATES = (date(2025, 1, 6), date(2025, 2, 14), date(2025, 3, 21))


@pytest.fixture(scope="module")
def published(published_sample: Paths) -> Paths:
    """A copy of the published sample in the session's landing and warehouse folders,
    where `pipehealth run` and `pipehealth status` look by default."""
    paths = current_paths()
    shutil.rmtree(paths.landing, ignore_errors=True)
    shutil.rmtree(paths.warehouse, ignore_errors=True)
    shutil.copytree(published_sample.landing, paths.landing)
    shutil.copytree(published_sample.warehouse, paths.warehouse, symlinks=True)
    return paths


def served(paths: Paths, sql: str, parameters: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(paths.served_database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetch_df()


def deal_versions_from_landing(landing: Path) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob("*/deals.csv"))
    ]
    deals = pd.concat(frames, ignore_index=True)
    deals["updated_at"] = pd.to_datetime(deals["updated_at"], utc=True)
    deals["amount"] = pd.to_numeric(deals["amount"])
    deals["probability"] = pd.to_numeric(deals["probability"])
    return deals


def expected_pipeline_on(deals: pd.DataFrame, day: date) -> tuple[float, float]:
    """Open and weighted pipeline at the end of `day`, in USD, per docs/metrics.md."""
    stages = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "pipeline_stages.csv")
    rates = pd.read_csv(
        DBT_PROJECT_DIR / "seeds" / "currency_rates.csv", parse_dates=["valid_from"]
    )
    end_of_day = pd.Timestamp(day, tz="UTC") + pd.Timedelta(days=1)
    known = deals[deals["updated_at"] < end_of_day]
    latest = known.sort_values(["updated_at", "drop_date"]).groupby("deal_id").tail(1)
    scale = deals.groupby("pipeline")["probability"].max().gt(1).map({True: 100.0, False: 1.0})
    state = latest.merge(stages, on=["pipeline", "stage"], how="left")
    state = state[(~state["is_closed"]) & (state["is_deleted"].fillna("false") != "true")]
    probability = (state["probability"] / state["pipeline"].map(scale)).fillna(
        state["default_probability"]
    )
    into_usd = rates[rates["to_currency"].eq("USD") & (rates["valid_from"] <= pd.Timestamp(day))]
    rate_on_day = into_usd.sort_values("valid_from").groupby("from_currency")["rate"].last()
    rate_on_day["USD"] = 1.0
    amount_usd = state["amount"] * state["currency"].map(rate_on_day)
    return float(amount_usd.sum()), float((amount_usd * probability).sum())


def test_run_publishes_the_marts(published: Paths) -> None:
    counts = served(
        published,
        "select table_name from information_schema.tables where table_schema = 'marts'",
    )
    assert {"snap_deals", "fct_deal_daily_snapshot"} <= set(counts["table_name"])
    assert (published.parquet_dir / "snap_deals.parquet").is_file()
    # The daily snapshot's Parquet is a folder a month, which reads as the mart.
    with duckdb.connect() as reader:
        [(parquet_rows,)] = reader.execute(
            "select count(*) from read_parquet(?, hive_partitioning = true)",
            [str(published.parquet_dir / "fct_deal_daily_snapshot" / "*" / "*.parquet")],
        ).fetchall()
    assert (
        parquet_rows
        == served(published, "select count(*) as rows from marts.fct_deal_daily_snapshot")[
            "rows"
        ].iloc[0]
    )


@pytest.mark.parametrize("day", CHECK_DATES, ids=str)
def test_open_and_weighted_pipeline_match_an_independent_computation(
    published: Paths, day: date
) -> None:
    expected_open, expected_weighted = expected_pipeline_on(
        deal_versions_from_landing(published.landing), day
    )
    actual = served(
        published,
        "select sum(amount) as open_pipeline, sum(weighted_amount) as weighted_pipeline "
        "from marts.fct_deal_daily_snapshot where snapshot_date = ? and is_open",
        [day],
    ).iloc[0]
    assert expected_open > 0
    assert float(actual["open_pipeline"]) == pytest.approx(expected_open, abs=0.01)
    assert float(actual["weighted_pipeline"]) == pytest.approx(expected_weighted, abs=0.01)


def test_snap_deals_holds_every_distinct_version_from_the_drops(published: Paths) -> None:
    """From each deal's first extracted version on; the versions before it are rebuilt
    from field history and checked against a replay in tests/marts."""
    deals = deal_versions_from_landing(published.landing)
    expected = deals.drop_duplicates(["deal_id", "updated_at"]).shape[0]
    first_extracted = (  # noqa: F841 - read by the query below, by name
        deals.groupby("deal_id", as_index=False)["updated_at"].min()
    )
    with duckdb.connect(str(published.served_database), read_only=True) as connection:
        actual = connection.execute(
            "select count(*) from marts.snap_deals as version "
            "join first_extracted using (deal_id) "
            "where version.valid_from >= first_extracted.updated_at"
        ).fetchone()
    assert actual is not None and actual[0] == expected


@dataclass(frozen=True)
class Rerun:
    """What a second run on the published sample's drops printed, and the mart before it."""

    printed: str
    snapshot_before: pd.DataFrame
    raw_deals_before: int


SNAPSHOT_QUERY = (
    "select snapshot_date, deal_id, stage, amount, weighted_amount, is_stalled "
    "from marts.fct_deal_daily_snapshot order by snapshot_date, deal_id"
)


@pytest.fixture(scope="module")
def rerun(published: Paths) -> Rerun:
    """`pipehealth run --verbose` again without new drops, once a row that a run stopped at
    the model gate could have left is in the daily snapshot: a row its test rejects (no
    deal) on the last day, the as-of date every run rebuilds from at the latest. Its run is
    this process's last in Dagster's instance, which `pipehealth status` reports."""
    from dagster_project.run import run_pipeline

    snapshot_before = served(published, SNAPSHOT_QUERY)
    with duckdb.connect(str(published.build_database)) as connection:
        [(raw_deals_before,)] = connection.execute("select count(*) from raw.deals").fetchall()
        connection.execute(
            "update marts.fct_deal_daily_snapshot set deal_id = null "
            "where deal_snapshot_id = ("
            "    select min(deal_snapshot_id) from marts.fct_deal_daily_snapshot"
            "    where snapshot_date = ("
            "        select max(snapshot_date) from marts.fct_deal_daily_snapshot"
            "    )"
            ")"
        )
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert run_pipeline(linked(published), verbose=True) == EXIT_PUBLISHED
    return Rerun(printed.getvalue(), snapshot_before, raw_deals_before)


def test_rerunning_without_new_drops_gives_the_same_marts_and_replaces_rows_left_behind(
    published: Paths, rerun: Rerun
) -> None:
    """A run stopped at the model gate records no build (audit.builds), so the next run
    rebuilds at least the days it did (dagster_project/transform/rebuild_window.py): the
    row such a run left is replaced, tested and published only once right."""
    printed = rerun.printed
    for step in ("load     done", "dbt      done", "publish  done"):
        assert step in printed
    assert "[4/5] publish  done" in printed
    assert "1 of " not in printed  # dbt's own lines go to the run's log file
    # --verbose: a gate line for every raw table, though no drop was loaded.
    for table in RAW_TABLES:
        assert f"[2/5] gate     raw/{table} done in " in printed
    assert "more raw tables" not in printed
    # Its dbt invocations succeeded, so their target folders (named after the run) are gone.
    run_id = printed.split("pipehealth run ", 1)[1].split(":", 1)[0]
    assert list(DBT_TARGET_FOLDER.glob(f"*-{run_id[:7]}-*")) == []
    pd.testing.assert_frame_equal(served(published, SNAPSHOT_QUERY), rerun.snapshot_before)
    with duckdb.connect(str(published.build_database), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.deals").fetchone() == (
            rerun.raw_deals_before,
        )
        without_deal = connection.execute(
            "select count(*) from marts.fct_deal_daily_snapshot where deal_id is null"
        ).fetchone()
        last, before_last = publish_history(connection, limit=2)
    assert without_deal == (0,)
    # Two runs on the same drops: two publishes with identical content checksums.
    assert last.publish_id != before_last.publish_id
    assert last.marts == before_last.marts
    assert len(last.marts) >= 14
    assert last.marts == served_mart_versions(published.served_database)


def test_status_reports_last_run_publish_freshness_and_checks(
    published: Paths, rerun: Rerun, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.cli import main

    assert main(["status"]) == EXIT_PUBLISHED

    printed = capsys.readouterr().out
    assert "Last run: success (run " in printed
    assert "Last publish: " in printed
    snap_deals = served_mart_versions(published.served_database)["snap_deals"]
    assert f"checksum {snap_deals.checksum}" in printed
    last_drop = sorted(published.landing.iterdir())[-1].name
    assert f"  deals                {last_drop} (" in printed
    assert "Failing checks: none" in printed


def test_a_bad_drop_stops_at_the_gate_and_keeps_the_published_marts(
    published: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from dagster_project.run import run_pipeline

    published_before = published.served_database.read_bytes()
    last_drop = sorted(published.landing.iterdir())[-1]
    bad_drop = published.landing / "2099-01-01"
    bad_drop.mkdir()
    deals = pd.read_csv(next(published.landing.glob("*/deals.csv")), dtype=str).head(3)
    deals.loc[1, "amount"] = "12,5O0"
    deals.to_csv(bad_drop / "deals.csv", index=False)
    (bad_drop / "_SUCCESS").touch()
    try:
        assert run_pipeline(linked(published)) == EXIT_GATE_FAILED
    finally:
        shutil.rmtree(bad_drop)

    assert published.served_database.read_bytes() == published_before
    printed = capsys.readouterr()
    # Quiet by default: a line for the one table the drop delivered, one for the rest.
    gate_lines = [line for line in printed.out.splitlines() if line.startswith("[2/5] gate")]
    assert gate_lines == [
        "[2/5] gate     raw/deals FAILED",
        f"[2/5] gate     {len(RAW_TABLES) - 1} more raw tables, not in the drops loaded: done "
        "(--verbose lists them)",
    ]
    message = printed.err
    assert "2099-01-01/deals.csv" in message
    assert "amount" in message
    assert last_drop.is_dir()
    assert os.environ["PIPEHEALTH_WAREHOUSE"] == str(published.warehouse)
