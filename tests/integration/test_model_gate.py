"""The model gate: a dbt test that fails inside `dbt build` stops publishing.

Guards against dagster issues 19821 and 25112 (a check or test failing in one asset
while a separately defined downstream asset still runs): the publish asset must not run,
the run exits 1 and the served BI file and Parquet keep their checksums.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from corpus import checksums, deliver
from pipeline_runs import copy_state, run_in

from dagster_project.exit_codes import EXIT_GATE_FAILED, EXIT_PUBLISHED, GATE_FAILURE_METADATA_KEY
from dagster_project.publish.assets import PUBLISHED_MARTS_KEY
from dagster_project.settings import Paths
from dagster_project.sql_text import quote_identifier
from dagster_project.transform.dbt_assets import build_failure

# One worker runs both runs (and builds the state they copy), while the other starts on
# the nightly builds: two workers asking for one shared state at once, one of them waits.
pytestmark = pytest.mark.slow

FAILING_TEST = "assert_deal_stages_are_configured"


def test_a_failing_dbt_test_skips_publishing(
    good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_state(good_state, tmp_path)
    published_before = checksums(paths)
    # A contradiction the raw gate cannot see any more: a version of deal d107 in a stage
    # the seed does not configure, in the drop the gate already passed, loaded again (as a
    # suite loosened, or a seed edited after the gate, would let through). The dbt singular
    # test must catch it. Loaded again, as the loader does it: every raw row of the drop
    # and its drop log entry get a new load time, which the incremental models read.
    with duckdb.connect(str(paths.build_database)) as connection:
        drop_date, reloaded_at = connection.execute(
            "select max(drop_date), max(loaded_at) + interval 1 hour from raw._drops"
        ).fetchone()
        raw_tables = connection.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'raw' and column_name = '_loaded_at'"
        ).fetchall()
        for (table,) in raw_tables:
            connection.execute(
                f"update raw.{quote_identifier(table)} set _loaded_at = ? where _extract_date = ?",
                [reloaded_at, drop_date],
            )
        connection.execute(
            "update raw._drops set loaded_at = ? where drop_date = ?", [reloaded_at, drop_date]
        )
        connection.execute(
            "insert into raw.deals by name "
            "select * replace ('verbal_commit' as stage, '2025-03-03T12:00:00Z' as updated_at, "
            "'contradiction' as _row_hash) "
            "from raw.deals where deal_id = 'd107'"
        )
    capsys.readouterr()

    run = run_in(paths)

    assert run.exit_code == EXIT_GATE_FAILED
    assert PUBLISHED_MARTS_KEY not in run.materialized()
    assert checksums(paths) == published_before
    message = capsys.readouterr().err
    assert "Stopped by a quality gate; nothing was published." in message
    assert "dbt build: 1 test(s) or model contract(s) failed" in message
    assert f"{FAILING_TEST}: Got 1 result, configured to fail if != 0" in message


def test_a_warning_publishes_and_the_summary_names_it(
    good_state: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A test at severity warn reading several models (here the field history against the
    extracts) publishes, and the summary lists it under the model it checks."""
    paths = copy_state(good_state, tmp_path)
    # d107's first extracted version, updated 2024-10-23 11:00, holds amount 2250.00: a
    # history row an hour before it that sets 9999.00 contradicts it.
    drop = tmp_path / "history_drop"
    drop.mkdir()
    (drop / "deal_field_history.csv").write_text(
        "deal_id,field,old_value,new_value,changed_at\n"
        "d107,amount,2000.00,9999.00,2024-10-23T10:00:00Z\n"
    )
    deliver(paths, drop, drop_date="2025-03-04")
    capsys.readouterr()

    run = run_in(paths)

    assert run.exit_code == EXIT_PUBLISHED
    summary = capsys.readouterr().out
    assert (
        "warning:       intermediate/int_source_deal_field_history / "
        "assert_deal_field_history_agrees_with_extracts (1 rows)"
    ) in summary


def result(unique_id: str, status: str, message: str | None = None) -> dict[str, object]:
    return {"unique_id": unique_id, "status": status, "message": message}


@pytest.mark.parametrize(
    ("results", "is_gate_stop", "words"),
    [
        (
            [
                result("model.pipehealth.snap_deals", "success"),
                result("test.pipehealth.unique_snap_deals_deal_version_id.5f1", "fail", "Got 2"),
                result("model.pipehealth.mart_top_deals", "skipped"),
            ],
            True,
            "1 test(s) or model contract(s) failed, so the marts are not published:\n"
            "  - unique_snap_deals_deal_version_id: Got 2",
        ),
        (
            [result("model.pipehealth.mart_funnel", "error", "Its enforced contract failed")],
            True,
            "  - mart_funnel: Its enforced contract failed",
        ),
        (
            [
                result("test.pipehealth.unique_snap_deals_deal_version_id.5f1", "fail", "Got 2"),
                result("model.pipehealth.mart_funnel", "error", "Binder Error: column x"),
            ],
            False,
            "dbt build failed:\n  - unique_snap_deals_deal_version_id: Got 2\n"
            "  - mart_funnel: Binder Error: column x",
        ),
    ],
    ids=["a failing test", "a broken contract", "a model that does not run"],
)
def test_a_dbt_build_failure_is_a_gate_stop_only_for_tests_and_contracts(
    results: list[dict[str, object]], is_gate_stop: bool, words: str
) -> None:

    failure = build_failure({"results": results})

    assert (GATE_FAILURE_METADATA_KEY in failure.metadata) is is_gate_stop
    assert words in (failure.description or "")
