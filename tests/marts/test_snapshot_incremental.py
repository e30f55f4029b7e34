"""The incremental pipeline models equal a full refresh of the same raw, row for row.

A small sample is loaded without two of its drops and built. Loads follow, each built
incrementally, then compared, every column of every row but the lineage columns, with a
`--full-refresh` build of the same warehouse: the next nightly drop, a late drop dated
before days already built, a late users extract moving a rep to another team in a past
period with an edit of an activity counted on a day already built, and a corrected
re-delivery of a built drop (the loader forgets it and every later drop and loads them
again, as it does for a drop waiting at the gate), built in two runs: the snapshot
alone, then the marts catching up. Before each incremental run every stored row is
marked, so the test also sees which rows the run rewrote: for fct_deal_daily_snapshot
exactly the days from the first day the load changes, for the marts downstream the
periods (as-of days) from the first day the load changes for them, for
mart_deal_outcomes every period but those closed before the first day the load changes
for it (none after a late or re-delivered drop), for mart_activity_kpis whole weeks
from the first one the load changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_cli import run_dbt
from raw_loads import hold_back_late_and_nightly, load

from dagster_project.settings import BUILD_DATABASE_NAME

# Whole pipeline runs or many dbt invocations: started first (tests/conftest.py).
pytestmark = pytest.mark.slow

SAMPLE_START = date(2025, 1, 6)
SAMPLE_DAYS = 24
STORED_MARK = "#stored"
# When and from which day a row was written: a full refresh and a run that keeps the
# row give different values by design.
LINEAGE_COLUMNS = ["built_at", "built_from_date", "raw_loaded_through", "built_as_of_date"]
LATE_TEAM_MOVE_DAY = SAMPLE_START + timedelta(days=10)


@dataclass(frozen=True)
class IncrementalModel:
    name: str
    key: str
    order: list[str]


SNAPSHOT = IncrementalModel(
    "fct_deal_daily_snapshot", "deal_snapshot_id", ["deal_id", "snapshot_date"]
)
WATERFALL = IncrementalModel(
    "mart_pipeline_waterfall",
    "waterfall_id",
    ["period_type", "period_start", "level", "entity_id"],
)
HEALTH = IncrementalModel(
    "mart_pipeline_health", "pipeline_health_id", ["as_of_date", "level", "entity_id"]
)
OUTCOMES = IncrementalModel(
    "mart_deal_outcomes",
    "deal_outcome_id",
    ["period_type", "period_start", "level", "entity_id", "outcome", "outcome_rank"],
)
ACTIVITY_KPIS = IncrementalModel(
    "mart_activity_kpis",
    "activity_kpi_id",
    ["period_type", "period_start", "owner_id", "activity_type", "meeting_type"],
)
MODELS = [SNAPSHOT, WATERFALL, HEALTH, OUTCOMES, ACTIVITY_KPIS]
PERIOD_LENGTHS = {
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
}


def build_incrementally(warehouse: Path) -> None:
    run_dbt(warehouse, "run", "--select", *(f"+{model.name}" for model in MODELS))


def rows(warehouse: Path, model: IncrementalModel) -> pd.DataFrame:
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME), read_only=True) as connection:
        found = connection.execute(f"select * from marts.{model.name}").fetch_df()
    return found.sort_values(model.order).reset_index(drop=True)


def mark_stored_rows(warehouse: Path) -> None:
    """Suffix every stored row's key, so the rows a run does not rewrite stay marked."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        for model in MODELS:
            connection.execute(
                f"update marts.{model.name} set {model.key} = {model.key} || ? "
                f"where not ends_with({model.key}, ?)",
                [STORED_MARK, STORED_MARK],
            )


def deliver_late_team_move(landing: Path, drop_day: date) -> None:
    """A users-only drop on `drop_day` whose one row moves a rep (the first one with a
    team) to another team from LATE_TEAM_MOVE_DAY on, a day already built."""
    users = pd.concat(
        pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(landing.glob("*/users.csv"))
    ).drop_duplicates("user_id", keep="last")
    reps = users[(users["role"] == "rep") & (users["team"] != "")]
    moved = reps.iloc[[0]].copy()
    other_teams = sorted(set(reps["team"]) - set(moved["team"]))
    moved["team"] = other_teams[0]
    moved["updated_at"] = f"{LATE_TEAM_MOVE_DAY.isoformat()}T12:00:00Z"
    folder = landing / drop_day.isoformat()
    folder.mkdir()
    moved.to_csv(folder / "users.csv", index=False)
    (folder / "_SUCCESS").touch()


