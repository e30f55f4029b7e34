"""Fivetran's Salesforce seed tables through the whole Dagster path.

Fivetran hashed the text values of its seeds, stage labels included: the drop written
here restores readable StageNames from IsClosed/IsWon (Closed Won, Closed Lost, and
Negotiation/Review for the open one), as a real export carries them. Quotas come from
a CSV, as Salesforce has none. Expected figures are computed with pandas from the files.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from third_party import THIRD_PARTY_DIR, run_to_published, write_drop

from dagster_project.settings import Paths, current_paths

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

DROP_DAY = date(2019, 12, 1)
OBJECTS = ("opportunity", "user", "user_role", "account", "lead", "task", "event")


def salesforce_dir() -> Path:
    return THIRD_PARTY_DIR / "fivetran_salesforce"


def with_stage_labels(opportunities: pd.DataFrame) -> pd.DataFrame:
    closed = opportunities["is_closed"].str.lower() == "true"
    won = opportunities["is_won"].str.lower() == "true"
    label = pd.Series("Negotiation/Review", index=opportunities.index)
    label[closed & won] = "Closed Won"
    label[closed & ~won] = "Closed Lost"
    return opportunities.assign(stage_name=label)


# The open opportunity's rep calls it Best Case while its stage (Negotiation/Review)
# forecasts Commit; closed ones carry Closed or Omitted, as Salesforce sets them. One won
# opportunity keeps Fivetran's hashed values: no category the gate knows.
KEPT_HASHED = "006q000000HddohAAB"


def with_forecast_categories(opportunities: pd.DataFrame) -> pd.DataFrame:
    closed = opportunities["is_closed"].str.lower() == "true"
    won = opportunities["is_won"].str.lower() == "true"
    label = pd.Series("Best Case", index=opportunities.index)
    label[closed & won] = "Closed"
    label[closed & ~won] = "Omitted"
    api_value = label.replace({"Best Case": "BestCase"})
    hashed = opportunities["id"] == KEPT_HASHED
    return opportunities.assign(
        forecast_category_name=label.where(~hashed, opportunities["forecast_category_name"]),
        forecast_category=api_value.where(~hashed, opportunities["forecast_category"]),
    )


def read_object(name: str) -> pd.DataFrame:
    return pd.read_csv(salesforce_dir() / f"sf_{name}_data.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def published_run(
    dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Paths, str]:
    """The published warehouse, and what the run printed."""
    staged = tmp_path_factory.mktemp("salesforce_files")
    files = {f"{name}.csv": salesforce_dir() / f"sf_{name}_data.csv" for name in OBJECTS}
    for name in ("opportunity", "opportunity_history"):
        with_forecast_categories(with_stage_labels(read_object(name))).to_csv(
            staged / f"{name}.csv", index=False
        )
        files[f"{name}.csv"] = staged / f"{name}.csv"
    users = read_object("user")["id"]
    quotas = pd.DataFrame(
        {
            "owner_id": users,
            "period_start": "2019-10-01",
            "period_end": "2019-12-31",
            "quota_amount": "100000",
            "currency": "USD",
        }
    )
    quotas.to_csv(staged / "quotas.csv", index=False)
    files["quotas.csv"] = staged / "quotas.csv"

    paths = current_paths()
    shutil.rmtree(paths.landing, ignore_errors=True)
    shutil.rmtree(paths.warehouse, ignore_errors=True)
    write_drop(paths.landing, DROP_DAY, "salesforce", files)
    return paths, run_to_published(paths)


@pytest.fixture(scope="module")
def published(published_run: tuple[Paths, str]) -> Paths:
    return published_run[0]


def query(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetch_df()


def test_every_opportunity_version_reaches_snap_deals_with_its_mapped_stage(
    published: Paths,
) -> None:
    history = with_stage_labels(read_object("opportunity_history"))
    mapped = {"Closed Won": "closed_won", "Closed Lost": "closed_lost"}
    expected = history["stage_name"].map(mapped).fillna("negotiation").value_counts().to_dict()

    actual = query(
        published.served_database,
        "select stage, count(*) as versions from marts.snap_deals "
        "where pipeline = 'salesforce' group by stage",
    ).set_index("stage")["versions"]

    assert actual.to_dict() == expected


def test_an_open_opportunity_takes_its_own_forecast_category_a_closed_one_its_stages(
    published: Paths,
) -> None:
    history = with_forecast_categories(with_stage_labels(read_object("opportunity_history")))
    own = history["forecast_category_name"].map(
        {"Omitted": "omitted", "Pipeline": "pipeline", "Best Case": "best_case", "Commit": "commit"}
    )
    is_open = history["is_closed"].str.lower() != "true"
    won = history["is_won"].str.lower() == "true"
    stages = pd.Series("omitted", index=history.index).mask(won, "closed").mask(is_open, "commit")
    expected = dict(zip(history["id"], own.where(is_open & own.notna(), stages), strict=True))

    actual = query(
        published.served_database,
        "select deal_id, forecast_category from marts.snap_deals where pipeline = 'salesforce'",
    ).set_index("deal_id")["forecast_category"]

    assert actual.to_dict() == expected
    assert expected["006q000000HdOhuAAF"] == "best_case"


def test_an_unknown_forecast_category_is_a_gate_warning(
    published_run: tuple[Paths, str],
) -> None:
    published, printed = published_run
    outcomes = gate_results_not_passed(published, "column_name like 'forecast_category%'")

    assert sorted(outcomes.itertuples(index=False)) == [
        (entity, column, "warned", 1)
        for entity in ("salesforce__opportunity", "salesforce__opportunity_history")
        for column in ("forecast_category", "forecast_category_name")
    ]
    assert "column forecast_category_name: 1 of " in printed


def test_probability_arrives_as_a_fraction_and_out_of_range_falls_back_to_the_stage(
    published: Paths,
) -> None:
    actual = query(
        published.served_database,
        "select deal_id, probability from marts.snap_deals where is_current",
    ).set_index("deal_id")["probability"]

    assert float(actual["006q000000HdOhuAAF"]) == pytest.approx(0.65)
    # Recorded 1000 (out of 0-100): its closed_won stage's default applies.
    assert float(actual["006q000000HddohAAB"]) == pytest.approx(1.0)


def test_bookings_and_quota_reach_the_company_attainment(published: Paths) -> None:
    opportunities = with_stage_labels(read_object("opportunity"))
    won = opportunities[
        (opportunities["stage_name"] == "Closed Won")
        & (opportunities["is_deleted"].str.lower() != "true")
    ]
    expected_bookings = pd.to_numeric(won["amount"]).fillna(0).sum()

    actual = query(
        published.served_database,
        "select sum(bookings) as bookings from marts.mart_attainment_by_period "
        "where period_type = 'year' and level = 'company'",
    )["bookings"].iloc[0]
    quota = query(
        published.served_database,
        "select quota from marts.mart_attainment_by_period where period_type = 'quarter' "
        "and level = 'company' and period_start = '2019-10-01'",
    )["quota"].iloc[0]

    assert float(actual or 0) == pytest.approx(expected_bookings)
    assert float(quota) == 100000 * len(read_object("user"))


def test_tasks_and_events_become_activities(published: Paths) -> None:
    tasks, events = read_object("task"), read_object("event")
    expected = sum((frame["is_deleted"].str.lower() != "true").sum() for frame in (tasks, events))

    actual = query(
        published.build_database,
        "select count(*) as activities from intermediate.int_source_activities "
        "where source_system = 'salesforce'",
    )["activities"].iloc[0]

    assert actual == expected


def test_the_out_of_range_probability_is_a_gate_warning_listed_in_the_run_summary(
    published_run: tuple[Paths, str],
) -> None:
    published, printed = published_run
    outcomes = gate_results_not_passed(published, "column_name = 'probability'")

    assert sorted(outcomes[["entity", "outcome", "failing_rows"]].itertuples(index=False)) == [
        ("salesforce__opportunity", "warned", 1),
        ("salesforce__opportunity_history", "warned", 1),
    ]
    assert "warning:       raw/salesforce__opportunity / raw_gate" in printed
    assert "column probability: 1 of " in printed


def gate_results_not_passed(published: Paths, columns: str) -> pd.DataFrame:
    """The raw gate's results that did not pass, on the columns `columns` selects."""
    return query(
        published.build_database,
        "select entity, column_name, outcome, failing_rows from audit.check_results "
        f"where outcome <> 'passed' and {columns}",
    )
