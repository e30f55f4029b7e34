"""Pipeline waterfall, deal changes, forecast, top deals and deal outcomes, recomputed
from the generated drops.

A small sample is generated, loaded into raw and built with `dbt build` once per
module. The company's month waterfall, the company's top open deals and the top won
deals are then recomputed here with pandas straight from the drops' deals files, per
docs/metrics.md, independently of the SQL: the end-of-day state of every deal on every day
is taken as its last version written on or before that day (`merge_asof` over a dense
deal x day grid), and the waterfall is read off consecutive days of that grid. Days
before a deal's first extract come from its field history (deal_history.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from deal_history import versions_before_first_extract

from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75
AS_OF = pd.Timestamp(SAMPLE_START) + pd.Timedelta(days=SAMPLE_DAYS - 1)
OPEN_FORECAST_CATEGORIES = ("omitted", "pipeline", "best_case", "commit")
CHECKED_MONTHS = (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01"))
CHECKED_QUARTERS = (pd.Timestamp("2024-10-01"), pd.Timestamp("2025-01-01"))
WATERFALL_COLUMNS = (
    "opening",
    "created",
    "increased",
    "decreased",
    "won",
    "lost",
    "removed",
    "slipped",
    "slipped_deals",
    "closing",
)


@pytest.fixture(scope="module")
def deal_days(sample: tuple[Path, Path]) -> pd.DataFrame:
    landing, _ = sample
    return end_of_day_states(deal_versions(landing))


def read_mart(warehouse: Path, sql: str, parameters: list[object]) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        return connection.execute(sql, parameters).fetch_df()


def deal_versions(landing: Path) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob("*/deals.csv"))
    ]
    deals = pd.concat(frames, ignore_index=True)
    deals["updated_at"] = pd.to_datetime(deals["updated_at"], utc=True)
    # The same version delivered again in a later drop: the later delivery wins.
    deals = deals.sort_values("drop_date").drop_duplicates(["deal_id", "updated_at"], keep="last")
    deals = pd.concat([deals, versions_before_first_extract(landing, deals)], ignore_index=True)
    deals["amount"] = pd.to_numeric(deals["amount"])
    deals["probability"] = pd.to_numeric(deals["probability"])
    deals["is_deleted"] = deals["is_deleted"].fillna("false").str.lower().eq("true")
    deals["expected_close_date"] = pd.to_datetime(deals["expected_close_date"])
    deals["closed_at"] = pd.to_datetime(deals["closed_at"], utc=True)
    deals["updated_day"] = deals["updated_at"].dt.tz_convert(None).dt.normalize()
    return deals


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(DBT_PROJECT_DIR / "seeds" / f"{name}.csv")


def rates_into_usd() -> pd.DataFrame:
    """The seed's rates into USD, the reporting currency (USD itself is 1 on every day)."""
    rates = seed("currency_rates")
    usd = pd.DataFrame({"from_currency": ["USD"], "rate": [1.0], "valid_from": ["1900-01-01"]})
    rates = pd.concat([rates[rates["to_currency"].eq("USD")], usd], ignore_index=True)
    return rates.rename(columns={"from_currency": "currency", "rate": "rate_to_reporting"})


def with_rate_on(frame: pd.DataFrame, day_column: str) -> pd.Series:
    """The currency rate in force on each row's day, aligned with `frame`'s index."""
    rates = rates_into_usd()
    rates["valid_from"] = pd.to_datetime(rates["valid_from"])
    rated = pd.merge_asof(
        frame[[day_column, "currency"]].reset_index().sort_values(day_column),
        rates.sort_values("valid_from"),
        left_on=day_column,
        right_on="valid_from",
        by="currency",
        direction="backward",
    )
    return rated.set_index("index")["rate_to_reporting"].reindex(frame.index)


