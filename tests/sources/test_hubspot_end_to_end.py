"""Fivetran's HubSpot seed tables through the whole Dagster path.

The drop (hubspot_export.py) keeps Fivetran's files but gives the deals HubSpot's
default pipeline and stages, amounts and close dates, which the seeds leave empty or
hashed. Its 22 deals without an owner stay so: the gate warns, the run publishes, and
the marts credit them to the rep and team `unassigned`. Expected figures are computed
with pandas from the files and the seeds' CSVs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hubspot_export import (
    deals_in_default_pipeline,
    pipeline_stages_with_the_default_pipeline,
    read_table,
    stage_history_on_the_first_deals,
    write_hubspot_drop,
)
from third_party import run_to_published

from dagster_project.quality.parameters import SEEDS_DIR, STAGE_MAPPINGS_SEED
from dagster_project.settings import Paths, current_paths

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published_run(
    dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Paths, str]:
    """The published warehouse, and what the run printed."""
    paths = current_paths()
    shutil.rmtree(paths.landing, ignore_errors=True)
    shutil.rmtree(paths.warehouse, ignore_errors=True)
    write_hubspot_drop(paths.landing, tmp_path_factory.mktemp("hubspot_files"))
    return paths, run_to_published(paths)


@pytest.fixture(scope="module")
def published(published_run: tuple[Paths, str]) -> Paths:
    return published_run[0]


def query(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetch_df()


def mapped_stages() -> pd.Series:
    """HubSpot stage id -> pipeline stage, as the stage_mappings seed maps them."""
    mappings = pd.read_csv(SEEDS_DIR / STAGE_MAPPINGS_SEED, dtype=str)
    hubspot = mappings[mappings["source"] == "hubspot"]
    return hubspot.set_index("source_stage")["stage"]


def test_every_deal_reaches_snap_deals_in_its_mapped_stage(published: Paths) -> None:
    deals = deals_in_default_pipeline()
    expected = deals["deal_pipeline_stage_id"].map(mapped_stages()).value_counts().to_dict()

    actual = query(
        published.served_database,
        "select stage, count(*) as deals from marts.snap_deals "
        "where pipeline = 'hubspot' and is_current group by stage",
    ).set_index("stage")["deals"]

    assert actual.to_dict() == expected
    assert sum(expected.values()) == len(deals)


def test_a_deal_carries_its_hubspot_stage_probability(published: Paths) -> None:
    stages = pipeline_stages_with_the_default_pipeline().set_index("stage_id")["probability"]
    deals = deals_in_default_pipeline().set_index("deal_id")
    expected = deals["deal_pipeline_stage_id"].map(stages).astype(float)

    actual = query(
        published.served_database,
        "select deal_id, probability from marts.snap_deals where is_current",
    ).set_index("deal_id")["probability"]

    assert actual.astype(float).sort_index().to_dict() == pytest.approx(
        expected.sort_index().to_dict()
    )
    # HubSpot's 0.3 for the edited stage, not the seed's default 0.4.
    qualified = actual[deals.index[deals["deal_pipeline_stage_id"] == "qualifiedtobuy"]]
    assert qualified.astype(float).tolist() == pytest.approx([0.3] * len(qualified))
    assert len(qualified) > 0


def test_bookings_are_the_closed_won_amounts(published: Paths) -> None:
    deals = deals_in_default_pipeline()
    won = deals[deals["deal_pipeline_stage_id"] == "closedwon"]
    expected = pd.to_numeric(won["property_amount"]).sum()

    actual = query(
        published.served_database,
        "select sum(bookings) as bookings from marts.mart_attainment_by_period "
        "where period_type = 'year' and level = 'company'",
    )["bookings"].iloc[0]

    assert float(actual) == pytest.approx(expected)


def test_the_stage_history_dates_the_stage_entries(published: Paths) -> None:
    history = stage_history_on_the_first_deals(deals_in_default_pipeline())
    expected = {
        (row.deal_id, mapped_stages()[row.value], pd.Timestamp(row.date_entered))
        for row in history.itertuples()
    }

    entries = query(
        published.served_database,
        "select deal_id, to_stage, entered_at from marts.fct_stage_transitions "
        "where pipeline = 'hubspot'",
    )
    actual = {(row.deal_id, row.to_stage, row.entered_at) for row in entries.itertuples()}

    assert expected <= actual


def test_calls_meetings_and_emails_become_activities(published: Paths) -> None:
    details = ("engagement_call", "engagement_meeting", "engagement_email")
    expected = sum(len(read_table(name)) for name in details)

    actual = query(
        published.build_database,
        "select activity_type, count(*) as activities from intermediate.int_source_activities "
        "where source_system = 'hubspot' group by activity_type",
    ).set_index("activity_type")["activities"]

    assert actual.sum() == expected
    assert actual.to_dict() == {"call": 1, "meeting": 100, "email": 1}


def test_owners_are_users_in_their_primary_team(published: Paths) -> None:
    users = query(
        published.build_database,
        "select user_id, team from intermediate.int_source_users where source_system = 'hubspot'",
    ).set_index("user_id")["team"]

    assert len(users) == len(read_table("owner"))
    # owner_team: 40706000 is in team 1234 (primary) and 9999; team 1234 is team_02.
    assert (users["35252170"], users["40706000"]) == ("team_01", "team_02")


def test_the_run_summary_lists_the_deals_without_an_owner(
    published_run: tuple[Paths, str],
) -> None:
    _, printed = published_run

    assert "warning:       raw/hubspot__deal / raw_gate" in printed
    assert (
        "- warns: 2021-01-31/deal.csv: column owner_id: 22 of 44 rows have no owner "
        "(counted under the rep and team `unassigned`)"
    ) in printed


def test_deals_without_an_owner_are_the_rep_and_team_unassigned_and_levels_add_up(
    published: Paths,
) -> None:
    deals = deals_in_default_pipeline()
    unowned = deals[deals["owner_id"] == ""]
    won = deals["deal_pipeline_stage_id"] == "closedwon"
    expected_unowned_bookings = pd.to_numeric(unowned.loc[won, "property_amount"]).sum()

    bookings = (
        query(
            published.served_database,
            "select level, entity_id, sum(bookings) as bookings "
            "from marts.mart_attainment_by_period where period_type = 'year' group by all",
        )
        .set_index(["level", "entity_id"])["bookings"]
        .astype(float)
    )
    current = query(
        published.served_database,
        "select owner_id, count(*) as deals from marts.snap_deals where is_current "
        "group by owner_id",
    ).set_index("owner_id")["deals"]

    assert len(unowned) == 22
    assert current["unassigned"] == len(unowned)
    assert expected_unowned_bookings > 0
    assert bookings[("rep", "unassigned")] == pytest.approx(expected_unowned_bookings)
    # Rep, team and company each add up to the company's bookings.
    for level in ("rep", "team"):
        assert bookings[level].sum() == pytest.approx(bookings[("company", "company")])
