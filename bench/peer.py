"""The peer: what an analyst would write in pandas instead of pipehealth, for three marts.

Straight from the landing CSV drops and the seeds, per docs/metrics.md: the daily deal
snapshot (fct_deal_daily_snapshot, with the figures docs/metrics.md lists for it: owner,
stage, amounts, probability, expected close date, days in stage, last completed
activity, stalled), monthly rep attainment (mart_attainment_by_period, period_type
month, level rep) and stage conversion (mart_stage_conversion). The results are then
asserted equal to the marts of the built warehouse (amounts within a cent, rates
within 1e-6), so the benchmark compares equal work. Prints the seconds of the pandas
computation (reading the drops included) as JSON.

    python bench/peer.py LANDING BUILD_DATABASE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS = REPO_ROOT / "dbt" / "seeds"
MONEY_TOLERANCE = 0.01
RATE_TOLERANCE = 1e-6
TRACKED_FIELDS = ["stage", "amount", "probability", "expected_close_date", "owner_id", "currency"]
# dbt_project.yml's default of the var stalled_after_days (docs/metrics.md "stalled deal").
STALLED_AFTER_DAYS = 14
# The figures docs/metrics.md lists for the daily snapshot, and its key.
SNAPSHOT_COLUMNS = [
    "deal_id",
    "snapshot_date",
    "owner_id",
    "stage",
    "is_open",
    "amount",
    "probability",
    "weighted_amount",
    "expected_close_date",
    "days_in_stage",
    "last_activity_date",
    "is_stalled",
]
# Compared as text, not as numbers.
EXACT_COLUMNS = ("owner_id", "stage", "is_open", "is_stalled")
DATE_COLUMNS = ("expected_close_date", "last_activity_date")


def read_drops(landing: Path, entity: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob(f"*/{entity}.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def as_of_date(landing: Path) -> pd.Timestamp:
    return pd.Timestamp(max(path.parent.name for path in landing.glob("*/_SUCCESS")))


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv")


def rates_on(currencies: pd.Series, days: pd.Series) -> np.ndarray:
    """The seed rate of each currency in force on each day."""
    rates = seed("currency_rates")
    usd = pd.DataFrame({"from_currency": ["USD"], "rate": [1.0], "valid_from": ["1900-01-01"]})
    rates = pd.concat([rates[rates["to_currency"].eq("USD")], usd], ignore_index=True)
    rates = rates.rename(columns={"from_currency": "currency", "rate": "rate_to_reporting"})
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


def deal_versions(landing: Path) -> pd.DataFrame:
    """Every extracted deal version, plus those rebuilt from history before the first."""
    deals = read_drops(landing, "deals")
    deals["updated_at"] = pd.to_datetime(deals["updated_at"], utc=True)
    # The same version delivered again in a later drop: the later delivery wins.
    deals = deals.sort_values("drop_date").drop_duplicates(["deal_id", "updated_at"], keep="last")
    deals["amount"] = pd.to_numeric(deals["amount"])
    deals["probability"] = pd.to_numeric(deals["probability"])
    deals["is_deleted"] = deals["is_deleted"].fillna("false").str.lower().eq("true")
    deals["closed_at"] = pd.to_datetime(deals["closed_at"], utc=True)
    deals = pd.concat([deals, rebuilt_from_history(landing, deals)], ignore_index=True)
    deals["updated_day"] = deals["updated_at"].dt.tz_convert(None).dt.normalize()
    return deals


def deal_days(last_per_day: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each deal's days from its first version to the as-of date, or to its last version's
    day when that version closed it (a closed deal has no rows after its closing day).
    A deals x all-days grid instead needs over 17 GB at scale M."""
    stages = seed("pipeline_stages")[["pipeline", "stage", "is_closed"]]
    last = (
        last_per_day.groupby("deal_id").tail(1).merge(stages, on=["pipeline", "stage"], how="left")
    )
    last_is_closed = last["is_closed"].astype("boolean").fillna(False).astype(bool).to_numpy()
    last = last.set_index("deal_id")
    first_day = last_per_day.groupby("deal_id")["updated_day"].min().reindex(last.index)
    end_day = last["updated_day"].where(last_is_closed, as_of)
    lengths = ((end_day - first_day).dt.days + 1).clip(lower=1).to_numpy()
    # Day k of a deal's run: its position in the repeated rows minus where its run starts.
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame(
        {
            "deal_id": np.repeat(last.index.to_numpy(), lengths),
            "snapshot_date": np.repeat(first_day.to_numpy(), lengths)
            + pd.to_timedelta(offsets, unit="D").to_numpy(),
        }
    )


