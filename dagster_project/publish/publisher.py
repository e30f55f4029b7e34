"""Publish the `marts` schema of the build database for BI.

BI tools open `pipehealth.duckdb` read-only at any hour, so it is never written in
place: the marts are copied into a fresh file, checkpointed, fsynced and swapped in
with one `os.replace`. Parquet goes to a fresh folder that the `parquet` symlink is
swapped to. A reader sees the old or the new marts, never a mix and never a lock.
Every file served, by a publish or a rollback, is in the storage format of
storage_format.py, which the older DuckDB engines inside BI drivers read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.crash_points import pause_point
from dagster_project.publish.checksums import (
    MARTS_SCHEMA,
    MartVersion,
    mart_names,
    mart_version,
    served_mart_versions,
)
from dagster_project.publish.parquet_months import write_parquet_by_month
from dagster_project.publish.patch import patch_mart
from dagster_project.publish.storage_format import is_in_served_format, served_format_config
from dagster_project.settings import Paths, duckdb_config
from dagster_project.sql_text import quote_identifier

PUBLISHES_DIR_NAME = ".publishes"
PARQUET_LINK_NAME = "parquet"
# A publish's reports (report/build.py): the latest is served at `paths.report_dir`.
REPORT_DIR_PREFIX = "report-"


class NothingToRollBackError(Exception):
    """There is no previous published version to swap back in."""


@dataclass(frozen=True)
class PublishReport:
    """A version now served: the publish (run id) that wrote it, and its marts."""

    publish_id: str
    served_database: Path
    parquet_dir: Path
    marts: dict[str, MartVersion]

    @property
    def rows_per_mart(self) -> dict[str, int]:
        return {name: version.rows for name, version in self.marts.items()}


def publish_marts(
    paths: Paths,
    publish_id: str,
    rewrite_units: Mapping[str, str] | None = None,
    parquet_months: Mapping[str, str] | None = None,
) -> PublishReport:
    """Copy every table and view of `marts` to a new BI file and Parquet, then swap both in.

    `rewrite_units` maps a mart to the column whose values its incremental runs rewrite
    whole; such a mart is patched in a copy of the served file instead of copied whole.
    `parquet_months` maps a mart to the date column its Parquet is split by, a folder a
    month (parquet_months.py); every other mart is one Parquet file.
    """
    publishes = paths.warehouse / PUBLISHES_DIR_NAME
    staging_dir = publishes / publish_id
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    new_database = staging_dir / paths.served_database.name
    new_parquet = staging_dir / PARQUET_LINK_NAME
    new_parquet.mkdir()

    patchable = dict(rewrite_units or {})
    # A served file in another storage format (published by an older pipehealth) is not
    # patched: the new file is written whole, in the served format.
    if patchable and paths.served_database.is_file() and is_in_served_format(paths.served_database):
        shutil.copyfile(paths.served_database, new_database)
    else:
        patchable = {}
    # The served file's own publish folder, not the `parquet` link: a publish killed
    # between its two swaps leaves them on different publishes.
    served_folder = _publish_folder_of(paths.served_database, paths)
    marts = _write_marts(
        paths.build_database,
        new_database,
        _MartFiles(
            parquet_dir=new_parquet,
            served_parquet_dir=served_folder / PARQUET_LINK_NAME if served_folder else None,
            rewrite_units=patchable,
            parquet_months=dict(parquet_months or {}),
        ),
        duckdb_config(paths),
    )
    _fsync_tree(staging_dir)

    _keep_previous(paths)
    # The publish folder keeps a name of its file, so the served file tells its publish.
    _replace_with_link(new_database, paths.served_database)
    pause_point("publish")
    swap_symlink(paths.parquet_dir, new_parquet)
    _fsync_dir(paths.warehouse)
    _remove_unreferenced_publishes(paths, publishes)
    return PublishReport(
        publish_id=publish_id,
        served_database=paths.served_database,
        parquet_dir=paths.parquet_dir,
        marts=marts,
    )


def served_publish_id(paths: Paths) -> str | None:
    """The publish (run id) whose marts are served in the BI file."""
    folder = _publish_folder_of(paths.served_database, paths)
    if folder is None and paths.parquet_dir.is_symlink():
        # Published before publish folders kept a link of their file: the Parquet says.
        folder = paths.parquet_dir.resolve().parent
    return folder.name if folder is not None else None


def rollback(paths: Paths) -> PublishReport:
    """Serve `previous/` again; the version it replaces becomes `previous/`.

    Both swaps are the same atomic renames as a publish, so readers never see a mix,
    and a second rollback rolls forward again.
    """
    previous_database = paths.previous_dir / paths.served_database.name
    previous_parquet = paths.previous_dir / PARQUET_LINK_NAME
    if not previous_database.is_file() or not previous_parquet.is_symlink():
        raise NothingToRollBackError(f"No previous published version in {paths.previous_dir}")
    restored = _publish_folder_of(previous_database, paths)
    if not is_in_served_format(previous_database):
        _rewrite_in_served_format(previous_database, restored, paths)
    restored_parquet = (
        restored / PARQUET_LINK_NAME if restored is not None else previous_parquet.resolve()
    )
    # A second name for the previous file keeps it alive while previous/ is re-pointed.
    incoming = paths.warehouse / f"{paths.served_database.name}.rollback"
    incoming.unlink(missing_ok=True)
    os.link(previous_database, incoming)
    _keep_previous(paths)
    os.replace(incoming, paths.served_database)
    swap_symlink(paths.parquet_dir, restored_parquet)
    _serve_report_of(paths, restored)
    _fsync_dir(paths.warehouse)
    return PublishReport(
        publish_id=restored.name if restored is not None else "unknown",
        served_database=paths.served_database,
        parquet_dir=paths.parquet_dir,
        marts=served_mart_versions(paths.served_database),
    )


def _serve_report_of(paths: Paths, publish_folder: Path | None) -> None:
    """Serve the latest report of the publish now served; none if it has none."""
    reports = sorted(publish_folder.glob(f"{REPORT_DIR_PREFIX}*")) if publish_folder else []
    if reports:
        swap_symlink(paths.report_dir, reports[-1])
    else:
        paths.report_dir.unlink(missing_ok=True)


def _publish_folder_of(database: Path, paths: Paths) -> Path | None:
    """The publish folder holding another name (hard link) of `database`, if any."""
    publishes = paths.warehouse / PUBLISHES_DIR_NAME
    if not database.exists() or not publishes.is_dir():
        return None
    served = database.stat()
    for folder in publishes.iterdir():
        candidate = folder / paths.served_database.name
        if candidate.exists() and os.path.samestat(candidate.stat(), served):
            return folder
    return None


def _rewrite_in_served_format(database: Path, publish_folder: Path | None, paths: Paths) -> None:
    """Replace `database` and its publish folder's name of it by a copy of its marts in the
    served format (a version published before the served format was set)."""
    converted = database.with_name(database.name + ".convert")
    converted.unlink(missing_ok=True)
    connection = duckdb.connect(
        str(converted), config={**duckdb_config(paths), **served_format_config()}
    )
    try:
        connection.execute("attach ? as original (read_only)", [str(database)])
        connection.execute(f"create schema {MARTS_SCHEMA}")
        for mart in mart_names(connection, catalog="original"):
            _copy_mart(connection, mart, catalog="original")
        connection.execute("detach original")
        connection.execute("checkpoint")
    finally:
        connection.close()
    _fsync_file(converted)
    if publish_folder is not None:
        _replace_with_link(converted, publish_folder / paths.served_database.name)
    _replace_with_link(converted, database)
    converted.unlink()


def _copy_mart(connection: duckdb.DuckDBPyConnection, mart: str, catalog: str) -> None:
    identifier = quote_identifier(mart)
    connection.execute(
        f"create or replace table {MARTS_SCHEMA}.{identifier} as "
        f"select * from {catalog}.{MARTS_SCHEMA}.{identifier}"
    )


@dataclass(frozen=True)
class _MartFiles:
    """Where a publish writes the marts' Parquet, and what it may take from the served one."""

    parquet_dir: Path
    served_parquet_dir: Path | None
    rewrite_units: dict[str, str]
    parquet_months: dict[str, str]


