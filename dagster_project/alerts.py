"""Tell someone when a run fails: a concise alert in the log and, if configured, a webhook.

Nobody watches the nightly run, so a failed run (a quality gate that blocked a drop,
or a crash) sends one message saying what failed, which check, and where the run is
in the Dagster UI. `PIPEHEALTH_ALERT_WEBHOOK_URL` set: the message is also POSTed as
Slack-compatible JSON (`{"text": ...}`), which Slack, Mattermost, Rocket.Chat and
Teams' incoming-webhook connectors accept. `PIPEHEALTH_UI_URL` is the UI's address
for the link (default http://localhost:3000).
"""

import json
import os
import urllib.error
import urllib.request

import dagster as dg

from dagster_project.jobs import pipehealth_build_job

WEBHOOK_URL_VARIABLE = "PIPEHEALTH_ALERT_WEBHOOK_URL"
UI_URL_VARIABLE = "PIPEHEALTH_UI_URL"
DEFAULT_UI_URL = "http://localhost:3000"
WEBHOOK_TIMEOUT_SECONDS = 10
MAX_LINE_CHARS = 300
MAX_ITEMS = 5
# A check's description is a headline then one line per problem: the first few say enough.
MAX_CHECK_LINES = 3
# A step that failed only because its blocking check failed adds nothing to the check.
CHECK_FAILED_ERROR = "DagsterAssetCheckFailedError"


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitored_jobs=[pipehealth_build_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "On a failed build: a concise alert in the log, POSTed as Slack-compatible JSON "
        f"to ${WEBHOOK_URL_VARIABLE} when it is set."
    ),
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    text = alert_text(context)
    context.log.error(text)
    webhook_url = os.environ.get(WEBHOOK_URL_VARIABLE)
    if webhook_url:
        try:
            post_alert(webhook_url, text)
        except (urllib.error.URLError, OSError) as error:
            # The alert is in the log either way; a webhook outage must not hide it.
            context.log.error(f"Could not POST the alert to {WEBHOOK_URL_VARIABLE}: {error}")


def alert_text(context: dg.RunFailureSensorContext) -> str:
    run = context.dagster_run
    lines = [f"pipehealth: run of {run.job_name} failed (run {run.run_id})"]
    lines += _failed_checks(context)[:MAX_ITEMS]
    lines += [
        f"Failed step: {event.step_key}: {_first_line(_step_error(event))}"
        for event in context.get_step_failure_events()[:MAX_ITEMS]
        if not _is_check_failure(event)
    ]
    if len(lines) == 1:
        lines.append(f"Reason: {_first_line(context.failure_event.message or 'unknown')}")
    ui_url = os.environ.get(UI_URL_VARIABLE, DEFAULT_UI_URL).rstrip("/")
    lines.append(f"Run: {ui_url}/runs/{run.run_id}")
    return "\n".join(_shorten(line) for line in lines)


def post_alert(webhook_url: str, text: str) -> None:
    request = urllib.request.Request(
        webhook_url,
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read()


def _failed_checks(context: dg.RunFailureSensorContext) -> list[str]:
    records = context.instance.get_records_for_run(
        run_id=context.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed = []
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event is not None else None
        if (
            isinstance(evaluation, dg.AssetCheckEvaluation)
            and not evaluation.passed
            and evaluation.severity == dg.AssetCheckSeverity.ERROR
        ):
            details = (evaluation.description or "failed").strip().splitlines()
            failed.append(
                f"Failed check: {evaluation.asset_key.to_user_string()} "
                f"{evaluation.check_name}: {details[0]}"
            )
            failed += [f"  {line}" for line in details[1:MAX_CHECK_LINES]]
    return failed


def _is_check_failure(event: dg.DagsterEvent) -> bool:
    error = event.step_failure_data.error
    return error is not None and error.cls_name == CHECK_FAILED_ERROR


def _step_error(event: dg.DagsterEvent) -> str:
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    return data.error.message if data.error is not None else "failed"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _shorten(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 3] + "..."
