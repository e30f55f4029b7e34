"""The example dashboard queries in dagster_project/publish/example_queries/ run against
the served BI file, read-only as BI reads it, and return sane figures."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.settings import REPO_ROOT, Paths

QUERIES_DIR = REPO_ROOT / "dagster_project" / "publish" / "example_queries"


@pytest.fixture(scope="module")
def served(published_sample: Paths) -> Path:
    """The BI file the shared sample's run published."""
    return published_sample.served_database


def run_example(served: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(served), read_only=True) as connection:
        frame = connection.execute((QUERIES_DIR / f"{name}.sql").read_text()).fetch_df()
    assert len(frame) > 0, f"{name}.sql returned no rows"
    return frame


def test_every_example_query_is_tested() -> None:
    tested = {
        "attainment_vs_pace",
        "pipeline_coverage",
        "lead_funnel",
        "pipeline_waterfall",
        "top_deals",
    }
    assert {path.stem for path in QUERIES_DIR.glob("*.sql")} == tested


def test_attainment_vs_pace(served: Path) -> None:
    frame = run_example(served, "attainment_vs_pace")

    assert frame["rep"].is_unique
    assert frame["quarter_start"].nunique() == 1
    assert (frame["quota"].astype(float) > 0).all()
    assert frame["expected_pace_pct"].astype(float).between(0, 100).all()
    assert (frame["attainment_pct"].astype(float) >= 0).all()
    on_pace = frame["attainment_pct"].astype(float) >= frame["expected_pace_pct"].astype(float)
    assert (frame["is_on_pace"] == on_pace).all()


def test_pipeline_coverage(served: Path) -> None:
    frame = run_example(served, "pipeline_coverage")

    assert frame["team"].is_unique
    assert frame["as_of_date"].nunique() == 1
    assert (frame["open_pipeline_this_quarter"].astype(float) >= 0).all()
    with_quota_left = frame[frame["remaining_quota"].astype(float) > 0]
    assert len(with_quota_left) > 0
    expected = with_quota_left["open_pipeline_this_quarter"].astype(float) / with_quota_left[
        "remaining_quota"
    ].astype(float)
    assert with_quota_left["coverage_ratio"].astype(float).to_numpy() == pytest.approx(
        expected.to_numpy(), abs=1e-5
    )


def test_lead_funnel(served: Path) -> None:
    frame = run_example(served, "lead_funnel")

    steps = ["leads", "mqls", "sqls", "opportunities", "won"]
    for wider, narrower in itertools.pairwise(steps):
        assert (frame[wider] >= frame[narrower]).all(), (wider, narrower)
    assert frame["leads"].sum() > 0
    for rate in ["lead_to_mql_rate", "mql_to_sql_rate", "opportunity_to_won_rate"]:
        assert frame[rate].dropna().between(0, 1).all()


def test_pipeline_waterfall(served: Path) -> None:
    frame = run_example(served, "pipeline_waterfall").astype({"opening": float})

    movements = frame[["created", "increased", "decreased", "won", "lost"]].astype(float)
    expected_closing = (
        frame["opening"]
        + movements["created"]
        + movements["increased"]
        - movements["decreased"]
        - movements["won"]
        - movements["lost"]
    )
    assert frame["closing"].astype(float).to_numpy() == pytest.approx(
        expected_closing.to_numpy(), abs=0.01
    )
    assert len(frame) <= 8
    assert frame["week_start"].is_monotonic_decreasing


def test_top_deals(served: Path) -> None:
    frame = run_example(served, "top_deals")

    assert list(frame["deal_rank"]) == list(range(1, len(frame) + 1))
    assert len(frame) <= 20
    assert frame["weighted_amount"].astype(float).is_monotonic_decreasing
    assert (frame["weighted_amount"].astype(float) <= frame["amount"].astype(float)).all()