def _write_marts(
    build_database: Path, new_database: Path, files: _MartFiles, config: dict[str, str]
) -> dict[str, MartVersion]:
    connection = duckdb.connect(str(new_database), config={**config, **served_format_config()})
    try:
        connection.execute("attach ? as build (read_only)", [str(build_database)])
        connection.execute(f"create schema if not exists {MARTS_SCHEMA}")
        built = mart_names(connection, catalog="build")
        served = set(mart_names(connection))
        # Dropped first, so the checkpoint frees their blocks for the copies below to reuse.
        for mart in served - set(files.rewrite_units).intersection(built):
            connection.execute(f"drop table {MARTS_SCHEMA}.{quote_identifier(mart)}")
        connection.execute("checkpoint")
        marts = {}
        for mart in built:
            patched = (
                patch_mart(connection, mart, files.rewrite_units[mart], build_catalog="build")
                if mart in files.rewrite_units and mart in served
                else None
            )
            if patched is None:
                _copy_mart(connection, mart, catalog="build")
            marts[mart] = patched.version if patched else mart_version(connection, mart)
            if mart in files.parquet_months:
                write_parquet_by_month(
                    connection,
                    mart,
                    files.parquet_months[mart],
                    files.parquet_dir / mart,
                    served_folder=files.served_parquet_dir / mart
                    if files.served_parquet_dir
                    else None,
                    rewritten_days=patched.rewritten_units if patched else None,
                )
            else:
                connection.execute(
                    f"copy {MARTS_SCHEMA}.{quote_identifier(mart)} to ? "
                    "(format parquet, compression zstd)",
                    [str(files.parquet_dir / f"{mart}.parquet")],
                )
        connection.execute("detach build")
        connection.execute("checkpoint")
    finally:
        connection.close()
    return marts


