"""Read a batch of landing files of one entity and format into a DuckDB temp table.

Every column is read as text: parsing types is the gate's job, so a malformed value
is reported with its file, column and row instead of failing the load.
"""

from __future__ import annotations

import re

import duckdb

from dagster_project.ingest.drops import DropFile, DropRejectedError
from dagster_project.ingest.filecheck import not_utf8_error
from dagster_project.sql_text import quote_identifier

BATCH_TABLE = "landing_batch"

# RFC 4180 as the contract says. The columns come from the header the file check read,
# never from DuckDB's sniffer: sniffing a file whose rows have more fields than its
# header can pick the wrong header and silently return no rows.
_CSV_OPTIONS = (
    "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
    "strict_mode = true, filename = true, encoding = 'utf-8', columns = ?"
)
_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELD_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def read_batch(connection: duckdb.DuckDBPyConnection, files: list[DropFile]) -> None:
    """Replace the temp table `landing_batch` with the rows of `files`.

    Columns: the files' own columns (text), `filename` and `_source_row` (1-based).
    All files share one format; rows keep file order, which `_source_row` relies on.
    """
    try:
        connection.execute(f"drop table if exists {BATCH_TABLE}")
        _read_files(connection, files)
    except duckdb.Error as error:
        raise _locate_unreadable_file(files, error) from error


def _read_files(connection: duckdb.DuckDBPyConnection, files: list[DropFile]) -> None:
    file_format = files[0].file_format
    if file_format == "parquet":
        _read_parquet(connection, [str(drop_file.path) for drop_file in files])
        return
    connection.execute("drop table if exists landing_scan")
    if file_format == "csv":
        _scan_csv(connection, files)
    else:
        _scan_jsonl(connection, [str(drop_file.path) for drop_file in files])
    # With insertion order preserved, a table's rowid follows file order.
    connection.execute(
        f"create temp table {BATCH_TABLE} as "
        "select *, rowid - min(rowid) over (partition by filename) + 1 as _source_row "
        "from landing_scan"
    )
    connection.execute("drop table landing_scan")


def _read_parquet(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    relation = connection.execute(
        "select * from read_parquet(?, union_by_name = true, filename = true) limit 0", [paths]
    )
    data_columns = [column[0] for column in relation.description if column[0] != "filename"]
    as_text = ", ".join(
        f"cast({quote_identifier(name)} as varchar) as {quote_identifier(name)}"
        for name in data_columns
    )
    connection.execute(
        f"create temp table {BATCH_TABLE} as "
        f"select {as_text}, filename, file_row_number + 1 as _source_row "
        "from read_parquet(?, union_by_name = true, filename = true, file_row_number = true)",
        [paths],
    )


def _scan_csv(connection: duckdb.DuckDBPyConnection, files: list[DropFile]) -> None:
    """One DuckDB scan per distinct header (usually one for a whole catch-up)."""
    paths_by_header: dict[tuple[str, ...], list[str]] = {}
    for drop_file in files:
        paths_by_header.setdefault(drop_file.columns, []).append(str(drop_file.path))
    names = dict.fromkeys(name for header in paths_by_header for name in header)
    columns = ", ".join(f"{quote_identifier(name)} varchar" for name in names)
    connection.execute(f"create temp table landing_scan ({columns}, filename varchar)")
    for header, paths in paths_by_header.items():
        connection.execute(
            f"insert into landing_scan by name select * from read_csv(?, {_CSV_OPTIONS})",
            [paths, dict.fromkeys(header, "VARCHAR")],
        )


def _scan_jsonl(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> None:
    columns = _json_column_names(connection, paths)
    connection.execute(
        "create temp table landing_scan as select * from read_json(?, "
        "format = 'newline_delimited', union_by_name = true, filename = true, columns = ?)",
        [paths, columns],
    )


def _json_column_names(connection: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, str]:
    relation = connection.execute(
        "select * from read_json(?, format = 'newline_delimited', union_by_name = true) limit 0",
        [paths],
    )
    return {column[0]: "VARCHAR" for column in relation.description}


def _locate_unreadable_file(files: list[DropFile], error: duckdb.Error) -> DropRejectedError:
    """Read the files one by one to name the one that broke the batch.

    A scratch in-memory connection does the probing: the failed read has aborted the
    load's transaction on `connection`.
    """
    probe = duckdb.connect()
    try:
        for drop_file in files:
            try:
                _read_files(probe, [drop_file])
            except duckdb.Error as file_error:
                return _file_error(drop_file, file_error)
    finally:
        probe.close()
    return DropRejectedError(f"could not read the batch: {_first_line(error)}")


def _file_error(drop_file: DropFile, error: duckdb.Error) -> DropRejectedError:
    """A sentence naming the file, the line and the fault, for the faults seen in exports."""
    text = str(error)
    source_file = drop_file.source_file
    line_match = _CSV_ERROR_LINE.search(text)
    line = int(line_match.group(1)) if line_match else None
    field_counts = _FIELD_COUNTS.search(text)
    rejected = DropRejectedError(
        f"{source_file}: cannot be read as {drop_file.file_format} ({_first_line(error)}); "
        "re-export the file"
    )
    if line is not None and "not utf-8 encoded" in text:
        rejected = not_utf8_error(source_file, line)
    elif line is not None and "unterminated quote" in text:
        rejected = DropRejectedError(
            f"{source_file}: line {line} opens a quoted value that is never closed "
            "(the file looks truncated); re-export the file"
        )
    elif line is not None and field_counts is not None:
        expected, found = field_counts.groups()
        rejected = DropRejectedError(
            f"{source_file}: line {line} has {found} fields but the header has {expected}; "
            "quote values that contain commas, or re-export the file"
        )
    rejected.extract_date = drop_file.extract_date
    return rejected


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3])
