"""Which landing drops a load takes, oldest first, and which loaded drops they replace.

A loaded drop still waiting at the quality gate whose files were re-delivered is
replaced, with every drop loaded after it (their versions are compared with it). The
plan stops before the first drop that cannot be read: a later drop's rows must not
become current before an earlier drop's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.ingest import drop_log
from dagster_project.ingest.drops import (
    Drop,
    DropMode,
    DropRejectedError,
    complete_drop_folders,
    read_drop,
)
from dagster_project.ingest.filecheck import checked_columns
from dagster_project.ingest.sources import RAW_TABLES, SOURCES
from dagster_project.quality import audit


@dataclass(frozen=True)
class LoadPlan:
    """The drops to load, oldest first, and the loaded drops they replace.

    `rejected` is the first drop that cannot be loaded, if any; `warnings` name drops
    whose files changed after they were accepted: those changes are ignored.
    """

    drops: list[tuple[Drop, DropMode]]
    replaced: list[date]
    rejected: DropRejectedError | None = None
    warnings: tuple[str, ...] = ()

    def before(self, rejected: DropRejectedError, extract_date: date) -> LoadPlan:
        """The plan without the rejected drop of `extract_date` and every later one."""
        return replace(
            self,
            drops=[(drop, mode) for drop, mode in self.drops if drop.extract_date < extract_date],
            replaced=[day for day in self.replaced if day < extract_date],
            rejected=rejected,
        )


def plan_load(connection: duckdb.DuckDBPyConnection, landing: Path) -> LoadPlan:
    folders = complete_drop_folders(landing)
    loaded = drop_log.loaded_drops(connection)
    warnings: list[str] = []
    corrected = _corrected_drops(connection, folders, loaded, warnings)
    replaced = sorted(day for day in loaded if corrected and day >= min(corrected))
    missing = sorted(set(replaced) - {day for day, _ in folders})
    if missing:
        warnings.append(
            f"{', '.join(str(day) for day in corrected)}: re-delivered, but not reloaded: "
            f"the later drop {missing[0]} it would reload with is no longer complete in "
            f"{landing}; restore it and run again"
        )
        replaced = []
    kept = set(loaded) - set(replaced)
    drops: list[tuple[Drop, DropMode]] = []
    for extract_date, folder in folders:
        if extract_date in kept:
            continue
        # Without a manifest, a warehouse's first drop is a full export, later ones incremental.
        default_mode: DropMode = "full" if not kept and not drops else "incremental"
        try:
            drop = _checked_drop(read_drop(folder, extract_date))
            mode = drop.declared_mode or default_mode
            if mode == "full":
                _require_full_export_entities(drop)
        except DropRejectedError as error:
            error.extract_date = extract_date
            plan = LoadPlan(drops=drops, replaced=replaced, warnings=tuple(warnings))
            return plan.before(error, extract_date)
        drops.append((drop, mode))
    return LoadPlan(drops=drops, replaced=replaced, warnings=tuple(warnings))


def _corrected_drops(
    connection: duckdb.DuckDBPyConnection,
    folders: list[tuple[date, Path]],
    loaded: dict[date, drop_log.LoadedDrop],
    warnings: list[str],
) -> list[date]:
    """Loaded drops whose files changed: those waiting at the gate are reloaded, the
    others (accepted, or loaded where no gate has run) keep what was loaded."""
    waiting = audit.drops_waiting_at_gate(connection)
    corrected = []
    for extract_date, folder in folders:
        stored = loaded.get(extract_date)
        if stored is None or drop_log.folder_signature(folder) == stored.signature:
            continue
        if _content_fingerprint(folder, extract_date) == stored.fingerprint:
            continue
        if waiting is not None and extract_date in waiting:
            corrected.append(extract_date)
        else:
            warnings.append(
                f"{folder.name}: its files changed after the drop was loaded and accepted by "
                "the quality gate; the change is ignored and raw keeps the rows loaded "
                "before. Deliver corrections as a new drop."
            )
    return corrected


def _content_fingerprint(folder: Path, extract_date: date) -> str | None:
    try:
        return read_drop(folder, extract_date).fingerprint()
    except DropRejectedError:
        return None  # changed into something unreadable: planning reports it


def _checked_drop(drop: Drop) -> Drop:
    """The drop with each file's columns, once each file passed its structural check."""
    files = tuple(
        replace(drop_file, columns=checked_columns(drop_file)) for drop_file in drop.files
    )
    return replace(drop, files=files)


def _require_full_export_entities(drop: Drop) -> None:
    present = {drop_file.entity for drop_file in drop.files}
    missing = [
        contract.file_stem
        for name, contract in SOURCES[drop.source].items()
        if contract.required_in_full_export and name not in present
    ]
    if missing:
        found = sorted(RAW_TABLES[entity].file_stem for entity in present)
        raise DropRejectedError(
            f"{drop.name}: a full export must contain {', '.join(missing)} "
            f"(found: {', '.join(found) or 'no data files'})"
        )
