"""Write export tables as drop folders: `<out>/<YYYY-MM-DD>/<entity>.<ext>`.

DuckDB renders each table's values to text in one query per table: for CSV and JSON
Lines one finished line per row (RFC 4180 quoting, or a JSON object), for Parquet a
table of text columns. Rows arrive sorted by drop, so each drop's file is one slice of
that result: written straight into the drop folder, with no per-row Python. A drop is
sealed with `_manifest.json`, then `_SUCCESS` last.

(A DuckDB `COPY ... PARTITION_BY` per entity was measured first: its ~1.3 ms per
partition file made scale S take 10 s, against ~3 s this way.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .contract import ENTITIES, ENTITY_COLUMNS, Column, Kind, column_names
from .exports import DROP_COLUMN

FileFormat = Literal["csv", "parquet", "jsonl"]
MANIFEST = "_manifest.json"
SUCCESS = "_SUCCESS"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NEWLINE = "chr(10)"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def render(kind: Kind, sql: str, column: Column | None = None) -> str:
    """SQL text of a typed value, per the contract's formats (NULL stays NULL)."""
    if kind is Kind.ID:
        assert column is not None and column.id_format is not None
        return f"printf('{column.id_format.prefix}%0{column.id_format.digits}d', {sql})"
    if kind is Kind.TIMESTAMP:
        return f"strftime({sql}, '{TIMESTAMP_FORMAT}')"
    if kind is Kind.DATE:
        return f"strftime({sql}, '%Y-%m-%d')"
    if kind is Kind.MONEY:
        return f"printf('%d.%02d', {sql} // 100, {sql} % 100)"
    return f"CAST({sql} AS VARCHAR)"


def _history_value(which: str) -> str:
    """old_value / new_value, rendered per the changed field's own type."""
    number, text = quote(f"_{which}_number"), quote(f"_{which}_text")
    owner_id = next(c for c in ENTITY_COLUMNS["deals"] if c.name == "owner_id")
    epoch_date = f"DATE '1970-01-01' + CAST({number} AS INTEGER)"
    return (
        f"CASE {quote('field')}"
        f" WHEN 'amount' THEN {render(Kind.MONEY, number)}"
        f" WHEN 'expected_close_date' THEN {render(Kind.DATE, epoch_date)}"
        f" WHEN 'probability' THEN {render(Kind.INTEGER, number)}"
        f" WHEN 'owner_id' THEN {render(Kind.ID, number, owner_id)}"
        f" ELSE CAST({text} AS VARCHAR) END"
    )


def _rendered_columns(entity: str) -> list[tuple[Column, str]]:
    rendered = []
    for column in ENTITY_COLUMNS[entity]:
        if entity == "deal_field_history" and column.name in ("old_value", "new_value"):
            rendered.append((column, _history_value(column.name.removesuffix("_value"))))
        else:
            rendered.append((column, render(column.kind, quote(column.name), column)))
    return rendered


def _csv_field(column: Column, sql: str) -> str:
    """RFC 4180: quote a text value holding a comma, quote or line break (or empty)."""
    if column.kind is not Kind.TEXT:
        return sql
    return (
        f"CASE WHEN {sql} = '' OR regexp_matches({sql}, '[\",\\r\\n]')"
        f" THEN '\"' || replace({sql}, '\"', '\"\"') || '\"' ELSE {sql} END"
    )


def select_sql(entity: str, file_format: FileFormat) -> str:
    """The query rendering `export_rows` for one entity: text lines or text columns."""
    columns = _rendered_columns(entity)
    if file_format == "csv":
        parts = ", ',', ".join(_csv_field(column, sql) for column, sql in columns)
        return f"SELECT concat({parts}, {NEWLINE}) AS line FROM export_rows"
    if file_format == "jsonl":
        members = ", ".join(f"{quote(column.name)} := {sql}" for column, sql in columns)
        return f"SELECT to_json(struct_pack({members})) || {NEWLINE} AS line FROM export_rows"
    return (
        "SELECT "
        + ", ".join(f"{sql} AS {quote(c.name)}" for c, sql in columns)
        + " FROM export_rows"
    )


