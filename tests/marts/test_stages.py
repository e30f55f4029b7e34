"""Stage conversion and the lead funnel, recomputed from the generated CSV drops.

A small sample is generated, loaded into raw and built with `dbt build` once per
module. The figures are then recomputed here with pandas straight from the drops'
deal_field_history, deals and leads files, per docs/metrics.md "Stages" and "Funnel
(leads)", independently of the SQL, and must equal mart_stage_conversion and
mart_funnel. The generator logs every stage change in field history, so the
recomputation reads stage paths from there alone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 75
CHECKED_PIPELINE = "new_business"
# Created before the first drop (2025-01-06): their stage paths start in field history
# alone and go on in versions too, and many of them have closed by the last drop.
CHECKED_MONTH = pd.Timestamp("2024-10-01")


def read_mart(warehouse: Path, sql: str, parameters: list[object]) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        return connection.execute(sql, parameters).fetch_df()


def read_drops(landing: Path, entity: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(path, dtype=str).assign(drop_date=path.parent.name)
        for path in sorted(landing.glob(f"*/{entity}.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def latest_versions(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    rows = rows.assign(updated_at=pd.to_datetime(rows["updated_at"], utc=True))
    return rows.sort_values(["updated_at", "drop_date"]).groupby(key).tail(1).set_index(key)


def current_deals(landing: Path) -> pd.DataFrame:
    """Each deal's latest version, deleted ones left out, with its stage's flags."""
    stages = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "pipeline_stages.csv")
    deals = latest_versions(read_drops(landing, "deals"), "deal_id")
    deals = deals[deals["is_deleted"].fillna("false") != "true"]
    flags = deals.reset_index().merge(stages, on=["pipeline", "stage"], how="left")
    return flags.assign(created_at=pd.to_datetime(flags["created_at"], utc=True)).set_index(
        "deal_id"
    )


def expected_stage_conversion(landing: Path) -> pd.DataFrame:
    """docs/metrics.md "Stages" for one pipeline and creation month, from field history."""
    stages = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "pipeline_stages.csv")
    stages = stages[stages["pipeline"] == CHECKED_PIPELINE]
    open_stages = stages[~stages["is_closed"]].sort_values("stage_order")
    order = dict(zip(stages["stage"], stages["stage_order"], strict=True))

    deals = current_deals(landing)
    created_month = deals["created_at"].dt.tz_localize(None).dt.to_period("M").dt.to_timestamp()
    cohort = deals[(deals["pipeline"] == CHECKED_PIPELINE) & (created_month == CHECKED_MONTH)]

    history = read_drops(landing, "deal_field_history")
    history = history[(history["field"] == "stage") & history["deal_id"].isin(cohort.index)]
    history = history.drop_duplicates(["deal_id", "old_value", "new_value", "changed_at"])
    history = history.assign(entered_at=pd.to_datetime(history["changed_at"], utc=True))
    entries = history.sort_values(["deal_id", "entered_at"])
    exited_at = entries.groupby("deal_id")["entered_at"].shift(-1)
    entries = entries.assign(
        stage=entries["new_value"],
        stage_order=entries["new_value"].map(order),
        days_in_stage=(exited_at - entries["entered_at"]).dt.total_seconds() / 86400,
    )

    open_entries = entries[entries["stage"].isin(open_stages["stage"])]
    furthest = open_entries.groupby("deal_id")["stage_order"].max().reindex(cohort.index)
    furthest = furthest.fillna(0)
    won = cohort["is_won"].astype(bool)

    rows = []
    next_orders = [*open_stages["stage_order"].iloc[1:], None]
    for stage, stage_order, next_order in zip(
        open_stages["stage"], open_stages["stage_order"], next_orders, strict=True
    ):
        reached = won | (furthest >= stage_order)
        advanced = won if next_order is None else won | (furthest >= next_order)
        stays = open_entries.loc[open_entries["stage"] == stage, "days_in_stage"].dropna()
        rows.append(
            {
                "stage": stage,
                "deals_in_cohort": len(cohort),
                "deals_reached": int(reached.sum()),
                "deals_advanced": int(advanced.sum()),
                "deals_won": int(won.sum()),
                "median_days_in_stage": stays.median(),
            }
        )
    return pd.DataFrame(rows).set_index("stage")


def expected_funnel(landing: Path) -> pd.DataFrame:
    """docs/metrics.md "Funnel (leads)" for the leads created in one month, by source."""
    leads = latest_versions(read_drops(landing, "leads"), "lead_id")
    leads = leads[leads["is_deleted"].fillna("false") != "true"]
    created = pd.to_datetime(leads["created_at"], utc=True).dt.tz_localize(None)
    leads = leads[created.dt.to_period("M").dt.to_timestamp() == CHECKED_MONTH]

    deals = current_deals(landing)
    won_deals = deals.index[deals["is_won"].astype(bool)]
    is_opportunity = leads["converted_deal_id"].notna()
    is_sql = leads["sql_at"].notna() | is_opportunity
    steps = pd.DataFrame(
        {
            "lead_source": leads["source"],
            "leads": 1,
            "mqls": leads["mql_at"].notna() | is_sql,
            "sqls": is_sql,
            "opportunities": is_opportunity,
            "won": is_opportunity & leads["converted_deal_id"].isin(won_deals),
        }
    )
    return steps.groupby("lead_source").sum().astype(int)


def test_stage_conversion_matches_an_independent_computation(
    sample: tuple[Path, Path],
) -> None:
    landing, warehouse = sample
    expected = expected_stage_conversion(landing)
    actual = read_mart(
        warehouse,
        "select * from marts.mart_stage_conversion where pipeline = ? and cohort_month = ?",
        [CHECKED_PIPELINE, CHECKED_MONTH.date()],
    ).set_index("stage")

    assert expected["deals_in_cohort"].iloc[0] > 50
    assert expected["deals_won"].iloc[0] > 5
    assert sorted(actual.index) == sorted(expected.index)
    for column in ("deals_in_cohort", "deals_reached", "deals_advanced", "deals_won"):
        assert actual[column].astype(int).to_dict() == expected[column].to_dict(), column
    expected_rate = expected["deals_advanced"] / expected["deals_reached"]
    for stage in expected.index:
        assert float(actual.loc[stage, "conversion_rate"]) == pytest.approx(
            expected_rate[stage], abs=1e-6
        )
        assert float(actual.loc[stage, "median_days_in_stage"]) == pytest.approx(
            expected.loc[stage, "median_days_in_stage"], abs=1e-5
        )


def test_funnel_matches_an_independent_computation(sample: tuple[Path, Path]) -> None:
    landing, warehouse = sample
    expected = expected_funnel(landing)
    actual = read_mart(
        warehouse,
        "select lead_source, leads, mqls, sqls, opportunities, won, lead_to_mql_rate "
        "from marts.mart_funnel where cohort_month = ?",
        [CHECKED_MONTH.date()],
    ).set_index("lead_source")

    assert expected["won"].sum() > 0
    assert sorted(actual.index) == sorted(expected.index)
    for column in expected.columns:
        assert actual[column].astype(int).to_dict() == expected[column].to_dict(), column
    for source in expected.index:
        assert float(actual.loc[source, "lead_to_mql_rate"]) == pytest.approx(
            expected.loc[source, "mqls"] / expected.loc[source, "leads"], abs=1e-6
        )
