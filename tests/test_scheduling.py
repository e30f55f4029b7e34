"""The landing sensor, catch-up of waiting drops, and the run queue's warehouse limit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.ingest.loader import load_pending_drops
from dagster_project.instance_config import WAREHOUSE_TAG, ensure_instance_config
from dagster_project.jobs import pipehealth_build_job
from dagster_project.sensors import new_landing_drop_sensor

DEAL_HEADER = (
    "deal_id,deal_name,account_id,owner_id,pipeline,stage,amount,currency,"
    "expected_close_date,created_at,updated_at"
)


def write_drop(landing: Path, day: str, amount: str, *, complete: bool = True) -> None:
    """A drop of one deal `d1` at `amount`; the first one is a full export."""
    folder = landing / day
    folder.mkdir(parents=True)
    (folder / "users.csv").write_text(
        "user_id,full_name,role,is_active,updated_at\nu1,Ann Lee,rep,true,2025-01-01T00:00:00Z\n"
    )
    (folder / "accounts.csv").write_text(
        "account_id,account_name,created_at,updated_at\n"
        "a1,Acme,2024-12-01T00:00:00Z,2024-12-01T00:00:00Z\n"
    )
    (folder / "deals.csv").write_text(
        f"{DEAL_HEADER}\n"
        f"d1,Acme,a1,u1,new_business,qualification,{amount},USD,2025-02-01,"
        f"2025-01-01T10:00:00Z,{day}T10:00:00Z\n"
    )
    if complete:
        (folder / "_SUCCESS").touch()


@pytest.fixture
def landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PIPEHEALTH_LANDING", str(tmp_path / "landing"))
    return tmp_path / "landing"


def evaluate_sensor(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    return new_landing_drop_sensor(dg.build_sensor_context(cursor=cursor))


def test_the_sensor_starts_a_run_for_a_new_complete_drop_only(landing: Path) -> None:
    write_drop(landing, "2025-01-01", "100.00")

    first = evaluate_sensor(cursor=None)

    assert isinstance(first, dg.SensorResult)
    assert [request.run_key for request in first.run_requests or []] == ["drops-through-2025-01-01"]
    assert first.cursor == "2025-01-01"

    # The exporter is still writing the next drop: no _SUCCESS yet.
    write_drop(landing, "2025-01-02", "150.00", complete=False)
    assert isinstance(evaluate_sensor(cursor="2025-01-01"), dg.SkipReason)

    (landing / "2025-01-02" / "_SUCCESS").touch()
    second = evaluate_sensor(cursor="2025-01-01")
    assert isinstance(second, dg.SensorResult)
    assert [request.run_key for request in second.run_requests or []] == [
        "drops-through-2025-01-02"
    ]


def test_catch_up_loads_three_waiting_drops_in_date_order(landing: Path, tmp_path: Path) -> None:
    # Written newest first, as a re-sent backlog may arrive.
    for day, amount in [
        ("2025-01-03", "175.00"),
        ("2025-01-01", "100.00"),
        ("2025-01-02", "150.00"),
    ]:
        write_drop(landing, day, amount)

    result = evaluate_sensor(cursor=None)
    assert isinstance(result, dg.SensorResult)
    assert len(result.run_requests or []) == 1  # one run catches up on all of them

    with duckdb.connect(str(tmp_path / "build.duckdb")) as connection:
        report = load_pending_drops(connection, landing, datetime(2025, 1, 4))
        versions = connection.execute(
            "select _extract_date::varchar, amount from raw.deals order by _extract_date"
        ).fetchall()

    assert report.drops_loaded == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert versions == [
        ("2025-01-01", "100.00"),
        ("2025-01-02", "150.00"),
        ("2025-01-03", "175.00"),
    ]


def test_the_run_queue_lets_one_warehouse_run_at_a_time(tmp_path: Path) -> None:
    ensure_instance_config(tmp_path)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits

    assert limits == [{"key": WAREHOUSE_TAG, "limit": 1}]
    assert pipehealth_build_job.tags[WAREHOUSE_TAG] == "build"


def test_an_existing_dagster_yaml_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    ensure_instance_config(tmp_path)

    assert (tmp_path / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
