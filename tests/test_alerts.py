"""The run-failure alert: one concise, well-formed message for a failing quality check."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.alerts import run_failure_alert


def write_full_export(landing: Path) -> None:
    folder = landing / "2025-01-01"
    folder.mkdir(parents=True)
    (folder / "users.csv").write_text(
        "user_id,full_name,role,is_active,updated_at\nu1,Ann Lee,rep,true,2025-01-01T00:00:00Z\n"
    )
    (folder / "accounts.csv").write_text(
        "account_id,account_name,created_at,updated_at\n"
        "a1,Acme,2024-12-01T00:00:00Z,2024-12-01T00:00:00Z\n"
    )
    (folder / "deals.csv").write_text(
        "deal_id,deal_name,account_id,owner_id,pipeline,stage,amount,currency,"
        "expected_close_date,created_at,updated_at\n"
        'd1,Acme,a1,u1,new_business,qualification,"12,5O0",USD,2025-02-01,'
        "2025-01-01T10:00:00Z,2025-01-01T10:00:00Z\n"
    )
    (folder / "_SUCCESS").touch()


@pytest.fixture(scope="module")
def failed_run(
    dbt_manifest: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    """The build job run on one drop whose deals break the gate: it fails at raw_gate."""
    from dagster_project.definitions import defs

    root = tmp_path_factory.mktemp("alerts")
    write_full_export(root / "landing")
    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPEHEALTH_LANDING", str(root / "landing"))
        patch.setenv("PIPEHEALTH_WAREHOUSE", str(root / "warehouse"))
        result = defs.resolve_job_def("pipehealth_build").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not result.success
    return instance, result


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A webhook receiver on loopback: (its URL, the requests it received)."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/pipehealth", received
    finally:
        server.shutdown()
        server.server_close()


def evaluate_alert_sensor(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> None:
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()
    run_failure_alert(context)


def test_the_webhook_receives_one_well_formed_alert_naming_the_failed_check(
    failed_run: tuple[dg.DagsterInstance, dg.ExecuteInProcessResult],
    webhook: tuple[str, list[tuple[dict[str, str], bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance, result = failed_run
    url, received = webhook
    monkeypatch.setenv("PIPEHEALTH_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("PIPEHEALTH_UI_URL", "http://dagster.example:3000/")

    evaluate_alert_sensor(instance, result)

    assert len(received) == 1
    headers, body = received[0]
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert list(payload) == ["text"]
    lines = payload["text"].splitlines()
    assert lines[0] == f"pipehealth: run of pipehealth_build failed (run {result.run_id})"
    assert lines[1].startswith("Failed check: raw/deals raw_gate: raw.deals blocked: 1 problem")
    assert lines[2].startswith("  - blocks:")
    assert "amount" in lines[2]
    assert not any(line.startswith("Failed step:") for line in lines)
    assert lines[-1] == f"Run: http://dagster.example:3000/runs/{result.run_id}"
    assert all(len(line) <= 300 for line in lines)


def test_without_a_webhook_the_alert_is_only_logged(
    failed_run: tuple[dg.DagsterInstance, dg.ExecuteInProcessResult],
    webhook: tuple[str, list[tuple[dict[str, str], bytes]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance, result = failed_run
    monkeypatch.delenv("PIPEHEALTH_ALERT_WEBHOOK_URL", raising=False)

    evaluate_alert_sensor(instance, result)

    assert webhook[1] == []
