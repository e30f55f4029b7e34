"""The bad-extract corpus (tests/fixtures/bad_extracts/cases.yaml) and running drops on it."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
import yaml

from dagster_project.settings import Paths

CORPUS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "bad_extracts"
GOOD_DROP = CORPUS_DIR / "good" / "2025-03-03"

Outcome = Literal["block", "warn", "accept"]


@dataclass(frozen=True)
class Case:
    folder: str
    fault: str
    outcome: Outcome
    stopped_by: Literal["load", "gate"] | None
    words: tuple[str, ...]
    why: str

    @property
    def path(self) -> Path:
        return CORPUS_DIR / self.folder


def _read_manifest() -> tuple[str, list[Case]]:
    manifest = yaml.safe_load((CORPUS_DIR / "cases.yaml").read_text(encoding="utf-8"))
    cases = [
        Case(
            folder=entry["folder"],
            fault=entry["fault"],
            outcome=entry["outcome"],
            stopped_by=entry.get("stopped_by"),
            words=tuple(entry["words"]),
            why=entry["why"],
        )
        for entry in manifest["cases"]
    ]
    return str(manifest["drop_date"]), cases


DROP_DATE, CASES = _read_manifest()


def cases_with(*outcomes: Outcome) -> list[object]:
    """pytest parameters, one per case with one of `outcomes`, named by folder."""
    return [pytest.param(case, id=case.folder) for case in CASES if case.outcome in outcomes]


def deliver(paths: Paths, drop: Path, drop_date: str = DROP_DATE) -> Path:
    """Copy a drop folder into the landing folder as the complete drop of `drop_date`."""
    target = paths.landing / drop_date
    shutil.copytree(drop, target)
    (target / "_SUCCESS").touch()
    return target


def checksums(paths: Paths) -> dict[str, str]:
    """sha256 of the served BI file and of every Parquet file, by path."""
    files = [paths.served_database, *sorted(paths.parquet_dir.rglob("*.parquet"))]
    return {
        str(path.relative_to(paths.warehouse)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files
    }