def end_of_day_states(versions: pd.DataFrame) -> pd.DataFrame:
    """One row per deal per day: its last version written on or before the day.

    status is 'open', 'won' or 'lost' on the closing day (the day it entered its closed
    stage), and null when the deal is not in the pipeline (closed earlier, deleted, or
    not known yet). amount is in USD at the day's rate, a null amount counting as 0.
    """
    last_per_day = (
        versions.sort_values(["updated_at", "drop_date"])
        .groupby(["deal_id", "updated_day"])
        .tail(1)
    )
    days = pd.date_range(last_per_day["updated_day"].min(), AS_OF, freq="D")
    grid = pd.MultiIndex.from_product(
        [last_per_day["deal_id"].unique(), days], names=["deal_id", "day"]
    ).to_frame(index=False)
    states = pd.merge_asof(
        grid.sort_values("day"),
        last_per_day.sort_values("updated_day"),
        left_on="day",
        right_on="updated_day",
        by="deal_id",
        direction="backward",
    )
    states = states.merge(
        seed("pipeline_stages").rename(columns={"forecast_category": "stage_forecast_category"}),
        on=["pipeline", "stage"],
        how="left",
    )
    states = states.sort_values(["deal_id", "day"]).reset_index(drop=True)
    by_deal = states.groupby("deal_id")
    stage_day_before = by_deal["stage"].shift(1)
    known = states["stage"].notna() & ~states["is_deleted"].astype(bool)
    is_closed = states["is_closed"].astype("boolean").fillna(False).astype(bool)
    is_won = states["is_won"].astype("boolean").fillna(False).astype(bool)
    closing_today = known & is_closed & (stage_day_before != states["stage"])
    states["status"] = None
    states.loc[known & ~is_closed, "status"] = "open"
    states.loc[closing_today & is_won, "status"] = "won"
    states.loc[closing_today & ~is_won, "status"] = "lost"
    # docs/metrics.md "forecast category": an open deal's own, else its stage's.
    own = states["forecast_category"]
    states["forecast_category"] = own.where(
        ~is_closed & own.isin(OPEN_FORECAST_CATEGORIES), states["stage_forecast_category"]
    )
    states["amount_usd"] = states["amount"].fillna(0) * with_rate_on(states, "day")
    scale = versions.groupby("pipeline")["probability"].max().gt(1).map({True: 100, False: 1})
    states["probability_fraction"] = (states["probability"] / states["pipeline"].map(scale)).fillna(
        states["default_probability"]
    )
    return states


def waterfall(
    states: pd.DataFrame,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
    rep: str | None = None,
) -> dict[str, float]:
    """docs/metrics.md "waterfall" and "slipped deal" for the company, or for one rep.

    A rep's figures count each day's state for that day's owner: a deal handed over
    while open leaves the old owner as a decrease and enters the new one as an increase.
    """
    closing_day = min(period_end - pd.Timedelta(days=1), AS_OF)
    by_deal = states.groupby("deal_id")
    entity = states["owner_id"] if rep is not None else pd.Series("company", states.index)
    target = rep if rep is not None else "company"
    status_before = by_deal["status"].shift(1)
    amount_before = by_deal["amount_usd"].shift(1)
    close_date_before = by_deal["expected_close_date"].shift(1)
    mine = entity.eq(target)
    mine_before = entity.groupby(states["deal_id"]).shift(1).eq(target)
    last_status_before = status_before.groupby(states["deal_id"]).ffill()
    in_period = states["day"].between(period_start, closing_day)
    in_pipeline = states["status"].notna()
    was_open = status_before.eq("open")

    continuing = in_period & was_open & in_pipeline
    change = (states["amount_usd"] - amount_before).where(continuing & mine & mine_before, 0)
    handed_in = continuing & mine & ~mine_before
    handed_out = continuing & ~mine & mine_before
    entering = in_period & in_pipeline & ~was_open & mine
    restored = entering & last_status_before.eq("open")
    leaving = in_period & was_open & ~in_pipeline & mine_before
    slips = states[
        continuing
        & states["status"].eq("open")
        & close_date_before.ge(period_start)
        & close_date_before.lt(period_end)
        & states["expected_close_date"].ge(period_end)
    ]
    last_slips = slips.sort_values("day").groupby("deal_id").tail(1)
    last_slips = last_slips[mine[last_slips.index]]

    def open_amount_on(day: pd.Timestamp) -> float:
        open_on_day = states["day"].eq(day) & states["status"].eq("open") & mine
        return states.loc[open_on_day, "amount_usd"].sum()

    return {
        "opening": open_amount_on(period_start - pd.Timedelta(days=1)),
        "created": states.loc[entering & ~restored, "amount_usd"].sum(),
        "increased": change.clip(lower=0).sum()
        + states.loc[restored | handed_in, "amount_usd"].sum(),
        "decreased": (-change).clip(lower=0).sum() + amount_before[handed_out].sum(),
        "won": states.loc[in_period & states["status"].eq("won") & mine, "amount_usd"].sum(),
        "lost": states.loc[in_period & states["status"].eq("lost") & mine, "amount_usd"].sum(),
        "removed": amount_before[leaving].sum(),
        "slipped": last_slips["amount_usd"].sum(),
        "slipped_deals": len(last_slips),
        "closing": open_amount_on(closing_day),
    }


