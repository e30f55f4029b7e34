"""Attainment and activity KPIs, recomputed from the generated CSV drops.

A small sample is generated, loaded into raw and built with `dbt build` once per
module. Then, straight from the drops' deals, users, quotas and activities files and
the seeds, pandas recomputes per docs/metrics.md ("Quota and attainment", "Activities"),
independently of the SQL: the attainment of every rep for two fiscal quarters and one
week, and the weekly connect rate and demo no-show rate of three reps. Both must
equal mart_attainment_by_period and mart_activity_kpis.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from test_pipeline import rates_into_usd

from dagster_project.settings import BUILD_DATABASE_NAME

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75
# Q4 2024 is complete history from the first full export; Q1 2025 runs to the as-of
# date; the week of 2025-01-27 crosses the January/February boundary.
CHECKED_PERIODS = [
    ("quarter", pd.Timestamp("2024-10-01"), pd.Timestamp("2025-01-01")),
    ("quarter", pd.Timestamp("2025-01-01"), pd.Timestamp("2025-04-01")),
    ("week", pd.Timestamp("2025-01-27"), pd.Timestamp("2025-02-03")),
]
CHECKED_REPS = 3


def read_mart(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        return connection.execute(sql).fetch_df()


def read_drops(landing: Path, entity: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob(f"*/{entity}.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def as_of_date(landing: Path) -> pd.Timestamp:
    return pd.Timestamp(max(path.parent.name for path in landing.glob("*/_SUCCESS")))


def to_day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True).dt.tz_localize(None).dt.normalize()


def rates_on(currencies: pd.Series, days: pd.Series) -> np.ndarray:
    """The seed rate of each currency in force on each day."""
    rates = rates_into_usd()
    rates["valid_from"] = pd.to_datetime(rates["valid_from"])
    lookup = pd.DataFrame({"currency": currencies.to_numpy(), "day": days.to_numpy()})
    lookup["row"] = np.arange(len(lookup))
    matched = pd.merge_asof(
        lookup.sort_values("day"),
        rates.sort_values("valid_from"),
        left_on="day",
        right_on="valid_from",
        by="currency",
    )
    return matched.sort_values("row")["rate_to_reporting"].to_numpy()


def won_deals(landing: Path) -> pd.DataFrame:
    """Closed-won deals: owner at close (owner of the version entering the final
    stage), close date (closed_at, else that version's time), amount in USD at close."""
    versions = read_drops(landing, "deals").drop(columns="drop_date").drop_duplicates()
    versions["updated_at"] = pd.to_datetime(versions["updated_at"], utc=True)
    versions = versions.sort_values(["deal_id", "updated_at"], kind="stable")
    final_stage = versions.groupby("deal_id")["stage"].transform("last")
    later_other_stages = (
        (versions["stage"] != final_stage)[::-1].groupby(versions["deal_id"][::-1]).cumsum()[::-1]
    )
    closing = versions[later_other_stages == 0].groupby("deal_id").head(1).set_index("deal_id")
    current = versions.groupby("deal_id").tail(1).set_index("deal_id")
    won = current[(current["stage"] == "closed_won") & (current["is_deleted"] != "true")]
    close_day = to_day(won["closed_at"].fillna(closing.loc[won.index, "updated_at"].astype(str)))
    amount = won["amount"].astype(float).fillna(0.0)
    return pd.DataFrame(
        {
            "owner_id": closing.loc[won.index, "owner_id"],
            "close_date": close_day,
            "amount": amount * rates_on(won["currency"], close_day),
        }
    )


def quota_rows(landing: Path) -> pd.DataFrame:
    """Rep quota rows, the latest delivery of each, in USD at period_start's rate."""
    quotas = read_drops(landing, "quotas").sort_values("drop_date")
    quotas = quotas.groupby(["owner_id", "period_start", "period_end"]).tail(1)
    start = pd.to_datetime(quotas["period_start"])
    end_exclusive = pd.to_datetime(quotas["period_end"]) + pd.Timedelta(days=1)
    amount = quotas["quota_amount"].astype(float) * rates_on(quotas["currency"], start)
    return pd.DataFrame(
        {
            "owner_id": quotas["owner_id"].to_numpy(),
            "start": start.to_numpy(),
            "end_exclusive": end_exclusive.to_numpy(),
            "amount": amount.to_numpy(),
        }
    )


def expected_attainment(
    deals: pd.DataFrame, quotas: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Per rep: quota prorated by day overlap, bookings, attainment_pct."""
    overlap_start = quotas["start"].clip(lower=start)
    overlap_end = quotas["end_exclusive"].clip(upper=end)
    overlap_days = (overlap_end - overlap_start).dt.days.clip(lower=0)
    row_days = (quotas["end_exclusive"] - quotas["start"]).dt.days
    prorated = quotas.assign(quota=quotas["amount"] * overlap_days / row_days)[overlap_days > 0]
    quota = prorated.groupby("owner_id")["quota"].sum()
    in_period = deals[(deals["close_date"] >= start) & (deals["close_date"] < end)]
    bookings = in_period.groupby("owner_id")["amount"].sum()
    table = pd.concat([quota, bookings.rename("bookings")], axis=1)
    table["bookings"] = table["bookings"].fillna(0.0)
    table["attainment_pct"] = (table["bookings"] * 100 / table["quota"]).where(table["quota"] > 0)
    return table.sort_index()


def test_rep_attainment_matches_a_pandas_recomputation(sample: tuple[Path, Path]) -> None:
    landing, warehouse = sample
    as_of = as_of_date(landing)
    deals = won_deals(landing)
    deals = deals[deals["close_date"] <= as_of]
    quotas = quota_rows(landing)
    mart = read_mart(
        warehouse,
        "select period_type, period_start, entity_id, quota, bookings, attainment_pct "
        "from marts.mart_attainment_by_period where level = 'rep'",
    )
    mart["period_start"] = pd.to_datetime(mart["period_start"])
    for period_type, start, end in CHECKED_PERIODS:
        expected = expected_attainment(deals, quotas, start, end)
        actual = (
            mart[(mart["period_type"] == period_type) & (mart["period_start"] == start)]
            .set_index("entity_id")[["quota", "bookings", "attainment_pct"]]
            .astype(float)
            .sort_index()
        )
        assert len(expected) >= 5, f"too few reps to compare in {period_type} {start:%F}"
        assert actual.index.tolist() == expected.index.tolist(), f"{period_type} {start:%F}"
        pd.testing.assert_frame_equal(
            actual, expected, check_names=False, check_dtype=False, atol=0.01, rtol=0
        )


def weekly_activity_rates(landing: Path, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per owner and week: connect_rate by completed_at, demo no-show rate by scheduled_at."""
    activities = read_drops(landing, "activities")
    activities["updated_at"] = pd.to_datetime(activities["updated_at"], utc=True)
    activities = activities.sort_values(["updated_at", "drop_date"]).groupby("activity_id").tail(1)
    calls = activities[
        (activities["activity_type"] == "call") & (activities["status"] == "completed")
    ].assign(day=lambda frame: to_day(frame["completed_at"]))
    calls = calls[calls["day"] <= as_of]
    calls = calls.assign(
        week=calls["day"].dt.to_period("W-SUN").dt.start_time,
        connected=(calls["outcome"] == "connected").astype(int),
    )
    connect = calls.groupby(["owner_id", "week"])["connected"].mean().rename("connect_rate")
    demos = activities[activities["activity_type"] == "demo"].assign(
        day=lambda frame: to_day(frame["scheduled_at"])
    )
    demos = demos[(demos["day"] <= as_of) & demos["status"].isin(["completed", "no_show"])]
    demos = demos.assign(
        week=demos["day"].dt.to_period("W-SUN").dt.start_time,
        no_show=(demos["status"] == "no_show").astype(int),
    )
    no_show = demos.groupby(["owner_id", "week"])["no_show"].mean().rename("demo_no_show_rate")
    return pd.concat([connect, no_show], axis=1)


def test_connect_and_demo_no_show_rates_match_a_pandas_recomputation(
    sample: tuple[Path, Path],
) -> None:
    landing, warehouse = sample
    expected = weekly_activity_rates(landing, as_of_date(landing))
    reps = sorted(expected.dropna().index.get_level_values("owner_id").unique())[:CHECKED_REPS]
    assert len(reps) == CHECKED_REPS
    mart = read_mart(
        warehouse,
        "select owner_id, period_start as week, activity_type, connect_rate, demo_no_show_rate "
        "from marts.mart_activity_kpis "
        "where period_type = 'week' and activity_type in ('call', 'demo')",
    )
    mart["week"] = pd.to_datetime(mart["week"])
    mart = mart[mart["owner_id"].isin(reps)]
    actual = pd.concat(
        [
            mart[mart["activity_type"] == "call"]
            .set_index(["owner_id", "week"])["connect_rate"]
            .dropna(),
            mart[mart["activity_type"] == "demo"]
            .set_index(["owner_id", "week"])["demo_no_show_rate"]
            .dropna(),
        ],
        axis=1,
    ).astype(float)
    expected = expected.loc[expected.index.get_level_values("owner_id").isin(reps)]
    assert expected["demo_no_show_rate"].gt(0).any(), "no no-show to compare"
    pd.testing.assert_frame_equal(
        actual.sort_index(), expected.sort_index(), check_names=False, atol=1e-6, rtol=0
    )
