"""mart_pipeline_health on the as-of date, recomputed from the generated drops.

The conftest's session sample (8 reps, 75 days, built by dbt) is read back here with
pandas straight from the drops' deals and activities files, per docs/metrics.md and
independently of the SQL: each deal's state at the end of the as-of day is its last
version; open pipeline and stalled deals are read off those states, credited to the
owner on the as-of day; the trailing win rate counts deals closed in the
velocity_window_days ending on the as-of day, credited to the owner at close.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_pipeline import rates_into_usd, with_rate_on

from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75
AS_OF = pd.Timestamp(SAMPLE_START) + pd.Timedelta(days=SAMPLE_DAYS - 1)
STALLED_AFTER_DAYS = 14
VELOCITY_WINDOW_DAYS = 90
CHECKED_REPS = 2


def read_drops(landing: Path, entity: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob(f"*/{entity}.csv"))
    ]
    rows = pd.concat(frames, ignore_index=True)
    rows["updated_at"] = pd.to_datetime(rows["updated_at"], utc=True)
    return rows.sort_values(["updated_at", "drop_date"])


def utc_day(timestamps: pd.Series) -> pd.Series:
    return pd.to_datetime(timestamps, utc=True).dt.tz_convert(None).dt.normalize()


def deal_versions(landing: Path) -> pd.DataFrame:
    """Every distinct deal version in order, with the time it entered its stage."""
    deals = read_drops(landing, "deals").drop_duplicates(["deal_id", "updated_at"], keep="last")
    deals["amount"] = pd.to_numeric(deals["amount"]).fillna(0)
    deals["is_deleted"] = deals["is_deleted"].fillna("false").str.lower().eq("true")
    deals = deals.merge(
        pd.read_csv(DBT_PROJECT_DIR / "seeds" / "pipeline_stages.csv"),
        on=["pipeline", "stage"],
        how="left",
    ).sort_values(["deal_id", "updated_at"])
    # A stage run starts whenever the stage differs from the previous version's.
    stage_run = (deals["stage"] != deals.groupby("deal_id")["stage"].shift(1)).cumsum()
    deals["stage_entered_at"] = deals.groupby(stage_run)["updated_at"].transform("min")
    deals["is_stage_entry"] = deals["stage_entered_at"].eq(deals["updated_at"])
    return deals


def usd_rate_on(currencies: pd.Series, day: pd.Timestamp) -> pd.Series:
    rates = rates_into_usd()
    rates = rates[pd.to_datetime(rates["valid_from"]) <= day]
    in_force = rates.sort_values("valid_from").groupby("currency")["rate_to_reporting"].last()
    return currencies.map(in_force)


def last_activity_days(landing: Path) -> pd.Series:
    """Per deal, the day of its last completed activity up to the as-of day."""
    activities = read_drops(landing, "activities").drop_duplicates("activity_id", keep="last")
    completed = activities[activities["status"].eq("completed") & activities["deal_id"].notna()]
    completed_days = utc_day(completed["completed_at"])
    return completed_days[completed_days <= AS_OF].groupby(completed["deal_id"]).max()


def open_deals_on_as_of(landing: Path, versions: pd.DataFrame) -> pd.DataFrame:
    """The deals open at the end of the as-of day, with amount in USD and is_stalled."""
    states = versions.groupby("deal_id").tail(1)
    is_closed = states["is_closed"].astype("boolean").fillna(True).astype(bool)
    open_deals = states[~is_closed & ~states["is_deleted"]].copy()
    open_deals["amount_usd"] = open_deals["amount"] * usd_rate_on(open_deals["currency"], AS_OF)
    last_touch = pd.concat(
        [
            utc_day(open_deals["stage_entered_at"]),
            open_deals["deal_id"].map(last_activity_days(landing)),
        ],
        axis=1,
    ).max(axis=1)
    open_deals["is_stalled"] = (AS_OF - last_touch).dt.days >= STALLED_AFTER_DAYS
    return open_deals


def closes_in_trailing_window(versions: pd.DataFrame) -> pd.DataFrame:
    """Deals closed now, by close date in the trailing window, with the owner at close."""
    current = versions.groupby("deal_id").tail(1)
    is_closed = current["is_closed"].astype("boolean").fillna(False).astype(bool)
    closed = current[is_closed & ~current["is_deleted"]].copy()
    closed["close_day"] = utc_day(closed["closed_at"]).fillna(utc_day(closed["stage_entered_at"]))
    entries = versions[versions["is_stage_entry"]].groupby("deal_id").tail(1)
    closed["owner_at_close"] = closed["deal_id"].map(entries.set_index("deal_id")["owner_id"])
    closed["is_won"] = closed["is_won"].astype("boolean").astype(bool)
    window_start = AS_OF - pd.Timedelta(days=VELOCITY_WINDOW_DAYS - 1)
    return closed[closed["close_day"].between(window_start, AS_OF)]


def mart_rows_on_as_of(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        return connection.execute(
            "select level, entity_id, open_pipeline, stalled_deals, win_rate, "
            "win_rate_by_value, avg_deal_size, avg_sales_cycle_days "
            "from marts.mart_pipeline_health where as_of_date = ?",
            [AS_OF.date()],
        ).fetch_df()


def outcome_figures(closes: pd.DataFrame) -> dict[str, float]:
    """docs/metrics.md "Outcomes" over `closes`: amounts at close in USD at the close day's rate."""
    rated = closes.assign(rate_to_reporting=with_rate_on(closes, "close_day"))
    amount = rated["amount"] * rated["rate_to_reporting"]
    won = rated["is_won"]
    cycle_days = (rated["close_day"] - utc_day(rated["created_at"])).dt.days
    return {
        "win_rate_by_value": amount[won].sum() / amount.sum(),
        "avg_deal_size": amount[won].mean(),
        "avg_sales_cycle_days": cycle_days[won].mean(),
    }