def mart_waterfall(
    warehouse: Path, period_type: str, period_start: pd.Timestamp, level: str, entity_id: str
) -> dict[str, float]:
    mart = read_mart(
        warehouse,
        "select * from marts.mart_pipeline_waterfall "
        "where period_type = ? and period_start = ? and level = ? and entity_id = ?",
        [period_type, period_start.date(), level, entity_id],
    )
    assert len(mart) == 1
    return {column: float(mart.loc[0, column]) for column in WATERFALL_COLUMNS}


@pytest.mark.parametrize("month_start", CHECKED_MONTHS, ids=lambda month: f"{month:%Y-%m}")
def test_company_month_waterfall_matches_an_independent_computation(
    sample: tuple[Path, Path], deal_days: pd.DataFrame, month_start: pd.Timestamp
) -> None:
    _, warehouse = sample
    expected = waterfall(deal_days, month_start, month_start + pd.DateOffset(months=1))
    actual = mart_waterfall(warehouse, "month", month_start, "company", "company")
    assert actual == pytest.approx(expected, abs=0.01)
    # A month with no movement would make this comparison vacuous.
    assert expected["created"] > 0 and expected["won"] > 0 and expected["slipped_deals"] > 0


def test_two_quarter_waterfalls_match_to_the_cent_for_the_company_and_a_rep(
    sample: tuple[Path, Path], deal_days: pd.DataFrame
) -> None:
    """Q4 2024 (before the first drop: what the extracts tell of it) and Q1 2025."""
    _, warehouse = sample
    won_days = deal_days[deal_days["status"].eq("won")]
    rep = won_days["owner_id"].value_counts().index[0]
    removed_in_quarters = 0.0
    for quarter_start in CHECKED_QUARTERS:
        quarter_end = quarter_start + pd.DateOffset(months=3)
        for level, entity_id in (("company", "company"), ("rep", rep)):
            expected = waterfall(
                deal_days, quarter_start, quarter_end, rep if level == "rep" else None
            )
            actual = mart_waterfall(warehouse, "quarter", quarter_start, level, entity_id)
            assert actual == pytest.approx(expected, abs=0.005)
            assert expected["won"] > 0 and expected["created"] > 0
            removed_in_quarters += expected["removed"]
    # The sample deletes open deals in these quarters: removed is compared, not only zero.
    assert removed_in_quarters > 0


