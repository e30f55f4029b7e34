"""Publish the `marts` schema of the build database for BI.

BI tools open `pipehealth.duckdb` read-only at any hour, so it is never written in
place: the marts are copied into a fresh file, checkpointed, fsynced and swapped in
with one `os.replace`. Parquet goes to a fresh folder that the `parquet` symlink is
swapped to. A reader sees the old or the new marts, never a mix and never a lock.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import Paths
from dagster_project.sql_text import quote_identifier

MARTS_SCHEMA = "marts"
PUBLISHES_DIR_NAME = ".publishes"


@dataclass(frozen=True)
class PublishReport:
    publish_id: str
    served_database: Path
    parquet_dir: Path
    rows_per_mart: dict[str, int]


def publish_marts(paths: Paths, publish_id: str) -> PublishReport:
    """Copy every table and view of `marts` to a new BI file and Parquet, then swap both in."""
    publishes = paths.warehouse / PUBLISHES_DIR_NAME
    staging_dir = publishes / publish_id
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    new_database = staging_dir / paths.served_database.name
    new_parquet = staging_dir / "parquet"
    new_parquet.mkdir()

    rows_per_mart = _write_marts(paths.build_database, new_database, new_parquet)
    _fsync_tree(staging_dir)

    _keep_previous(paths)
    os.replace(new_database, paths.served_database)
    _swap_symlink(paths.parquet_dir, new_parquet)
    _fsync_dir(paths.warehouse)
    _remove_unreferenced_publishes(paths, publishes)
    return PublishReport(
        publish_id=publish_id,
        served_database=paths.served_database,
        parquet_dir=paths.parquet_dir,
        rows_per_mart=rows_per_mart,
    )


def served_mart_row_counts(served_database: Path) -> dict[str, int]:
    """Rows per mart in a published BI file, read the way BI reads it (read-only)."""
    connection = duckdb.connect(str(served_database), read_only=True)
    try:
        return {
            mart: connection.execute(
                f"select count(*) from {MARTS_SCHEMA}.{quote_identifier(mart)}"
            ).fetchone()[0]
            for (mart,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        }
    finally:
        connection.close()


def _write_marts(build_database: Path, new_database: Path, parquet_dir: Path) -> dict[str, int]:
    connection = duckdb.connect(str(new_database))
    try:
        connection.execute("attach ? as build (read_only)", [str(build_database)])
        mart_names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'build' and table_schema = ? order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        connection.execute(f"create schema {MARTS_SCHEMA}")
        rows_per_mart = {}
        for mart in mart_names:
            identifier = quote_identifier(mart)
            connection.execute(
                f"create table {MARTS_SCHEMA}.{identifier} as "
                f"select * from build.{MARTS_SCHEMA}.{identifier}"
            )
            rows_per_mart[mart] = connection.execute(
                f"select count(*) from {MARTS_SCHEMA}.{identifier}"
            ).fetchone()[0]
            connection.execute(
                f"copy {MARTS_SCHEMA}.{identifier} to ? (format parquet, compression zstd)",
                [str(parquet_dir / f"{mart}.parquet")],
            )
        connection.execute("detach build")
        connection.execute("checkpoint")
    finally:
        connection.close()
    return rows_per_mart


def _keep_previous(paths: Paths) -> None:
    """The served file and Parquet folder about to be replaced become `previous/`."""
    if not paths.served_database.exists():
        return
    paths.previous_dir.mkdir(exist_ok=True)
    previous_database = paths.previous_dir / paths.served_database.name
    previous_database.unlink(missing_ok=True)
    os.link(paths.served_database, previous_database)
    if paths.parquet_dir.is_symlink():
        _swap_symlink(paths.previous_dir / "parquet", paths.parquet_dir.resolve())


def _swap_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(target, link.parent))
    os.replace(temporary, link)


def _remove_unreferenced_publishes(paths: Paths, publishes: Path) -> None:
    in_use = {
        link.resolve().parent
        for link in (paths.parquet_dir, paths.previous_dir / "parquet")
        if link.is_symlink()
    }
    for folder in publishes.iterdir():
        if folder.resolve() not in in_use:
            shutil.rmtree(folder, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