def rebuilt_from_history(landing: Path, deals: pd.DataFrame) -> pd.DataFrame:
    """Versions before each deal's first extracted one, replayed from its field history.

    A version starts at creation and at every change before the first extract; a tracked
    field holds its last change so far, else the old value of its next change, else the
    first extract's value, as does every untracked field. Never deleted.
    """
    first = deals.sort_values(["updated_at", "drop_date"]).groupby("deal_id").head(1)
    history = read_drops(landing, "deal_field_history").drop_duplicates(
        ["deal_id", "field", "old_value", "new_value", "changed_at"]
    )
    history["changed_at"] = pd.to_datetime(history["changed_at"], utc=True)
    history = history[history["field"].isin(TRACKED_FIELDS)].merge(
        first[["deal_id", "updated_at", "created_at"]], on="deal_id"
    )
    history = history[history["changed_at"] < history["updated_at"]]
    created = history.drop_duplicates("deal_id").assign(
        changed_at=lambda frame: pd.to_datetime(frame["created_at"], utc=True)
    )
    created = created[created["changed_at"] < created["updated_at"]]
    starts = pd.concat([history, created])[["deal_id", "changed_at"]].drop_duplicates()
    pairs = starts.rename(columns={"changed_at": "start"}).merge(history, on="deal_id")
    is_before = pairs["changed_at"] <= pairs["start"]
    pairs["value"] = pairs["new_value"].where(is_before, pairs["old_value"])
    # Closest first: the latest change at or before the start, then the first after it.
    pairs["distance"] = (pairs["changed_at"] - pairs["start"]).abs()
    closest = pairs.assign(after=~is_before).sort_values(
        ["deal_id", "start", "field", "after", "distance"]
    )
    closest = closest.drop_duplicates(["deal_id", "start", "field"])
    values = closest.pivot(index=["deal_id", "start"], columns="field", values="value")
    values = values.reindex(columns=TRACKED_FIELDS).reset_index()
    rebuilt = values.merge(first.drop(columns=TRACKED_FIELDS), on="deal_id")
    first_values = first.set_index("deal_id")
    for field in TRACKED_FIELDS:
        rebuilt[field] = rebuilt[field].fillna(rebuilt["deal_id"].map(first_values[field]))
    rebuilt["amount"] = pd.to_numeric(rebuilt["amount"])
    rebuilt["probability"] = pd.to_numeric(rebuilt["probability"])
    return rebuilt.assign(updated_at=rebuilt["start"], is_deleted=False).drop(columns="start")


def with_stage_entries(versions: pd.DataFrame) -> pd.DataFrame:
    """When each version's deal entered its stage: the first version of its run of
    consecutive versions in that stage (a return to an earlier stage enters it again)."""
    versions = versions.sort_values(["deal_id", "updated_at", "drop_date"], kind="stable")
    by_deal = versions.groupby("deal_id")
    new_run = versions["stage"].ne(by_deal["stage"].shift(1))
    run = new_run.astype(int).groupby(versions["deal_id"]).cumsum()
    entered_at = versions.groupby([versions["deal_id"], run])["updated_at"].transform("min")
    entered_at = entered_at.dt.tz_convert(None)
    return versions.assign(stage_entered_at=entered_at, stage_entered_day=entered_at.dt.normalize())


def completed_activity_days(landing: Path) -> pd.DataFrame:
    """Each deal's days with a completed activity, from each activity's latest version."""
    activities = read_drops(landing, "activities")
    activities["updated_at"] = pd.to_datetime(activities["updated_at"], utc=True)
    activities = activities.sort_values(["updated_at", "drop_date"], kind="stable")
    current = activities.drop_duplicates("activity_id", keep="last")
    current = current[current["status"].eq("completed") & current["deal_id"].notna()].dropna(
        subset=["completed_at"]
    )
    completed_at = pd.to_datetime(current["completed_at"], utc=True)
    days = pd.DataFrame(
        {
            "deal_id": current["deal_id"].to_numpy(),
            "activity_date": completed_at.dt.tz_convert(None).dt.normalize().to_numpy(),
        }
    )
    return days.drop_duplicates()