def test_rep_and_team_rows_add_up_to_the_company(sample: tuple[Path, Path]) -> None:
    """Hand-overs cancel out between reps, so only the additive columns are compared."""
    _, warehouse = sample
    mismatches = read_mart(
        warehouse,
        """
        with by_level as (
            select period_type, period_start, level,
                sum(opening) as opening, sum(created) as created, sum(won) as won,
                sum(lost) as lost, sum(closing) as closing,
                sum(increased - decreased) as net_change
            from marts.mart_pipeline_waterfall
            group by period_type, period_start, level
        )
        select reps.period_type, reps.period_start
        from by_level as reps
        inner join by_level as company
            on reps.period_type = company.period_type
            and reps.period_start = company.period_start
            and company.level = ?
        where reps.level in (?, ?)
            and (reps.opening <> company.opening or reps.created <> company.created
                or reps.won <> company.won or reps.lost <> company.lost
                or reps.closing <> company.closing or reps.net_change <> company.net_change)
        """,
        ["company", "rep", "team"],
    )
    assert mismatches.empty


def stage_entered_at(versions: pd.DataFrame) -> pd.Series:
    """When each deal entered the stage of its latest version (UTC): the first version of
    its last run of consecutive versions in that stage."""
    ordered = versions.sort_values(["deal_id", "updated_at", "drop_date"], kind="stable")
    new_run = ordered["stage"].ne(ordered.groupby("deal_id")["stage"].shift(1))
    run = new_run.astype(int).groupby(ordered["deal_id"]).cumsum()
    entered_at = ordered.groupby([ordered["deal_id"], run])["updated_at"].transform("min")
    return entered_at.groupby(ordered["deal_id"]).last().dt.tz_convert(None)


def test_company_top_deals_are_the_largest_weighted_open_deals(
    sample: tuple[Path, Path], deal_days: pd.DataFrame
) -> None:
    landing, warehouse = sample
    open_on_as_of = deal_days[deal_days["day"].eq(AS_OF) & deal_days["status"].eq("open")]
    ranked = open_on_as_of.assign(
        weighted=open_on_as_of["amount_usd"] * open_on_as_of["probability_fraction"]
    ).sort_values(["weighted", "amount_usd", "deal_id"], ascending=[False, False, True])
    mart = read_mart(
        warehouse,
        "select deal_id, weighted_amount, days_in_stage from marts.mart_top_deals "
        "where level = ? and as_of_date = ? order by deal_rank",
        ["company", AS_OF.date()],
    )
    assert len(open_on_as_of) > 20
    assert mart["deal_id"].tolist() == ranked["deal_id"].head(20).tolist()
    assert mart["weighted_amount"].astype(float).tolist() == pytest.approx(
        ranked["weighted"].head(20).tolist(), abs=0.01
    )
    # docs/metrics.md "days_in_stage": days with fractions to the end of the as-of day.
    entered_at = stage_entered_at(deal_versions(landing)).loc[mart["deal_id"]]
    in_stage = (AS_OF + pd.Timedelta(days=1) - entered_at).dt.total_seconds() / 86400
    assert mart["days_in_stage"].astype(float).tolist() == pytest.approx(
        in_stage.tolist(), abs=1e-6
    )


def test_company_top_won_deals_match_the_closed_won_deals(sample: tuple[Path, Path]) -> None:
    landing, warehouse = sample
    versions = deal_versions(landing)
    current = versions.sort_values(["updated_at", "drop_date"]).groupby("deal_id").tail(1)
    current = current.merge(seed("pipeline_stages"), on=["pipeline", "stage"], how="left")
    won = current[current["is_won"].astype(bool) & ~current["is_deleted"]].copy()
    won["close_day"] = won["closed_at"].dt.tz_convert(None).dt.normalize()
    won["amount_usd"] = won["amount"].fillna(0) * with_rate_on(won, "close_day")
    month_start = CHECKED_MONTHS[0]
    month_end = month_start + pd.DateOffset(months=1)
    in_month = won[(won["close_day"] >= month_start) & (won["close_day"] < month_end)]
    expected = in_month.sort_values(["amount_usd", "deal_id"], ascending=[False, True]).head(5)
    mart = read_mart(
        warehouse,
        "select deal_id, amount from marts.mart_deal_outcomes where period_type = 'month' "
        "and level = 'company' and outcome = 'won' and period_start = ? order by outcome_rank",
        [month_start.date()],
    )
    assert len(in_month) > 5
    assert mart["deal_id"].tolist() == expected["deal_id"].tolist()
    assert mart["amount"].astype(float).tolist() == pytest.approx(
        expected["amount_usd"].tolist(), abs=0.01
    )