def test_open_pipeline_stalled_deals_and_win_rate_match_an_independent_computation(
    sample: tuple[Path, Path],
) -> None:
    landing, warehouse = sample
    versions = deal_versions(landing)
    open_deals = open_deals_on_as_of(landing, versions)
    closes = closes_in_trailing_window(versions)
    mart = mart_rows_on_as_of(warehouse).set_index(["level", "entity_id"])

    # The two reps with the most closes in the window, so their win rates say something.
    busiest_reps = closes["owner_at_close"].value_counts().index[:CHECKED_REPS]
    entities = [("company", "company", open_deals, closes)] + [
        (
            "rep",
            rep,
            open_deals[open_deals["owner_id"].eq(rep)],
            closes[closes["owner_at_close"].eq(rep)],
        )
        for rep in busiest_reps
    ]
    for level, entity_id, entity_open, entity_closes in entities:
        row = mart.loc[(level, entity_id)]
        assert float(row["open_pipeline"]) == pytest.approx(
            entity_open["amount_usd"].sum(), abs=0.01
        )
        assert int(row["stalled_deals"]) == int(entity_open["is_stalled"].sum())
        assert float(row["win_rate"]) == pytest.approx(entity_closes["is_won"].mean(), abs=1e-6)

    # Guard against a vacuous comparison: the sample has pipeline, stalls and a mixed record.
    company = mart.loc[("company", "company")]
    assert float(company["open_pipeline"]) > 0 and int(company["stalled_deals"]) > 0
    assert 0 < float(company["win_rate"]) < 1
    assert len(busiest_reps) == CHECKED_REPS


def test_outcome_figures_match_an_independent_computation_to_the_cent(
    sample: tuple[Path, Path],
) -> None:
    """Win rate by value, average deal size (to the cent) and sales cycle, trailing window."""
    landing, warehouse = sample
    closes = closes_in_trailing_window(deal_versions(landing))
    mart = mart_rows_on_as_of(warehouse).set_index(["level", "entity_id"])
    busiest_reps = closes["owner_at_close"].value_counts().index[:CHECKED_REPS]
    entities = [("company", "company", closes)] + [
        ("rep", rep, closes[closes["owner_at_close"].eq(rep)]) for rep in busiest_reps
    ]
    for level, entity_id, entity_closes in entities:
        expected = outcome_figures(entity_closes)
        row = mart.loc[(level, entity_id)]
        assert float(row["avg_deal_size"]) == pytest.approx(expected["avg_deal_size"], abs=0.005)
        # numeric(28,6): the mart keeps six decimals of the ratios.
        assert float(row["win_rate_by_value"]) == pytest.approx(
            expected["win_rate_by_value"], abs=1e-6
        )
        assert float(row["avg_sales_cycle_days"]) == pytest.approx(
            expected["avg_sales_cycle_days"], abs=1e-6
        )
        assert expected["avg_deal_size"] > 0 and 0 < expected["win_rate_by_value"] < 1
