"""Cheap structural checks of one landing file before DuckDB reads it.

Only the file's size, its first block and its header are looked at, so the check costs
the same for a file of ten rows and one of ten million. Faults deeper in a file are
found by the reader, which names the line.
"""

from __future__ import annotations

import codecs
import csv

import duckdb

from dagster_project.ingest.contract import METADATA_COLUMNS
from dagster_project.ingest.drops import DropFile, DropRejectedError
from dagster_project.ingest.sources import RAW_TABLES

FIRST_BLOCK_BYTES = 1 << 16
# Names the loader itself adds to the rows it reads.
RESERVED_COLUMNS = (*METADATA_COLUMNS, "filename")


def checked_columns(drop_file: DropFile) -> tuple[str, ...]:
    """The file's column names, after rejecting a file that cannot be a valid extract.

    For CSV the names come from its header, for Parquet from its schema; a JSON Lines
    file names its columns per row, so only its size and encoding are checked here.
    """
    source_file = drop_file.source_file
    size = drop_file.path.stat().st_size
    if size == 0:
        raise DropRejectedError(
            f"{source_file}: the file is empty (0 bytes); "
            "re-export it with its header row, or remove it from the drop"
        )
    if drop_file.file_format == "parquet":
        columns = _parquet_columns(drop_file, source_file)
        _require_a_header(drop_file.entity, columns, source_file)
    else:
        _require_utf8_first_block(drop_file, source_file)
        if drop_file.file_format != "csv":
            return ()
        columns = _csv_header(drop_file, source_file)
    _require_contract_columns(drop_file.entity, columns, source_file)
    return columns


def _require_utf8_first_block(drop_file: DropFile, source_file: str) -> None:
    with drop_file.path.open("rb") as handle:
        block = handle.read(FIRST_BLOCK_BYTES)
        at_end = not handle.read(1)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(block, final=at_end)
    except UnicodeDecodeError as error:
        line = block.count(b"\n", 0, error.start) + 1
        raise not_utf8_error(source_file, line) from error


def not_utf8_error(source_file: str, line: int) -> DropRejectedError:
    return DropRejectedError(
        f"{source_file}: line {line} is not UTF-8 text; "
        "re-export the file with UTF-8 encoding (the contract's only encoding)"
    )


def _csv_header(drop_file: DropFile, source_file: str) -> tuple[str, ...]:
    with drop_file.path.open(encoding="utf-8-sig", newline="", errors="replace") as text:
        header = next(csv.reader(text), [])
    columns = tuple(header)
    if not any(name.strip() for name in columns):
        raise DropRejectedError(
            f"{source_file}: the first line is blank, not a header; "
            "the first line must name the columns"
        )
    # A data row where the header should be has blank "names" too: say it is no header.
    _require_a_header(drop_file.entity, columns, source_file)
    blank = [str(position) for position, name in enumerate(columns, 1) if not name.strip()]
    if blank:
        raise DropRejectedError(
            f"{source_file}: header column {', '.join(blank)} has no name; "
            "every column needs a name in the first line"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise DropRejectedError(
            f"{source_file}: the header names {', '.join(repeated)} more than once; "
            "keep one column per name"
        )
    return columns


def _parquet_columns(drop_file: DropFile, source_file: str) -> tuple[str, ...]:
    probe = duckdb.connect()
    try:
        described = probe.execute(
            "select * from read_parquet(?) limit 0", [str(drop_file.path)]
        ).description
    except duckdb.Error as error:
        raise DropRejectedError(
            f"{source_file}: cannot be read as parquet ({str(error).splitlines()[0]}); "
            "re-export the file"
        ) from error
    finally:
        probe.close()
    return tuple(column[0] for column in described)


def _require_a_header(entity: str, columns: tuple[str, ...], source_file: str) -> None:
    contract = RAW_TABLES[entity]
    if not set(columns) & set(contract.columns):
        raise DropRejectedError(
            f"{source_file}: the first line ({_shorten(','.join(columns))}) is not a "
            f"{contract.file_stem} header: it names none of the contract's columns; "
            f"add the header row ({','.join(contract.required)}, ...)"
        )


def _require_contract_columns(entity: str, columns: tuple[str, ...], source_file: str) -> None:
    contract = RAW_TABLES[entity]
    reserved = [name for name in columns if name in RESERVED_COLUMNS]
    if reserved:
        raise DropRejectedError(
            f"{source_file}: column {', '.join(reserved)} uses a name reserved for load "
            "metadata; rename it in the export"
        )
    missing = [name for name in contract.required if name not in columns]
    if missing:
        raise DropRejectedError(
            f"{source_file}: required column {', '.join(missing)} is missing from the header "
            f"(found: {_shorten(','.join(columns))}); rename or add it and re-deliver the file"
        )


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