def daily_snapshot(
    versions: pd.DataFrame, activity_days: pd.DataFrame, as_of: pd.Timestamp, stalled_after: int
) -> pd.DataFrame:
    """One row per deal per day open, plus its closing day: the day's last version, its
    days in stage, last completed activity and whether it is stalled."""
    last_per_day = (
        with_stage_entries(versions)
        .sort_values(["updated_at", "drop_date"])
        .groupby(["deal_id", "updated_day"])
        .tail(1)
    )
    grid = deal_days(last_per_day, as_of)
    states = pd.merge_asof(
        grid.sort_values("snapshot_date"),
        last_per_day.sort_values("updated_day"),
        left_on="snapshot_date",
        right_on="updated_day",
        by="deal_id",
    )
    states = states.merge(seed("pipeline_stages"), on=["pipeline", "stage"], how="left")
    states = states.sort_values(["deal_id", "snapshot_date"]).reset_index(drop=True)
    stage_day_before = states.groupby("deal_id")["stage"].shift(1)
    known = states["stage"].notna() & ~states["is_deleted"].astype("boolean").fillna(True)
    is_closed = states["is_closed"].astype("boolean").fillna(False).astype(bool)
    closing_today = known & is_closed & (stage_day_before != states["stage"])
    states = states[(known & ~is_closed) | closing_today].copy()
    states["is_open"] = ~states["is_closed"].astype("boolean").fillna(False).astype(bool)
    states["amount"] = states["amount"].fillna(0) * rates_on(
        states["currency"], states["snapshot_date"]
    )
    scale = versions.groupby("pipeline")["probability"].max().gt(1).map({True: 100, False: 1})
    states["probability"] = (states["probability"] / states["pipeline"].map(scale)).fillna(
        states["default_probability"]
    )
    states["weighted_amount"] = (states["amount"] * states["probability"]).where(states["is_open"])
    # In days with fractions, to the end of the snapshot day (midnight UTC after it).
    day_end = states["snapshot_date"] + pd.Timedelta(days=1)
    states["days_in_stage"] = (day_end - states["stage_entered_at"]).dt.total_seconds() / 86400
    states = pd.merge_asof(
        states.sort_values("snapshot_date"),
        activity_days.sort_values("activity_date"),
        left_on="snapshot_date",
        right_on="activity_date",
        by="deal_id",
    ).rename(columns={"activity_date": "last_activity_date"})
    last_touch = states["last_activity_date"].where(
        states["last_activity_date"] > states["stage_entered_day"], states["stage_entered_day"]
    )
    states["is_stalled"] = states["is_open"] & (
        (states["snapshot_date"] - last_touch).dt.days >= stalled_after
    )
    return states[SNAPSHOT_COLUMNS].reset_index(drop=True)


def won_deals(versions: pd.DataFrame) -> pd.DataFrame:
    """Closed-won deals: owner at close (owner of the version entering the final
    stage), close date (closed_at, else that version's time), amount in USD at close."""
    versions = versions.sort_values(["deal_id", "updated_at"], kind="stable")
    final_stage = versions.groupby("deal_id")["stage"].transform("last")
    later_other_stages = (
        (versions["stage"] != final_stage)[::-1].groupby(versions["deal_id"][::-1]).cumsum()[::-1]
    )
    closing = versions[later_other_stages == 0].groupby("deal_id").head(1).set_index("deal_id")
    current = versions.groupby("deal_id").tail(1).set_index("deal_id")
    won = current[(current["stage"] == "closed_won") & ~current["is_deleted"]]
    closed_at = won["closed_at"].fillna(closing.loc[won.index, "updated_at"])
    close_day = closed_at.dt.tz_convert(None).dt.normalize()
    amount = won["amount"].fillna(0.0)
    return pd.DataFrame(
        {
            "owner_id": closing.loc[won.index, "owner_id"],
            "close_date": close_day,
            "amount": amount * rates_on(won["currency"], close_day),
        }
    )