def deal_changes(states: pd.DataFrame) -> pd.DataFrame:
    """docs/metrics.md "deal change": (deal_id, change_date, change_kind, amount_delta), each
    day in the pipeline compared with the one before it (the day before, or a closing day)."""
    in_pipeline = states[states["status"].notna()].reset_index(drop=True)
    by_deal = in_pipeline.groupby("deal_id")
    before = by_deal.shift(1)
    next_day = by_deal["day"].shift(-1)
    one_day = pd.Timedelta(days=1)
    is_open = in_pipeline["status"].eq("open")
    adjacent = before["status"].eq("open") & before["day"].eq(in_pipeline["day"] - one_day)
    both_open = adjacent & is_open
    amount = in_pipeline["amount"].fillna(0)
    amount_before_at_todays_rate = before["amount"].fillna(0) * with_rate_on(
        pd.DataFrame({"day": in_pipeline["day"], "currency": before["currency"]}), "day"
    )
    edited = adjacent & (
        amount.ne(before["amount"].fillna(0)) | in_pipeline["currency"].ne(before["currency"])
    )
    delta = in_pipeline["amount_usd"] - amount_before_at_todays_rate
    close_date, close_date_before = (
        in_pipeline["expected_close_date"],
        before["expected_close_date"],
    )
    kinds = {
        "created": before["day"].isna(),
        "stage_forward": both_open & in_pipeline["stage_order"].gt(before["stage_order"]),
        "stage_back": both_open & in_pipeline["stage_order"].lt(before["stage_order"]),
        "amount_up": edited & delta.gt(0.000_001),
        "amount_down": edited & delta.lt(-0.000_001),
        "close_date_pushed_out": both_open & close_date.gt(close_date_before),
        "close_date_pulled_in": both_open & close_date.lt(close_date_before),
        "forecast_category_changed": both_open
        & in_pipeline["forecast_category"].ne(before["forecast_category"]),
        "won": in_pipeline["status"].eq("won"),
        "lost": in_pipeline["status"].eq("lost"),
        "reopened": is_open & before["status"].isin(["won", "lost"]),
        "removed": is_open
        & in_pipeline["day"].lt(AS_OF)
        & next_day.ne(in_pipeline["day"] + one_day),
    }
    frames = [
        pd.DataFrame(
            {
                "deal_id": in_pipeline.loc[mask, "deal_id"],
                "change_date": in_pipeline.loc[mask, "day"]
                + (one_day if kind == "removed" else 0 * one_day),
                "change_kind": kind,
                "amount_delta": delta[mask] if kind.startswith("amount") else 0.0,
            }
        )
        for kind, mask in kinds.items()
    ]
    return pd.concat(frames, ignore_index=True)


def test_deal_changes_match_an_independent_computation(
    sample: tuple[Path, Path], deal_days: pd.DataFrame
) -> None:
    _, warehouse = sample
    expected = deal_changes(deal_days)
    mart = read_mart(
        warehouse,
        "select deal_id, change_date, change_kind, coalesce(amount_delta, 0) as amount_delta "
        "from marts.mart_deal_changes",
        [],
    )
    mart["change_date"] = pd.to_datetime(mart["change_date"])
    key = ["deal_id", "change_date", "change_kind"]
    compared = expected.merge(mart, on=key, how="outer", suffixes=("", "_mart"), indicator=True)
    assert compared["_merge"].eq("both").all(), compared[compared["_merge"] != "both"].head(20)
    assert compared["amount_delta_mart"].astype(float).tolist() == pytest.approx(
        compared["amount_delta"].tolist(), abs=0.005
    )
    # Every kind the sample can show is there: a comparison of empty sets proves nothing.
    shown = set(expected["change_kind"])
    assert shown >= {
        "created",
        "stage_forward",
        "amount_up",
        "amount_down",
        "won",
        "lost",
        "close_date_pushed_out",
        "forecast_category_changed",
        "removed",
    }


