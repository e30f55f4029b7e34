"""Gate one entity: validate the rows of `raw.<entity>` from drops not gated yet.

Rows are fetched from DuckDB in chunks of at most about `chunk_rows` rows, so memory
stays flat on a catch-up of many drops: small drops are packed whole into a chunk, a
drop larger than a chunk is split on the hash of the suite's uniqueness key (rows that
share a key meet in one chunk, so duplicates are still found). Results are counted per
drop, and `mostly` is judged per drop, as GX would on that drop alone. Drops are then
judged in date order against each check's history (the suite's drift rule): the shares
of the drops that passed before, this run's included.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dagster_project.ingest.contract import RAW_SCHEMA
from dagster_project.quality import audit
from dagster_project.quality.parameters import seed_parameters, warehouse_parameters
from dagster_project.quality.results import (
    ExpectationResult,
    ExpectationSpec,
    FailingRow,
    GateReport,
    Outcome,
    PendingDrop,
)
from dagster_project.quality.suites import (
    EXTRACT_END_COLUMN,
    GateSuite,
    SuiteError,
    load_suite,
)
from dagster_project.quality.validation import checked_rows, validate_frame
from dagster_project.sql_text import quote_identifier

EXAMPLES_PER_RESULT = 5
# A drop holds the state at the end of its date in the exporter's time zone, which may
# be as far west as UTC-12: its rows may carry times up to 36 hours after its midnight UTC.
EXTRACT_END_AFTER_MIDNIGHT = "36 hour"
_ROW_ORDER = ("_extract_date", "_source_file", "_source_row")


@dataclass(frozen=True)
class Chunk:
    drops: tuple[PendingDrop, ...]
    part: int = 0  # a drop larger than a chunk is read in `parts` parts
    parts: int = 1


@dataclass
class _Tally:
    failing_rows: int = 0
    checked_rows: int = 0
    examples: list[FailingRow] = field(default_factory=list)


def run_gate(
    connection: duckdb.DuckDBPyConnection,
    entity: str,
    *,
    run_id: str,
    expectations_dir: Path,
    seeds_dir: Path,
    chunk_rows: int,
) -> GateReport:
    """Validate every drop of raw.<entity> not gated yet, record it in `audit`, report it."""
    audit.ensure_audit_tables(connection)
    drops = (
        audit.pending_drops(connection, entity)
        if audit.raw_table_exists(connection, entity)
        else []
    )
    if not drops:
        return GateReport(entity=entity, run_id=run_id, drops=(), results=())
    suite = load_suite(entity, expectations_dir)
    parameters = {**seed_parameters(seeds_dir), **warehouse_parameters(connection)}
    absent = set(suite.raw_columns) - audit.raw_table_columns(connection, entity)
    if absent:
        raise SuiteError(f"{suite.path}: raw.{entity} has no column {', '.join(sorted(absent))}")
    # Typed columns read a timestamp without offset as UTC, as staging does.
    connection.execute("set TimeZone = 'UTC'")
    tallies: dict[tuple[PendingDrop, int], _Tally] = defaultdict(_Tally)
    for chunk in plan_chunks(drops, chunk_rows):
        frame = _fetch(connection, entity, suite, chunk)
        _tally_chunk(frame, suite, parameters, chunk, tallies)
    history = audit.check_history(connection, entity)
    results: list[ExpectationResult] = []
    for drop in drops:
        drop_results = [
            _result(drop, spec, tallies[(drop, spec.position)], history[spec.key])
            for spec in suite.specs
        ]
        if all(result.outcome is not Outcome.BLOCKED for result in drop_results):
            for result in drop_results:
                bisect.insort(
                    history[result.spec.key],
                    (drop.extract_date, result.failing_share),
                    key=_extract_date,
                )
        results += drop_results
    report = GateReport(entity=entity, run_id=run_id, drops=tuple(drops), results=tuple(results))
    audit.record(connection, report, checked_at=datetime.now(UTC).replace(tzinfo=None))
    return report


def plan_chunks(drops: Sequence[PendingDrop], chunk_rows: int) -> list[Chunk]:
    """Pack consecutive whole drops into chunks of at most `chunk_rows` rows."""
    chunks: list[Chunk] = []
    packed: list[PendingDrop] = []
    for drop in drops:
        if packed and sum(d.rows for d in packed) + drop.rows > chunk_rows:
            chunks.append(Chunk(drops=tuple(packed)))
            packed = []
        if drop.rows > chunk_rows:
            parts = math.ceil(drop.rows / chunk_rows)
            chunks.extend(Chunk(drops=(drop,), part=part, parts=parts) for part in range(parts))
        else:
            packed.append(drop)
    if packed:
        chunks.append(Chunk(drops=tuple(packed)))
    return chunks


def _fetch(
    connection: duckdb.DuckDBPyConnection, entity: str, suite: GateSuite, chunk: Chunk
) -> pd.DataFrame:
    # Staging reads a value trimmed and a blank one as null; so does the gate.
    cleaned = {name: f"nullif(trim({quote_identifier(name)}), '')" for name in suite.raw_columns}
    selected = [f"{expression} as {quote_identifier(name)}" for name, expression in cleaned.items()]
    selected += [
        f"{typed.cast.format(value=cleaned[typed.source])} as {quote_identifier(typed.name)}"
        for typed in suite.typed_columns
    ]
    selected.append(
        f"_extract_date + interval {EXTRACT_END_AFTER_MIDNIGHT} as {EXTRACT_END_COLUMN}"
    )
    selected += _ROW_ORDER
    dates = [drop.extract_date for drop in chunk.drops]
    # The range lets DuckDB skip the row groups of other drops by their min/max (raw is
    # appended drop by drop); list_contains alone reads the whole table for every chunk.
    condition = "_extract_date between ? and ? and list_contains(?, _extract_date)"
    parameters: list[Any] = [min(dates), max(dates), dates]
    if chunk.parts > 1:
        key = [cleaned.get(name, quote_identifier(name)) for name in suite.uniqueness_key]
        condition += f" and hash({', '.join(key or ['_source_row'])}) % ? = ?"
        parameters += [chunk.parts, chunk.part]
    frame = connection.execute(
        f"select {', '.join(selected)} from {RAW_SCHEMA}.{quote_identifier(entity)} "
        f"where {condition} order by {', '.join(_ROW_ORDER)}",
        parameters,
    ).fetch_df()
    if chunk.parts == 1 and len(frame) != sum(drop.rows for drop in chunk.drops):
        raise RuntimeError(f"raw.{entity} changed while the gate was reading it")
    return frame


def _tally_chunk(
    frame: pd.DataFrame,
    suite: GateSuite,
    parameters: Mapping[str, Any],
    chunk: Chunk,
    tallies: dict[tuple[PendingDrop, int], _Tally],
) -> None:
    if frame.empty:  # a part of a split drop may get no rows
        return
    # Rows are ordered by drop, so each drop of the chunk is one slice of the frame.
    stops = np.cumsum([drop.rows for drop in chunk.drops]) if chunk.parts == 1 else [len(frame)]
    starts = [0, *stops[:-1]]
    frame_results = validate_frame(frame, suite, parameters)
    for spec, frame_result in zip(suite.specs, frame_results, strict=True):
        failing = frame_result.failing
        for drop, start, stop in zip(chunk.drops, starts, stops, strict=True):
            low, high = np.searchsorted(failing, [start, stop])
            tally = tallies[(drop, spec.position)]
            if high > low:
                tally.failing_rows += int(high - low)
                examples = failing[low : min(high, low + EXAMPLES_PER_RESULT)]
                tally.examples += _failing_rows(frame, spec, examples)
            # `mostly` needs the rows GX counts for this drop (every part of a split drop):
            # GX counted them on the frame when it holds one drop, else ask for this slice.
            if spec.mostly < 1 and (high > low or chunk.parts > 1):
                tally.checked_rows += (
                    frame_result.checked_rows
                    if len(chunk.drops) == 1
                    else checked_rows(frame.iloc[start:stop], suite, spec.position, parameters)
                )


def _failing_rows(
    frame: pd.DataFrame, spec: ExpectationSpec, positions: np.ndarray
) -> list[FailingRow]:
    columns = list(spec.reported_columns)
    rows = frame.iloc[positions]
    return [
        FailingRow(
            source_file=str(record[0]),
            source_row=int(record[1]),
            values=tuple(
                (column, None if pd.isna(value) else str(value))
                for column, value in zip(columns, record[2:], strict=True)
            ),
        )
        for record in rows[["_source_file", "_source_row", *columns]].itertuples(index=False)
    ]


def _result(
    drop: PendingDrop,
    spec: ExpectationSpec,
    tally: _Tally,
    history: Sequence[tuple[date, float]],
) -> ExpectationResult:
    examples = sorted(tally.examples, key=lambda row: (row.source_file, row.source_row))
    earlier = [] if spec.drift is None else _earlier_shares(history, drop, spec.drift.history_drops)
    return ExpectationResult(
        drop=drop,
        spec=spec,
        failing_rows=tally.failing_rows,
        checked_rows=tally.checked_rows if spec.mostly < 1 and tally.failing_rows else None,
        examples=tuple(examples[:EXAMPLES_PER_RESULT]),
        baseline=statistics.median(earlier) if earlier else None,
        history_drops=len(earlier),
    )


def _earlier_shares(
    history: Sequence[tuple[date, float]], drop: PendingDrop, limit: int
) -> list[float]:
    """The check's failing shares in the last `limit` loaded drops dated before `drop`
    (`history` is by date)."""
    end = bisect.bisect_left(history, drop.extract_date, key=_extract_date)
    return [share for _, share in history[max(0, end - limit) : end]]


def _extract_date(entry: tuple[date, float]) -> date:
    return entry[0]
