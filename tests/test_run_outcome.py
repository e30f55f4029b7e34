"""A run Dagster calls a success is reported published only if its publish step ran.

Dagster skips a step whose input was not materialized and still ends the run a success;
`pipehealth run` must then exit 2, naming the skipped steps, not print last night's
marts as the run's. The run here is a real Dagster run of a two-asset job shaped like
the pipeline's last steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.exit_codes import EXIT_ERROR
from dagster_project.run import report_result
from dagster_project.settings import Paths


def run_that_builds_no_marts_then_publishes() -> dg.ExecuteInProcessResult:
    @dg.asset(output_required=False)
    def pipehealth_dbt_models() -> Iterator[dg.Output[None]]:
        yield from ()

    @dg.asset(key_prefix="publish", deps=[pipehealth_dbt_models])
    def published_marts() -> None:
        """Stands where the pipeline's publish step stands: after the marts."""

    return dg.materialize(
        [pipehealth_dbt_models, published_marts],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_a_successful_run_that_skipped_the_publish_exits_2_naming_the_skipped_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_that_builds_no_marts_then_publishes()
    assert result.success
    capsys.readouterr()  # Dagster's own log lines of the run
    run_log = tmp_path / "run.log"

    exit_code = report_result(result, Paths(tmp_path / "landing", tmp_path), run_log)

    assert exit_code == EXIT_ERROR
    stderr = capsys.readouterr().err.strip()
    assert stderr == (
        "pipehealth run failed; nothing was published: Dagster skipped steps "
        f"publish__published_marts, the publish among them (details in {run_log})"
    )
    assert "nothing was published" in run_log.read_text(encoding="utf-8")
