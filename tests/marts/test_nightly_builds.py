"""A warehouse built night by night equals a full build of the same drops, every mart,
row for row.

One small generated sample, loaded without its last drop and one from its middle and
built as the nightly run builds (tests/marts/nightly_builds.py), is shared by every case;
each case copies it, lands what its night brings, builds as the nightly run builds, then
builds every model again from scratch (`--full-refresh`) and compares every table of the
marts schema. Each case also checks what the rebuild rule decided: the first day it
rebuilt from (at most the earliest day the night changes, not every day, and after the
days a case says the night leaves as they were), or a full refresh where the night asks
for one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_cli import run_dbt
from mart_comparison import Mart, differences, duckdb_marts
from nightly_builds import (
    NIGHTLY_TEAM_MOVE_BACK_DAYS,
    backdated_close,
    build_as_nightly,
    build_from_scratch,
    closed_amount_edit,
    open_deal_deletion,
    team_move_and_activity_edit,
)
from pipeline_runs import copy_state
from raw_loads import FIRST_LOAD_AT, correct_drop, load
from shared_states import shared_state

from dagster_project.ingest import drop_log
from dagster_project.sample_data import generate
from dagster_project.settings import BUILD_DATABASE_NAME, DBT_PROJECT_DIR, Paths
from dagster_project.transform.rebuild_window import EVERY_DAY

# Many dbt invocations: started first, each case on any worker (tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.spread]

SAMPLE_START = date(2025, 1, 6)
# Ends on a Friday, so the last drop carries deal changes.
SAMPLE_DAYS = 12
SAMPLE_REPS = 4
BACKDATED_CLOSE_DAYS = 5
# Not part of the dbt project's parse: copied projects leave them out.
NOT_PROJECT_FILES = shutil.ignore_patterns("target", "logs", "dbt_packages")


@dataclass(frozen=True)
class Base:
    """The shared warehouse and the two drops it was built without."""

    paths: Paths
    drops: Path
    late: str
    nightly: str


@dataclass
class Night:
    """What a case's night brings, and what the rule must decide for it."""

    changes_from: date | None  # None: a full refresh
    # A day the rule must not reach back to: what the night changes lies after it.
    unchanged_through: date | None = None
    dbt_vars: dict[str, object] = field(default_factory=dict)
    project_dir: Path = DBT_PROJECT_DIR
    manifest_path: Path | None = None


