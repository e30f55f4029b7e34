"""Finding complete drops in the landing folder and reading their manifests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from dagster_project.ingest.contract import FILE_FORMATS
from dagster_project.ingest.sources import (
    CANONICAL,
    DEFAULT_SOURCE_SETTING,
    SOURCES,
    contract_for_file,
    default_source,
)

SUCCESS_MARKER = "_SUCCESS"
MANIFEST_FILE = "_manifest.json"

DropMode = Literal["full", "incremental"]


class DropRejectedError(Exception):
    """A drop that cannot be loaded as it is; the message says what and where to fix.

    `extract_date` names the drop when known, so the drops before it can still load.
    """

    def __init__(self, message: str, extract_date: date | None = None) -> None:
        super().__init__(message)
        self.extract_date = extract_date


@dataclass(frozen=True)
class DropFile:
    # The raw table the file loads into (its entity, for canonical drops).
    entity: str
    path: Path
    file_format: str
    # The header's column names once the file passed its structural check (CSV only).
    columns: tuple[str, ...] = ()

    @property
    def source_file(self) -> str:
        """The path relative to the landing folder, as stored in `_source_file`."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def extract_date(self) -> date:
        """Its drop's date: a drop folder is named by its date."""
        return date.fromisoformat(self.path.parent.name)


@dataclass(frozen=True)
class Drop:
    """One complete extract folder `landing/<YYYY-MM-DD>/`."""

    extract_date: date
    path: Path
    declared_mode: DropMode | None
    source: str
    files: tuple[DropFile, ...]

    @property
    def name(self) -> str:
        return self.path.name

    def fingerprint(self) -> str:
        """A content hash of the drop's data files, to tell a re-delivered drop apart."""
        digest = hashlib.sha256()
        for drop_file in self.files:
            digest.update(drop_file.path.name.encode())
            with drop_file.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()


def complete_drop_folders(landing: Path) -> list[tuple[date, Path]]:
    """Every drop folder that holds its `_SUCCESS` marker, oldest first.

    Folders whose name is not a date are not drops and are ignored; a dated folder
    without the marker is still being written by the exporter and is left alone.
    """
    if not landing.is_dir():
        return []
    folders = []
    for folder in sorted(landing.iterdir()):
        extract_date = _parse_drop_date(folder)
        if extract_date is not None and (folder / SUCCESS_MARKER).is_file():
            folders.append((extract_date, folder))
    return folders


def read_drop(folder: Path, extract_date: date) -> Drop:
    declared_mode, source = _read_manifest(folder)
    return Drop(
        extract_date=extract_date,
        path=folder,
        declared_mode=declared_mode,
        source=source,
        files=_data_files(folder, source),
    )


def _parse_drop_date(folder: Path) -> date | None:
    if not folder.is_dir():
        return None
    try:
        return date.fromisoformat(folder.name)
    except ValueError:
        return None


def _read_manifest(folder: Path) -> tuple[DropMode | None, str]:
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        return None, _default_source(folder)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DropRejectedError(
            f"{folder.name}/{MANIFEST_FILE}: not valid JSON ({error})"
        ) from error
    if not isinstance(manifest, dict):
        raise DropRejectedError(f"{folder.name}/{MANIFEST_FILE}: expected a JSON object")
    mode = manifest.get("mode")
    if mode not in (None, "full", "incremental"):
        raise DropRejectedError(
            f"{folder.name}/{MANIFEST_FILE}: mode {mode!r} is not 'full' or 'incremental'"
        )
    if "source" not in manifest:
        return mode, _default_source(folder)
    return mode, _known_source(folder, manifest["source"], f"{folder.name}/{MANIFEST_FILE}")


def _default_source(folder: Path) -> str:
    return _known_source(folder, default_source(), f"the setting {DEFAULT_SOURCE_SETTING}")


def _known_source(folder: Path, source: object, declared_in: str) -> str:
    if not isinstance(source, str) or source not in SOURCES:
        raise DropRejectedError(
            f"{folder.name}: source {source!r} (from {declared_in}) has no adapter "
            f"(supported: {', '.join(SOURCES)})"
        )
    return source


def _data_files(folder: Path, source: str) -> tuple[DropFile, ...]:
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("_", ".")) or not path.is_file():
            continue
        entity, _, file_format = path.name.partition(".")
        if file_format not in FILE_FORMATS:
            raise DropRejectedError(
                f"{folder.name}/{path.name}: unsupported file type; "
                f"expected <entity>.csv, <entity>.parquet or <entity>.jsonl"
            )
        contract = contract_for_file(source, entity)
        if contract is None:
            expected = ", ".join(known.file_stem for known in SOURCES[source].values())
            of_source = "" if source == CANONICAL else f" in a {source} drop"
            raise DropRejectedError(
                f"{folder.name}/{path.name}: unknown entity {entity!r}{of_source}; "
                f"expected one of {expected}; rename the file or remove it from the drop"
            )
        files.append(DropFile(entity=contract.name, path=path, file_format=file_format))
    entities = [drop_file.entity for drop_file in files]
    duplicated = sorted({entity for entity in entities if entities.count(entity) > 1})
    if duplicated:
        raise DropRejectedError(
            f"{folder.name}: more than one file for {', '.join(duplicated)}; keep one per entity"
        )
    return tuple(files)