def _keep_previous(paths: Paths) -> None:
    """The served file about to be replaced, and its publish's Parquet, become `previous/`.

    The Parquet is found from the file's publish folder, not from the `parquet` link:
    a publish killed between its two swaps leaves them on different publishes.
    """
    if not paths.served_database.exists():
        return
    paths.previous_dir.mkdir(exist_ok=True)
    _replace_with_link(paths.served_database, paths.previous_dir / paths.served_database.name)
    folder = _publish_folder_of(paths.served_database, paths)
    parquet = folder / PARQUET_LINK_NAME if folder is not None else None
    if parquet is None and paths.parquet_dir.is_symlink():
        parquet = paths.parquet_dir.resolve()
    if parquet is not None:
        swap_symlink(paths.previous_dir / PARQUET_LINK_NAME, parquet)


def _replace_with_link(source: Path, target: Path) -> None:
    """Atomically make `target` another name of the file `source`."""
    temporary = target.with_name(target.name + ".swap")
    temporary.unlink(missing_ok=True)
    os.link(source, temporary)
    os.replace(temporary, target)


def swap_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(target, link.parent))
    os.replace(temporary, link)


def _remove_unreferenced_publishes(paths: Paths, publishes: Path) -> None:
    in_use = {
        link.resolve().parent
        for link in (paths.parquet_dir, paths.previous_dir / PARQUET_LINK_NAME)
        if link.is_symlink()
    }
    for database in (paths.served_database, paths.previous_dir / paths.served_database.name):
        folder = _publish_folder_of(database, paths)
        if folder is not None:
            in_use.add(folder.resolve())
    for folder in publishes.iterdir():
        if folder.resolve() not in in_use:
            shutil.rmtree(folder, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync_file(path)
    _fsync_dir(folder)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
