"""The benchmark's pandas peer (bench/peer.py) still computes what the marts hold.

The benchmark compares the pipeline with the peer only because both do equal work;
when a mart's definition moves, this fails first, at the shared sample's small scale.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from dagster_project.settings import BUILD_DATABASE_NAME, REPO_ROOT


@pytest.fixture(scope="module")
def peer() -> ModuleType:
    # bench/ holds scripts, not a package: load the module from its file.
    spec = importlib.util.spec_from_file_location("bench_peer", REPO_ROOT / "bench" / "peer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_peer_equals_the_three_marts(peer: ModuleType, sample: tuple[Path, Path]) -> None:
    landing, warehouse = sample
    report = peer.compare_with_marts(landing, warehouse / BUILD_DATABASE_NAME)
    # Not trivially equal: every comparison had rows.
    assert report["rows"]["snapshot"] > 5_000
    assert report["rows"]["attainment"] > 20
    assert report["rows"]["conversion"] > 20


def test_peer_notices_a_different_mart(peer: ModuleType, sample: tuple[Path, Path]) -> None:
    landing, warehouse = sample
    versions = peer.deal_versions(landing)
    computed = peer.stage_conversion(landing, versions)
    mart = peer.read_marts(warehouse / BUILD_DATABASE_NAME)["conversion"]
    mart.loc[0, "deals_reached"] += 1
    with pytest.raises(AssertionError):
        peer.assert_equal("conversion", computed, mart, ["pipeline", "stage", "cohort_month"])


@pytest.fixture(scope="module")
def peer_snapshot(peer: ModuleType, sample: tuple[Path, Path]) -> pd.DataFrame:
    landing, _ = sample
    return peer.daily_snapshot(
        peer.deal_versions(landing),
        peer.completed_activity_days(landing),
        peer.as_of_date(landing),
        peer.STALLED_AFTER_DAYS,
    )


@pytest.mark.parametrize("column", ["days_in_stage", "last_activity_date", "is_stalled"])
def test_peer_notices_a_different_snapshot_figure(
    peer: ModuleType, sample: tuple[Path, Path], peer_snapshot: pd.DataFrame, column: str
) -> None:
    """The figures the peer adds to the snapshot beyond amounts are compared too."""
    _, warehouse = sample
    mart = peer.read_marts(warehouse / BUILD_DATABASE_NAME)["snapshot"]
    row = mart[column].first_valid_index()
    if column == "is_stalled":
        mart.loc[row, column] = not mart.loc[row, column]
    elif column == "last_activity_date":
        mart.loc[row, column] = pd.Timestamp(mart.loc[row, column]) - pd.Timedelta(days=1)
    else:
        mart.loc[row, column] += 1
    with pytest.raises(AssertionError, match=column):
        peer.assert_equal("snapshot", peer_snapshot.copy(), mart, ["deal_id", "snapshot_date"])