def monthly_rep_attainment(
    landing: Path, versions: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Per rep and month: quota prorated by day overlap, bookings, attainment_pct."""
    quotas = read_drops(landing, "quotas").sort_values("drop_date")
    quotas = quotas.groupby(["owner_id", "period_start", "period_end"]).tail(1)
    start = pd.to_datetime(quotas["period_start"])
    end_exclusive = pd.to_datetime(quotas["period_end"]) + pd.Timedelta(days=1)
    quotas = pd.DataFrame(
        {
            "owner_id": quotas["owner_id"].to_numpy(),
            "start": start.to_numpy(),
            "end_exclusive": end_exclusive.to_numpy(),
            "amount": (quotas["quota_amount"].astype(float) * rates_on(quotas["currency"], start)),
        }
    )
    months = pd.DataFrame({"period_start": pd.date_range(quotas["start"].min(), as_of, freq="MS")})
    months["period_end"] = months["period_start"] + pd.offsets.MonthBegin(1)
    pairs = quotas.merge(months, how="cross")
    overlap_days = (
        pairs["end_exclusive"].clip(upper=pairs["period_end"])
        - pairs["start"].clip(lower=pairs["period_start"])
    ).dt.days
    row_days = (pairs["end_exclusive"] - pairs["start"]).dt.days
    pairs["quota"] = pairs["amount"] * overlap_days / row_days
    quota = pairs[overlap_days > 0].groupby(["owner_id", "period_start"])["quota"].sum()

    deals = won_deals(versions)
    deals = deals[deals["close_date"] <= as_of]
    deals["period_start"] = deals["close_date"].dt.to_period("M").dt.to_timestamp()
    bookings = deals.groupby(["owner_id", "period_start"])["amount"].sum().rename("bookings")
    # A rep without a quota row in the month has no quota (null), not a quota of 0.
    table = pd.concat([quota, bookings], axis=1)
    table["bookings"] = table["bookings"].fillna(0.0)
    table["attainment_pct"] = (table["bookings"] * 100 / table["quota"]).where(table["quota"] > 0)
    return table.reset_index()


def stage_conversion(landing: Path, versions: pd.DataFrame) -> pd.DataFrame:
    """Per pipeline, open stage and creation month of the deals, from field history."""
    stages = seed("pipeline_stages")
    current = versions.sort_values(["updated_at", "drop_date"]).groupby("deal_id").tail(1)
    current = current[~current["is_deleted"]].merge(stages, on=["pipeline", "stage"], how="left")
    created = pd.to_datetime(current["created_at"], utc=True).dt.tz_convert(None)
    current["cohort_month"] = created.dt.to_period("M").dt.to_timestamp()
    current["is_won"] = current["is_won"].astype("boolean").fillna(False).astype(bool)

    history = read_drops(landing, "deal_field_history")
    history = history[history["field"] == "stage"]
    history = history.drop_duplicates(["deal_id", "old_value", "new_value", "changed_at"])
    history["entered_at"] = pd.to_datetime(history["changed_at"], utc=True)
    entries = history.sort_values(["deal_id", "entered_at"])
    exited_at = entries.groupby("deal_id")["entered_at"].shift(-1)
    entries = entries.assign(
        stage=entries["new_value"],
        days_in_stage=(exited_at - entries["entered_at"]).dt.total_seconds() / 86400,
    ).merge(current[["deal_id", "pipeline", "cohort_month"]], on="deal_id")
    entries = entries.merge(stages, on=["pipeline", "stage"])
    open_entries = entries[~entries["is_closed"].astype(bool)]
    furthest = open_entries.groupby("deal_id")["stage_order"].max()
    current["furthest"] = current["deal_id"].map(furthest).fillna(0)

    open_stages = stages[~stages["is_closed"].astype(bool)].sort_values(["pipeline", "stage_order"])
    open_stages["next_order"] = open_stages.groupby("pipeline")["stage_order"].shift(-1)
    rows = current.merge(
        open_stages[["pipeline", "stage", "stage_order", "next_order"]], on="pipeline"
    )
    rows["reached"] = rows["is_won"] | (rows["furthest"] >= rows["stage_order_y"])
    rows["advanced"] = rows["is_won"] | (
        rows["next_order"].notna() & (rows["furthest"] >= rows["next_order"])
    )
    keys = ["pipeline", "stage_y", "cohort_month"]
    table = rows.groupby(keys).agg(
        deals_in_cohort=("deal_id", "size"),
        deals_reached=("reached", "sum"),
        deals_advanced=("advanced", "sum"),
        deals_won=("is_won", "sum"),
    )
    table.index = table.index.set_names(["pipeline", "stage", "cohort_month"])
    medians = open_entries.groupby(["pipeline", "stage", "cohort_month"])["days_in_stage"].median()
    table["median_days_in_stage"] = medians.reindex(table.index)
    return table.reset_index()


def read_marts(database: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            "snapshot": connection.execute(
                f"select {', '.join(SNAPSHOT_COLUMNS)} from marts.fct_deal_daily_snapshot"
            ).fetch_df(),
            "attainment": connection.execute(
                "select entity_id as owner_id, period_start, quota, bookings, attainment_pct "
                "from marts.mart_attainment_by_period "
                "where level = 'rep' and period_type = 'month' and (quota > 0 or bookings > 0)"
            ).fetch_df(),
            "conversion": connection.execute(
                "select pipeline, stage, cohort_month, deals_in_cohort, deals_reached, "
                "deals_advanced, deals_won, median_days_in_stage from marts.mart_stage_conversion"
            ).fetch_df(),
        }


def assert_equal(name: str, peer: pd.DataFrame, mart: pd.DataFrame, keys: list[str]) -> None:
    """Same keys, same values: numbers within a cent (money) or 1e-6 (counts, days)."""
    for frame in (peer, mart):
        for key in keys:
            if "date" in key or "month" in key or key == "period_start":
                frame[key] = pd.to_datetime(frame[key])
    peer = peer.set_index(keys).sort_index()
    mart = mart.set_index(keys).sort_index()[peer.columns]
    assert len(peer) == len(mart), f"{name}: {len(peer)} rows in pandas, {len(mart)} in the mart"
    assert peer.index.equals(mart.index), f"{name}: different keys"
    for column in peer.columns:
        left, right = peer[column], mart[column]
        if column in EXACT_COLUMNS:
            assert (left.astype(str) == right.astype(str)).all(), f"{name}.{column}"
            continue
        if column in DATE_COLUMNS:
            left_days, right_days = pd.to_datetime(left), pd.to_datetime(right)
            same = (left_days == right_days) | (left_days.isna() & right_days.isna())
            assert same.all(), f"{name}.{column}"
            continue
        tolerance = (
            MONEY_TOLERANCE
            if "amount" in column or column in ("quota", "bookings")
            else RATE_TOLERANCE
        )
        pd.testing.assert_series_equal(
            left.astype(float),
            right.astype(float),
            check_names=False,
            atol=tolerance,
            rtol=0,
            obj=f"{name}.{column}",
        )


def compare_with_marts(landing: Path, database: Path) -> dict[str, object]:
    """Compute the three marts in pandas, time it, and assert them equal to the built marts."""
    started = time.perf_counter()
    as_of = as_of_date(landing)
    versions = deal_versions(landing)
    peer = {
        "snapshot": daily_snapshot(
            versions, completed_activity_days(landing), as_of, STALLED_AFTER_DAYS
        ),
        "attainment": monthly_rep_attainment(landing, versions, as_of),
        "conversion": stage_conversion(landing, versions),
    }
    peer_seconds = time.perf_counter() - started
    marts = read_marts(database)
    assert_equal(
        "fct_deal_daily_snapshot",
        peer["snapshot"],
        marts["snapshot"],
        ["deal_id", "snapshot_date"],
    )
    assert_equal(
        "monthly rep attainment",
        peer["attainment"],
        marts["attainment"],
        ["owner_id", "period_start"],
    )
    assert_equal(
        "mart_stage_conversion",
        peer["conversion"],
        marts["conversion"],
        ["pipeline", "stage", "cohort_month"],
    )
    rows = {name: len(frame) for name, frame in peer.items()}
    return {"peer_seconds": peer_seconds, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(compare_with_marts(Path(sys.argv[1]), Path(sys.argv[2]))))
