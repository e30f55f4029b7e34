"""The storage format of the served BI file: one that DuckDB 1.1 and every later release read.

BI tools read the file through drivers that bundle an older DuckDB than the pipeline's
(Metabase's, DBeaver's and most JDBC/ODBC drivers, Evidence's DuckDB 1.5). A file in
DuckDB 2.0's own storage format is refused by them ("Trying to read a database file with
version number ..."), so every served file is written with DuckDB's storage compatibility
setting for 1.1. A file keeps the format it was created in: a copy of a served file that
is patched and checkpointed stays readable by the same releases.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# The oldest DuckDB release that must open the served file, as DuckDB's setting spells it.
SERVED_STORAGE_COMPATIBILITY = "v1.1.0"
OLDEST_SERVED_READER = (1, 1, 0)

# DuckDB tags each attached database with the oldest release that reads it, e.g. "v1.0.0+".
_STORAGE_VERSION_TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)\+?")


def served_format_config() -> dict[str, str]:
    """DuckDB settings under which a newly created database file is in the served format."""
    return {"storage_compatibility_version": SERVED_STORAGE_COMPATIBILITY}


def oldest_reader(database: Path) -> tuple[int, int, int] | None:
    """The oldest DuckDB release that reads `database`, from the file's storage version;
    None when DuckDB does not say."""
    with duckdb.connect(str(database), read_only=True) as connection:
        (tags,) = connection.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()
    match = _STORAGE_VERSION_TAG.fullmatch(tags.get("storage_version", ""))
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_in_served_format(database: Path) -> bool:
    """Whether the oldest DuckDB release BI must support reads `database`."""
    reader = oldest_reader(database)
    return reader is not None and reader <= OLDEST_SERVED_READER