def build_base(root: Path) -> None:
    drops, paths = root / "drops", Paths(landing=root / "landing", warehouse=root / "warehouse")
    generate(drops, seed=5, reps=SAMPLE_REPS, days=SAMPLE_DAYS, start_date=SAMPLE_START)
    folders = sorted(path for path in drops.iterdir() if path.is_dir())
    late, nightly = folders[len(folders) // 2], folders[-1]
    paths.warehouse.mkdir()
    for folder in folders:
        if folder not in (late, nightly):
            shutil.copytree(folder, paths.landing / folder.name)
    load(paths.warehouse, paths.landing, FIRST_LOAD_AT)
    build_as_nightly(paths.warehouse)
    (root / "held_back").write_text(f"{late.name}\n{nightly.name}\n")


@pytest.fixture(scope="session")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    root = shared_state(tmp_path_factory, "nightly_builds_base", build_base)
    late, nightly = (root / "held_back").read_text().split()
    paths = Paths(landing=root / "landing", warehouse=root / "warehouse")
    return Base(paths=paths, drops=root / "drops", late=late, nightly=nightly)


def deliver(base: Base, paths: Paths, drop: str, loaded_at: datetime) -> None:
    shutil.copytree(base.drops / drop, paths.landing / drop)
    load(paths.warehouse, paths.landing, loaded_at)


def plain_nightly_drop(base: Base, paths: Paths, tmp_path: Path) -> Night:
    deliver(base, paths, base.nightly, datetime(2025, 2, 1, 2))
    return Night(changes_from=date.fromisoformat(base.nightly))


def late_drop(base: Base, paths: Paths, tmp_path: Path) -> Night:
    deliver(base, paths, base.late, datetime(2025, 2, 1, 2))
    return Night(changes_from=date.fromisoformat(base.late))


def corrected_redelivery_of_a_drop_stopped_at_the_gate(
    base: Base, paths: Paths, tmp_path: Path
) -> Night:
    """The nightly drop loaded but never built (the gate stopped it), then re-delivered
    corrected: the loader forgets it and loads it again. Nothing built is replaced, so
    this is no full refresh; a row the first delivery had is gone."""
    deliver(base, paths, base.nightly, datetime(2025, 2, 1, 2))
    correct_drop(paths.landing / base.nightly)
    with duckdb.connect(str(paths.warehouse / BUILD_DATABASE_NAME)) as connection:
        drop_log.forget_drops(connection, [date.fromisoformat(base.nightly)])
    load(paths.warehouse, paths.landing, datetime(2025, 2, 1, 3))
    return Night(changes_from=date.fromisoformat(base.nightly))


def backdated_team_move(base: Base, paths: Paths, tmp_path: Path) -> Night:
    night = date.fromisoformat(base.nightly)
    team_move_and_activity_edit(paths.landing, night)
    load(paths.warehouse, paths.landing, datetime(2025, 2, 1, 2))
    return Night(changes_from=night - timedelta(days=NIGHTLY_TEAM_MOVE_BACK_DAYS))


def backdated_close_of_an_open_deal(base: Base, paths: Paths, tmp_path: Path) -> Night:
    night = date.fromisoformat(base.nightly)
    backdated_close(paths.landing, night, BACKDATED_CLOSE_DAYS)
    load(paths.warehouse, paths.landing, datetime(2025, 2, 1, 2))
    return Night(changes_from=night - timedelta(days=BACKDATED_CLOSE_DAYS))


def amount_edit_of_a_closed_deal(base: Base, paths: Paths, tmp_path: Path) -> Night:
    close_day = closed_amount_edit(paths.landing, date.fromisoformat(base.nightly))
    load(paths.warehouse, paths.landing, datetime(2025, 2, 1, 2))
    return Night(changes_from=close_day)


def deletion_of_an_open_deal(base: Base, paths: Paths, tmp_path: Path) -> Night:
    """A deal created at the start deleted tonight: it leaves the marts from tonight on,
    and the days since its creation stay as they were."""
    night = date.fromisoformat(base.nightly)
    created_on = open_deal_deletion(paths.landing, night)
    load(paths.warehouse, paths.landing, datetime(2025, 2, 1, 2))
    return Night(changes_from=night, unchanged_through=created_on)


def seed_edit(base: Base, paths: Paths, tmp_path: Path) -> Night:
    """A copy of the dbt project whose seed no longer counts emails as touches, with the
    nightly drop."""
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=NOT_PROJECT_FILES)
    seed = project / "seeds" / "activity_types.csv"
    seed.write_text(seed.read_text().replace("email,email,true", "email,email,false"))
    target = tmp_path / "parsed"
    run_dbt(paths.warehouse, "parse", target_path=target, project_dir=project)
    deliver(base, paths, base.nightly, datetime(2025, 2, 1, 2))
    return Night(changes_from=None, project_dir=project, manifest_path=target / "manifest.json")


def var_change(base: Base, paths: Paths, tmp_path: Path) -> Night:
    deliver(base, paths, base.nightly, datetime(2025, 2, 1, 2))
    return Night(changes_from=None, dbt_vars={"stalled_after_days": 3})


NIGHTS: dict[str, Callable[[Base, Paths, Path], Night]] = {
    night.__name__: night
    for night in (
        plain_nightly_drop,
        late_drop,
        corrected_redelivery_of_a_drop_stopped_at_the_gate,
        backdated_team_move,
        backdated_close_of_an_open_deal,
        amount_edit_of_a_closed_deal,
        deletion_of_an_open_deal,
        seed_edit,
        var_change,
    )
}


@pytest.mark.parametrize("night", NIGHTS)
def test_a_nightly_build_equals_a_full_build_of_the_same_drops(
    night: str, base: Base, tmp_path: Path
) -> None:
    paths = copy_state(base.paths, tmp_path / "installation")
    before = duckdb_marts(paths.warehouse)
    brought = NIGHTS[night](base, paths, tmp_path)

    plan, rebuilt_from = build_as_nightly(
        paths.warehouse,
        brought.dbt_vars,
        project_dir=brought.project_dir,
        manifest_path=brought.manifest_path,
    )
    assert plan.full_refresh == (brought.changes_from is None), plan.reason
    if brought.changes_from is not None:
        assert EVERY_DAY < rebuilt_from <= brought.changes_from
    if brought.unchanged_through is not None:
        assert rebuilt_from > brought.unchanged_through
    nightly = duckdb_marts(paths.warehouse)

    build_from_scratch(paths.warehouse, brought.dbt_vars, brought.project_dir)
    full = duckdb_marts(paths.warehouse)
    assert nightly.keys() == full.keys()
    for mart in full:
        assert same_mart(nightly[mart], full[mart]), mart
    # The night changed the marts, or the comparison would prove nothing.
    assert not all(same_mart(before[mart], full[mart]) for mart in full)


def same_mart(left: Mart, right: Mart) -> bool:
    """Same columns, and the same rows in any order (numbers within 1e-9)."""
    return (
        left[0] == right[0]
        and len(left[1]) == len(right[1])
        and not differences(left[1], right[1], "full build")
    )
