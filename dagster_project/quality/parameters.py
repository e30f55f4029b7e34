"""Values for the `$PARAMETER`s of the suites, read from the dbt seeds and from raw.

The gate runs before dbt has loaded the seeds, so it reads the CSV files themselves:
the stages and activity types a suite accepts are the ones the marts are configured for.
The user ids an owner may have are every user id loaded so far, this drop's included,
whatever export format delivered the user (a Salesforce drop's quotas name User.Id).
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from dagster_project.ingest.contract import RAW_SCHEMA
from dagster_project.ingest.sources import RAW_TABLES
from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.sql_text import quote_identifier

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
PIPELINE_STAGES_SEED = "pipeline_stages.csv"
ACTIVITY_TYPES_SEED = "activity_types.csv"
STAGE_MAPPINGS_SEED = "stage_mappings.csv"


def seed_parameters(seeds_dir: Path) -> dict[str, list[str]]:
    """`pipelines`, `pipeline_stages` (stage names of any pipeline), `activity_types`, and
    per source format `<source>_stages`: the stage labels mapped in stage_mappings."""
    stages = _read_rows(seeds_dir / PIPELINE_STAGES_SEED, ("pipeline", "stage"))
    activity_types = _read_rows(seeds_dir / ACTIVITY_TYPES_SEED, ("activity_type",))
    mappings = _read_rows(seeds_dir / STAGE_MAPPINGS_SEED, ("source", "source_stage"))
    mapped_stages = {
        f"{source}_stages": sorted(
            {row["source_stage"] for row in mappings if row["source"] == source}
        )
        for source in sorted({row["source"] for row in mappings})
    }
    return {
        "pipelines": sorted({row["pipeline"] for row in stages}),
        "pipeline_stages": sorted({row["stage"] for row in stages}),
        "activity_types": sorted({row["activity_type"] for row in activity_types}),
        **mapped_stages,
    }


# The raw table and column holding a user's id, per export format, as each format's
# contract declares its user table.
USER_ID_COLUMNS = tuple(
    (entity.name, entity.user_id_column)
    for entity in RAW_TABLES.values()
    if entity.user_id_column is not None
)


def warehouse_parameters(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """`user_ids`: every user id loaded so far, trimmed as staging reads it."""
    loaded_ids = " union ".join(
        f"select trim({quote_identifier(column)}) as user_id "
        f"from {RAW_SCHEMA}.{quote_identifier(table)}"
        for table, column in USER_ID_COLUMNS
    )
    rows = connection.execute(
        f"select distinct user_id from ({loaded_ids}) as loaded_ids "
        "where nullif(user_id, '') is not null order by 1"
    ).fetchall()
    return {"user_ids": [user_id for (user_id,) in rows]}


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: seed missing; the raw gate reads it")
    with path.open(newline="", encoding="utf-8") as seed:
        rows = list(csv.DictReader(seed))
    missing = [column for column in columns if rows and column not in rows[0]]
    if not rows or missing:
        raise ValueError(f"{path}: needs rows with columns {', '.join(columns)}")
    return [{column: row[column].strip() for column in columns} for row in rows]