@dataclass(frozen=True)
class _Rendered:
    """One table rendered: its rows, and where each drop's rows start."""

    data: pa.Array | pa.Table  # lines (large_string) or, for parquet, text columns
    starts: np.ndarray  # starts[d] .. starts[d + 1] are drop d's rows
    last_drop: int


def _render(con, entity: str, table: pa.Table, file_format: FileFormat, days: int) -> _Rendered:
    drop = table.column(DROP_COLUMN).to_numpy()
    con.register("export_rows", table)
    try:
        result = con.sql(select_sql(entity, file_format)).to_arrow_table()
    finally:
        con.unregister("export_rows")
    if file_format == "parquet":
        data: pa.Array | pa.Table = result.combine_chunks()
    else:
        data = result.column("line").combine_chunks().cast(pa.large_string())
    starts = np.searchsorted(drop, np.arange(days + 1), side="left")
    return _Rendered(data, starts, int(drop.max()))


def _write(
    path: Path, rendered: _Rendered, drop: int, entity: str, file_format: FileFormat
) -> None:
    start, stop = int(rendered.starts[drop]), int(rendered.starts[drop + 1])
    if file_format == "parquet":
        pq.write_table(rendered.data.slice(start, stop - start), path)
        return
    lines = rendered.data
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset :]
    body = lines.buffers()[2][int(offsets[start]) : int(offsets[stop])]
    with path.open("wb") as file:
        if file_format == "csv":
            file.write((",".join(column_names(entity)) + "\n").encode())
        file.write(body)


class _EntityStream:
    """An entity's tables, rendered one at a time as the drops advance."""

    def __init__(self, entity: str, tables: Iterable[pa.Table], con, file_format, days: int):
        self.entity = entity
        self._tables: Iterator[pa.Table] = iter(tables)
        self._con, self._format, self._days = con, file_format, days
        self.current: _Rendered | None = None
        self.rows = 0

    def covering(self, drop: int) -> _Rendered | None:
        """The rendered table holding this drop's rows, if any table reaches it."""
        while self.current is None or self.current.last_drop < drop:
            table = next(self._tables, None)
            if table is None:
                return None
            if table.num_rows:
                self.rows += table.num_rows
                self.current = _render(self._con, self.entity, table, self._format, self._days)
        return self.current


def write_drops(
    out_dir: Path,
    start_date: date,
    days: int,
    entity_tables: dict[str, Iterable[pa.Table]],
    file_format: FileFormat,
) -> dict[str, int]:
    """Write every drop folder; returns the number of data rows written per entity."""
    con = duckdb.connect()
    try:
        streams = [_EntityStream(e, entity_tables[e], con, file_format, days) for e in ENTITIES]
        for drop in range(days):
            drop_dir = out_dir / (start_date + timedelta(days=drop)).isoformat()
            drop_dir.mkdir()
            for stream in streams:
                rendered = stream.covering(drop)
                if rendered is not None and rendered.starts[drop + 1] > rendered.starts[drop]:
                    path = drop_dir / f"{stream.entity}.{file_format}"
                    _write(path, rendered, drop, stream.entity, file_format)
            manifest = {"mode": "full" if drop == 0 else "incremental", "source": "canonical"}
            (drop_dir / MANIFEST).write_text(json.dumps(manifest) + "\n", encoding="utf-8")
            (drop_dir / SUCCESS).touch()
        # Tables past the last drop would mean rows were dropped silently.
        for stream in streams:
            if stream.covering(days) is not None:
                raise RuntimeError(f"{stream.entity} has rows after the last drop")
    finally:
        con.close()
    return {stream.entity: stream.rows for stream in streams}
