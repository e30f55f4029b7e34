"""The example dashboard queries in dagster_project/publish/example_queries/ run against
the served BI file, read-only as BI reads it, and return sane figures; and BI's other
ways in read the same file: a DuckDB 1.1 client (the engine BI drivers bundle) and
SQLAlchemy through duckdb-engine (as Superset connects).

The DuckDB 1.1 client lives in a virtualenv of its own (`eval "$(bash .ci/old-duckdb)"`
creates it and sets PIPEHEALTH_OLD_DUCKDB_PYTHON). Without it its test is skipped, unless
PIPEHEALTH_REQUIRE_OLD_DUCKDB=1 (set in CI), where a missing client fails it.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy

from dagster_project.publish.checksums import mart_names
from dagster_project.settings import REPO_ROOT, Paths

QUERIES_DIR = REPO_ROOT / "dagster_project" / "publish" / "example_queries"
OLD_DUCKDB_VERSION = "1.1.3"
OLD_DUCKDB_PYTHON = Path(
    os.environ.get(
        "PIPEHEALTH_OLD_DUCKDB_PYTHON", REPO_ROOT / ".venv-duckdb-1.1" / "bin" / "python"
    )
)

# Run by the DuckDB 1.1 client: every mart's row count and every example query's rows,
# as JSON (values the JSON module does not know, like dates and decimals, as text).
OLD_CLIENT_SCRIPT = """
import json, sys, duckdb
served, queries = sys.argv[1], json.loads(sys.argv[2])
with duckdb.connect(served, read_only=True) as connection:
    marts = [name for (name,) in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()]
    print(json.dumps({
        "version": duckdb.__version__,
        "rows": {m: connection.execute(f"select count(*) from marts.{m}").fetchone()[0]
                 for m in marts},
        "queries": {name: [list(row) for row in connection.execute(sql).fetchall()]
                    for name, sql in queries.items()},
    }, default=str))
"""


@pytest.fixture(scope="module")
def served(published_sample: Paths) -> Path:
    """The BI file the shared sample's run published."""
    return published_sample.served_database


def run_example(served: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(served), read_only=True) as connection:
        frame = connection.execute((QUERIES_DIR / f"{name}.sql").read_text()).fetch_df()
    assert len(frame) > 0, f"{name}.sql returned no rows"
    return frame


def example_queries() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(QUERIES_DIR.glob("*.sql"))}


def as_json(rows: list) -> list:
    """Rows as the old client's script reports them, for comparing values across clients."""
    return json.loads(json.dumps([list(row) for row in rows], default=str))


def _old_duckdb_or_skip() -> Path:
    if not OLD_DUCKDB_PYTHON.is_file():
        reason = f"no DuckDB {OLD_DUCKDB_VERSION} client at {OLD_DUCKDB_PYTHON}"
        if os.environ.get("PIPEHEALTH_REQUIRE_OLD_DUCKDB") == "1":
            pytest.fail(f"PIPEHEALTH_REQUIRE_OLD_DUCKDB=1 but {reason}")
        pytest.skip(f'{reason}; eval "$(bash .ci/old-duckdb)" installs one')
    return OLD_DUCKDB_PYTHON


@pytest.mark.old_duckdb
def test_a_duckdb_1_1_client_reads_every_mart_and_runs_every_example_query(served: Path) -> None:
    python = _old_duckdb_or_skip()
    queries = example_queries()

    completed = subprocess.run(
        [python, "-c", OLD_CLIENT_SCRIPT, str(served), json.dumps(queries)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    old_client = json.loads(completed.stdout)
    assert old_client["version"] == OLD_DUCKDB_VERSION
    with duckdb.connect(str(served), read_only=True) as connection:
        rows = {
            mart: connection.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            for mart in mart_names(connection)
        }
        answers = {
            name: as_json(connection.execute(sql).fetchall()) for name, sql in queries.items()
        }
    assert old_client["rows"] == rows
    assert sum(rows.values()) > 0
    assert old_client["queries"] == answers


def test_sqlalchemy_through_duckdb_engine_lists_the_marts_and_runs_every_example_query(
    served: Path,
) -> None:
    # What Superset does with the URI and engine parameters docs/bi.md gives.
    engine = sqlalchemy.create_engine(f"duckdb:///{served}", connect_args={"read_only": True})
    try:
        listed = sqlalchemy.inspect(engine).get_table_names(schema="marts")
        with engine.connect() as connection:
            answers = {
                name: as_json(connection.execute(sqlalchemy.text(sql)).fetchall())
                for name, sql in example_queries().items()
            }
    finally:
        engine.dispose()

    with duckdb.connect(str(served), read_only=True) as connection:
        assert sorted(listed) == mart_names(connection)
        for name, sql in example_queries().items():
            assert answers[name] == as_json(connection.execute(sql).fetchall()), name
            assert len(answers[name]) > 0, name


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

    movements = frame[["created", "increased", "decreased", "won", "lost", "removed"]].astype(float)
    expected_closing = (
        frame["opening"]
        + movements["created"]
        + movements["increased"]
        - movements["decreased"]
        - movements["won"]
        - movements["lost"]
        - movements["removed"]
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
