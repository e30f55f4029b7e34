"""Run a suite on a pandas DataFrame with Great Expectations 1.x.

GX has no DuckDB datasource (and fails through duckdb-engine), so the gate validates
DataFrames fetched from DuckDB. One ephemeral context per process: nothing on disk,
no analytics, no progress bars.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.core import ExpectationValidationResult
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent.interfaces import Batch
from great_expectations.exceptions import GreatExpectationsError

from dagster_project.quality.suites import POSITION_META_KEY, GateSuite, SuiteError

# COMPLETE lists every failing row's index. Without `unexpected_index_column_names` GX
# returns the frame's own index labels, vectorized; naming columns there makes it look
# every failing row up one by one (seconds per 100k failing rows).
_ALL_FAILING_ROWS = {"result_format": "COMPLETE"}
_COUNTS_ONLY = {"result_format": "BASIC", "partial_unexpected_count": 0}


@functools.cache
def _batch_definition() -> BatchDefinition:
    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
            store_backend_defaults=InMemoryStoreBackendDefaults(),
        ),
    )
    asset = context.data_sources.add_pandas("raw_gate").add_dataframe_asset("chunk")
    return asset.add_batch_definition_whole_dataframe("whole_chunk")


@dataclass(frozen=True)
class FrameResult:
    """One expectation on one frame."""

    failing: np.ndarray  # sorted positions (0-based) of the failing rows
    checked_rows: int  # rows GX counts for `mostly` (non-missing ones for most expectations)


def validate_frame(
    frame: pd.DataFrame, suite: GateSuite, parameters: Mapping[str, Any]
) -> list[FrameResult]:
    """Every expectation of the suite on `frame`, in file order."""
    batch = _batch(frame.reset_index(drop=True))
    with _as_suite_error(suite):
        result = batch.validate(
            suite.suite, result_format=_ALL_FAILING_ROWS, expectation_parameters=dict(parameters)
        )
    by_position: dict[int, FrameResult] = {}
    for expectation_result in result.results:
        position = expectation_result.expectation_config.meta[POSITION_META_KEY]
        _raise_if_failed_to_run(suite, position, expectation_result)
        labels = expectation_result.result.get("unexpected_index_list") or []
        by_position[position] = FrameResult(
            failing=np.sort(np.asarray(labels, dtype=np.int64)),
            checked_rows=_checked_rows(expectation_result),
        )
    return [by_position[spec.position] for spec in suite.specs]


def checked_rows(
    frame: pd.DataFrame, suite: GateSuite, position: int, parameters: Mapping[str, Any]
) -> int:
    """How many rows of `frame` GX counts for `mostly` of one expectation."""
    batch = _batch(frame)
    with _as_suite_error(suite):
        result = batch.validate(
            suite.suite.expectations[position - 1],
            result_format=_COUNTS_ONLY,
            expectation_parameters=dict(parameters),
        )
    _raise_if_failed_to_run(suite, position, result)
    return _checked_rows(result)


def _checked_rows(result: ExpectationValidationResult) -> int:
    counts = result.result
    return int(counts["element_count"]) - int(counts.get("missing_count") or 0)


def _batch(frame: pd.DataFrame) -> Batch:
    return _batch_definition().get_batch(batch_parameters={"dataframe": frame})


@contextmanager
def _as_suite_error(suite: GateSuite) -> Iterator[None]:
    try:
        yield
    except GreatExpectationsError as error:  # e.g. a $PARAMETER the gate does not supply
        raise SuiteError(f"{suite.path}: {error}") from error


def _raise_if_failed_to_run(
    suite: GateSuite, position: int, result: ExpectationValidationResult
) -> None:
    """GX reports an expectation that could not run (bad regex, wrong types) as a result."""
    info = result.exception_info or {}
    # One flat record, or one record per metric that failed to compute.
    records = [info] if "raised_exception" in info else list(info.values())
    messages = [record["exception_message"] for record in records if record.get("raised_exception")]
    if messages:
        spec = suite.specs[position - 1]
        raise SuiteError(
            f"{suite.path}: expectation {position} ({spec.type}) failed to run: {messages[0]}"
        )