def deliver_late_activity_edit(landing: Path, drop_day: date, not_before: date) -> date:
    """Add to the drop of `drop_day` one activity version: the first completed activity
    about no deal counted on `not_before` or later, now cancelled. Only
    mart_activity_kpis reads it (the snapshot reads activities about deals), from the
    day it counted on, a day already built; returns that day."""
    activities = pd.concat(
        pd.read_csv(path, dtype=str, keep_default_na=False)
        for path in sorted(landing.glob("*/activities.csv"))
    ).drop_duplicates("activity_id", keep="last")
    completed = activities[
        (activities["status"] == "completed")
        & (activities["deal_id"] == "")
        & (activities["completed_at"] >= not_before.isoformat())
    ]
    edited = completed.sort_values("completed_at").iloc[[0]].copy()
    counted_day = date.fromisoformat(edited["completed_at"].iloc[0][:10])
    edited["status"] = "cancelled"
    edited["completed_at"] = ""
    edited["updated_at"] = f"{drop_day.isoformat()}T12:00:00Z"
    edited.to_csv(landing / drop_day.isoformat() / "activities.csv", index=False)
    return counted_day


def first_changed_day(landing: Path, changed: list[Path]) -> date:
    """The first snapshot day a load of the `changed` drop folders can change, by the
    model's rule.

    A drop changes its own day on; an activity it carries changes its deal from the
    first day any version of that activity (in any drop) says it was completed.
    """
    changed_ids = set()
    for folder in changed:
        if (folder / "activities.csv").exists():
            changed_ids |= set(pd.read_csv(folder / "activities.csv", dtype=str)["activity_id"])
    versions = pd.concat(pd.read_csv(path, dtype=str) for path in landing.glob("*/activities.csv"))
    touched = versions[versions["activity_id"].isin(changed_ids) & versions["deal_id"].notna()]
    completed_days = pd.to_datetime(touched["completed_at"], utc=True).dropna().dt.date
    return min([date.fromisoformat(folder.name) for folder in changed] + list(completed_days))


def unmarked(found: pd.DataFrame, model: IncrementalModel) -> pd.DataFrame:
    return found.assign(**{model.key: found[model.key].str.removesuffix(STORED_MARK)}).drop(
        columns=[column for column in LINEAGE_COLUMNS if column in found.columns]
    )


def assert_snapshot_rewrote_days_from(warehouse: Path, first_day: date) -> None:
    snapshot = rows(warehouse, SNAPSHOT)
    kept = snapshot[SNAPSHOT.key].str.endswith(STORED_MARK)
    assert snapshot.loc[~kept, "snapshot_date"].dt.date.min() == first_day
    assert (snapshot.loc[kept, "snapshot_date"].dt.date < first_day).all()


def assert_outcomes_kept_periods_closed_before(outcomes: pd.DataFrame, day: date | None) -> None:
    """mart_deal_outcomes kept some periods, each ended before `day`, and rewrote the
    others; `day` None: it kept none."""
    kept = outcomes[OUTCOMES.key].str.endswith(STORED_MARK)
    if day is None:
        assert not kept.any()
        return
    period_end = outcomes.apply(
        lambda row: row["period_start"] + PERIOD_LENGTHS[row["period_type"]], axis=1
    )
    assert kept.any()
    assert (period_end[kept].dt.date <= day).all()
    # Whole periods: a period's rows are all kept or all rewritten.
    kept_periods = set(outcomes.loc[kept, ["period_type", "period_start"]].itertuples(index=False))
    rewritten_periods = set(
        outcomes.loc[~kept, ["period_type", "period_start"]].itertuples(index=False)
    )
    assert not kept_periods & rewritten_periods


def assert_activity_kpis_rewrote_whole_weeks(activity_kpis: pd.DataFrame) -> None:
    """Every row from a Monday on was rewritten, every one before it kept (if any)."""
    kept = activity_kpis[ACTIVITY_KPIS.key].str.endswith(STORED_MARK)
    if kept.any():
        first_rewritten = activity_kpis.loc[~kept, "period_start"].min()
        assert first_rewritten.weekday() == 0
        assert (activity_kpis.loc[kept, "period_start"] < first_rewritten).all()