FORECAST_COLUMNS = (
    "closed_won_amount",
    "commit_amount",
    "best_case_amount",
    "pipeline_amount",
    "omitted_amount",
    "weighted_amount",
)


def forecast(
    states: pd.DataFrame, won: pd.DataFrame, as_of: pd.Timestamp, quarter_start: pd.Timestamp
) -> dict[str, float]:
    """docs/metrics.md "forecast" of the company for one as-of day and fiscal quarter."""
    quarter_end = quarter_start + pd.DateOffset(months=3)
    open_in_quarter = states[
        states["day"].eq(as_of)
        & states["status"].eq("open")
        & states["expected_close_date"].ge(quarter_start)
        & states["expected_close_date"].lt(quarter_end)
    ]
    by_category = open_in_quarter.groupby("forecast_category")["amount_usd"].sum()
    won_to_date = won[won["close_day"].between(quarter_start, as_of)]
    return {
        "closed_won_amount": won_to_date["amount_usd"].sum(),
        **{
            f"{category}_amount": by_category.get(category, 0.0)
            for category in ("commit", "best_case", "pipeline", "omitted")
        },
        "weighted_amount": (
            open_in_quarter["amount_usd"] * open_in_quarter["probability_fraction"]
        ).sum(),
    }


def test_company_forecast_and_its_weekly_change_match_an_independent_computation(
    sample: tuple[Path, Path], deal_days: pd.DataFrame
) -> None:
    landing, warehouse = sample
    versions = deal_versions(landing)
    current = versions.sort_values(["updated_at", "drop_date"]).groupby("deal_id").tail(1)
    current = current.merge(seed("pipeline_stages"), on=["pipeline", "stage"], how="left")
    won = current[current["is_won"].astype(bool) & ~current["is_deleted"]].copy()
    won["close_day"] = won["closed_at"].dt.tz_convert(None).dt.normalize()
    won["amount_usd"] = won["amount"].fillna(0) * with_rate_on(won, "close_day")
    week_before = AS_OF - pd.Timedelta(days=7)
    quarters = {"current": pd.Timestamp("2025-01-01"), "next": pd.Timestamp("2025-04-01")}
    mart = read_mart(
        warehouse,
        "select * from marts.mart_forecast where level = 'company' and as_of_date = ?",
        [AS_OF.date()],
    ).set_index("forecast_quarter")
    for quarter, quarter_start in quarters.items():
        expected = forecast(deal_days, won, AS_OF, quarter_start)
        before = forecast(deal_days, won, week_before, quarter_start)
        row = mart.loc[quarter]
        assert pd.Timestamp(row["quarter_start"]) == quarter_start
        actual = {column: float(row[column]) for column in FORECAST_COLUMNS}
        assert actual == pytest.approx(expected, abs=0.005)
        change = {
            column: float(row[column.replace("_amount", "_change")]) for column in FORECAST_COLUMNS
        }
        assert change == pytest.approx(
            {column: expected[column] - before[column] for column in FORECAST_COLUMNS}, abs=0.005
        )
        if not pd.isna(row["quota"]):
            assert float(row["gap_after_commit"]) == pytest.approx(
                float(row["quota"]) - expected["closed_won_amount"] - expected["commit_amount"],
                abs=0.005,
            )
    # Both quarters hold open deals of several categories, and the current one closed won.
    assert float(mart.loc["current", "closed_won_amount"]) > 0
    assert (mart[["commit_amount", "best_case_amount", "pipeline_amount"]] > 0).all().all()
