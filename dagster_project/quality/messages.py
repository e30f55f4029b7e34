"""The sentences the gate reports: drop, file, column, expectation, failing rows, examples.

e.g. `2025-01-03/deals.csv: column amount: 3 of 120 rows do not parse as a number
(expect_column_values_to_match_regex), e.g. row 17 '12,5O0'`
"""

from __future__ import annotations

from dagster_project.quality.results import ExpectationResult, FailingRow, GateReport

MAX_LISTED = 20  # problems spelled out in a check's description; all are in the audit


def result_message(result: ExpectationResult) -> str | None:
    """One line for a result with failing rows; None when every row passed."""
    if result.failing_rows == 0:
        return None
    spec = result.spec
    drop = result.drop
    columns = spec.reported_columns
    if _is_missing_column(result):
        return (
            f"column {columns[0]} missing from {drop.source_files} "
            f"(empty in all {drop.rows_in_files} rows){_drift(result)} ({spec.type})"
        )
    label = "column" if len(columns) == 1 else "columns"
    text = (
        f"{drop.source_files}: {label} {', '.join(columns)}: "
        f"{result.failing_rows} of {drop.rows_in_files} rows {spec.failure}{_tolerance(result)}"
        f"{_drift(result)} ({spec.type}), e.g. {sample_text(result, separator=', ')}"
    )
    return f"{text}; {spec.hint}" if spec.hint else text


def sample_text(result: ExpectationResult, separator: str = "; ") -> str | None:
    if not result.examples:
        return None
    return separator.join(_example(row, result.drop.source_files) for row in result.examples)


def check_description(report: GateReport) -> str:
    """What the Dagster check says: blocking problems first, then warnings."""
    if not report.drops:
        return f"raw.{report.entity}: no new drops to check"
    scope = (
        f"{len(report.drops)} drop(s) "
        f"({report.drops[0].extract_date} .. {report.drops[-1].extract_date}, "
        f"{sum(drop.rows_in_files for drop in report.drops)} rows)"
    )
    if report.blocking:
        head = f"raw.{report.entity} blocked: {len(report.blocking)} problem(s) in {scope}"
    elif report.warnings:
        head = f"raw.{report.entity} passed with {len(report.warnings)} warning(s) in {scope}"
    else:
        head = f"raw.{report.entity} passed: {scope}"
    lines = [f"- blocks: {result_message(result)}" for result in report.blocking]
    lines += [f"- warns: {result_message(result)}" for result in report.warnings]
    if len(lines) > MAX_LISTED:
        lines = [
            *lines[:MAX_LISTED],
            f"- ... {len(lines) - MAX_LISTED} more in audit.check_results",
        ]
    return "\n".join([head, *lines])


def _is_missing_column(result: ExpectationResult) -> bool:
    """A required column that is null on every row: absent from the file, or never filled."""
    return (
        result.spec.type == "expect_column_values_to_not_be_null"
        and result.failing_rows == result.drop.rows_in_files
    )


def _tolerance(result: ExpectationResult) -> str:
    if result.spec.mostly >= 1 or not result.judged_rows:
        return ""
    share = 100 * result.failing_rows / result.judged_rows
    allowed = 100 * (1 - result.spec.mostly)
    verdict = "within" if result.passed else "more than"
    return f" ({share:.1f}% of {result.judged_rows} checked, {verdict} the {allowed:g}% tolerated)"


def _drift(result: ExpectationResult) -> str:
    """This drop's failing share against the check's history, when it has one."""
    rule = result.spec.drift
    if rule is None or result.baseline is None:
        return ""
    comparison = (
        f"{100 * result.failing_share:.1f}% of the drop against a median of "
        f"{100 * result.baseline:.1f}% over the last {result.history_drops} loaded drop(s)"
    )
    if not result.drifted:
        return f" ({comparison})"
    return (
        f" (a jump: {comparison}, more than {rule.times_median:g}x the median and "
        f"{rule.points_above_median:g} points above it in {result.failing_rows} rows: a broken "
        "export? If the CRM really "
        "changed, raise meta.drift in the suite file in expectations/ until the median follows)"
    )


def _example(row: FailingRow, drop_files: str) -> str:
    # A drop holds one file per entity; name the file only when it has several.
    where = f"row {row.source_row}"
    if row.source_file != drop_files:
        where = f"{row.source_file} {where}"
    if len(row.values) == 1:
        return f"{where} {_quoted(row.values[0][1])}"
    shown = " ".join(f"{column}={_quoted(value)}" for column, value in row.values)
    return f"{where} ({shown})"


def _quoted(value: str | None) -> str:
    return "null" if value is None else repr(value)