def assert_incremental_run_equals_full_refresh(
    warehouse: Path,
    snapshot_from: date | None,
    marts_from: date,
    changed: set[str],
    outcomes_kept_before: date | None,
) -> dict[str, pd.DataFrame]:
    """Build incrementally, compare with a full refresh; the snapshot rewrote exactly the
    days from `snapshot_from` (None: it was already built), the marts exactly what depends
    on days from `marts_from` (mart_deal_outcomes: kept only periods closed before
    `outcomes_kept_before`, None: kept none), and the load changed the content of the
    `changed` models. Returns the incremental run's rows, stored ones marked."""
    before = {model.name: rows(warehouse, model) for model in MODELS}
    mark_stored_rows(warehouse)
    build_incrementally(warehouse)
    incremental = {model.name: rows(warehouse, model) for model in MODELS}
    if snapshot_from is not None:
        assert_snapshot_rewrote_days_from(warehouse, snapshot_from)
    run_dbt(warehouse, "run", "--select", *(model.name for model in MODELS), "--full-refresh")

    for model in MODELS:
        full = rows(warehouse, model)
        pd.testing.assert_frame_equal(
            unmarked(incremental[model.name], model), unmarked(full, model), obj=model.name
        )
        # The load changed the table, or the comparison would prove nothing.
        if model.name in changed:
            assert not unmarked(before[model.name], model).equals(unmarked(full, model))

    # Whole periods: those holding a day from marts_from on are rewritten, earlier ones
    # kept; a nightly load keeps most of them.
    waterfall = incremental[WATERFALL.name]
    kept = waterfall[WATERFALL.key].str.endswith(STORED_MARK)
    assert (waterfall.loc[~kept, "period_end"].dt.date > marts_from).all()
    assert (waterfall.loc[kept, "period_end"].dt.date <= marts_from).all()
    assert kept.any()

    # Whole as-of days: from marts_from on rewritten (a load of deals may reach further
    # back, to a close it moves), earlier ones kept.
    health = incremental[HEALTH.name]
    kept = health[HEALTH.key].str.endswith(STORED_MARK)
    assert (health.loc[kept, "as_of_date"].dt.date < marts_from).all()
    assert kept.any()

    assert_outcomes_kept_periods_closed_before(incremental[OUTCOMES.name], outcomes_kept_before)
    assert_activity_kpis_rewrote_whole_weeks(incremental[ACTIVITY_KPIS.name])
    if outcomes_kept_before is not None:
        # Not a late or re-delivered drop: weeks before the changed ones are kept.
        assert incremental[ACTIVITY_KPIS.name][ACTIVITY_KPIS.key].str.endswith(STORED_MARK).any()
    return incremental


def test_incremental_runs_equal_a_full_refresh(tmp_path: Path) -> None:
    sample = hold_back_late_and_nightly(tmp_path, reps=4, days=SAMPLE_DAYS, start=SAMPLE_START)
    landing, warehouse, nightly = sample.landing, sample.warehouse, sample.nightly
    run_dbt(warehouse, "seed")
    build_incrementally(warehouse)

    # The as-of date the marts were built for: the latest drop loaded, the late one held back.
    built_as_of = date.fromisoformat(sample.drops[-2].name)
    sample.deliver(nightly, datetime(2025, 2, 1, 2))
    nightly_from = first_changed_day(landing, [landing / nightly.name])
    assert_incremental_run_equals_full_refresh(
        warehouse, nightly_from, nightly_from, {model.name for model in MODELS}, built_as_of
    )

    sample.deliver(sample.late, datetime(2025, 2, 1, 3))
    late_from = first_changed_day(landing, [landing / sample.late.name])
    assert_incremental_run_equals_full_refresh(
        warehouse, late_from, late_from, {SNAPSHOT.name}, None
    )

    team_move_drop = date.fromisoformat(nightly.name) + timedelta(days=1)
    deliver_late_team_move(landing, team_move_drop)
    edited_activity_day = deliver_late_activity_edit(
        landing, team_move_drop, not_before=SAMPLE_START + timedelta(days=8)
    )
    load(warehouse, landing, datetime(2025, 2, 1, 4))
    incremental = assert_incremental_run_equals_full_refresh(
        warehouse,
        team_move_drop,
        LATE_TEAM_MOVE_DAY,
        {model.name for model in MODELS},
        LATE_TEAM_MOVE_DAY,
    )
    # The edit reaches back past the weeks of the as-of dates: rebuilt from its own week.
    activity_kpis = incremental[ACTIVITY_KPIS.name]
    rewritten = ~activity_kpis[ACTIVITY_KPIS.key].str.endswith(STORED_MARK)
    first_rewritten = activity_kpis.loc[rewritten, "period_start"].min().date()
    assert first_rewritten == edited_activity_day - timedelta(days=edited_activity_day.weekday())

    reloaded = sample.redeliver_corrected(datetime(2025, 2, 1, 5))
    reloaded_folders = [landing / day.isoformat() for day in reloaded]
    reloaded_from = first_changed_day(landing, reloaded_folders)
    # The marts miss this run (they failed, or were not selected) ...
    mark_stored_rows(warehouse)
    run_dbt(warehouse, "run", "--select", f"+{SNAPSHOT.name}")
    assert_snapshot_rewrote_days_from(warehouse, reloaded_from)
    # ... and the next one catches up from what the snapshot rewrote.
    assert_incremental_run_equals_full_refresh(
        warehouse, None, reloaded_from, {WATERFALL.name, HEALTH.name}, None
    )
