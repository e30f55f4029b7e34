"""Read a batch of landing files of one entity and format into a DuckDB temp table.

Every column is read as text: parsing types is the gate's job, so a malformed value
is reported with its file, column and row instead of failing the load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.ingest.drops import DropFile, DropRejectedError
from dagster_project.sql_text import quote_identifier

BATCH_TABLE = "landing_batch"

# RFC 4180 as the contract says; fixing the dialect stops the sniffer from guessing
# a different quote character for a broken file and silently mis-splitting it.
_CSV_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
    "all_varchar = true, union_by_name = true, filename = true, encoding = 'utf-8'"
)


def read_batch(connection: duckdb.DuckDBPyConnection, files: list[DropFile]) -> None:
    """Replace the temp table `landing_batch` with the rows of `files`.

    Columns: the files' own columns (text), `filename` and `_source_row` (1-based).
    All files share one format; rows keep file order, which `_source_row` relies on.
    """
    file_format = files[0].file_format
    paths = [str(drop_file.path) for drop_file in files]
    try:
        connection.execute(f"drop table if exists {BATCH_TABLE}")
        if file_format == "parquet":
            _read_parquet(connection, paths)
        else:
            _read_text_format(connection, paths, file_format)
    except duckdb.Error as error:
        raise _locate_unreadable_file(files, error) from error


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


def _read_text_format(
    connection: duckdb.DuckDBPyConnection, paths: list[str], file_format: str
) -> None:
    if file_format == "csv":
        reader = f"read_csv(?, {_CSV_OPTIONS})"
    else:
        columns = _json_column_names(connection, paths)
        reader = (
            "read_json(?, format = 'newline_delimited', union_by_name = true, "
            "filename = true, columns = ?)"
        )
    parameters: list[object] = [paths] if file_format == "csv" else [paths, columns]
    # With insertion order preserved, a table's rowid follows file order.
    connection.execute("drop table if exists landing_scan")
    connection.execute(f"create temp table landing_scan as select * from {reader}", parameters)
    connection.execute(
        f"create temp table {BATCH_TABLE} as "
        "select *, rowid - min(rowid) over (partition by filename) + 1 as _source_row "
        "from landing_scan"
    )
    connection.execute("drop table landing_scan")


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
    for drop_file in files:
        if drop_file.path.stat().st_size == 0:
            return DropRejectedError(f"{_relative(drop_file.path)}: the file is empty")
        try:
            if drop_file.file_format == "parquet":
                _read_parquet(probe, [str(drop_file.path)])
            else:
                _read_text_format(probe, [str(drop_file.path)], drop_file.file_format)
        except duckdb.Error as file_error:
            return DropRejectedError(
                f"{_relative(drop_file.path)}: cannot be read as {drop_file.file_format} "
                f"({_first_line(file_error)})"
            )
    return DropRejectedError(f"could not read the batch: {_first_line(error)}")


def _relative(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:3])
