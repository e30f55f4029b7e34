"""Load a landing folder's pending drops into a test warehouse's raw layer; hold drops
back from a generated sample and deliver them later, or again corrected."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.ingest import drop_log
from dagster_project.ingest.loader import load_pending_drops
from dagster_project.sample_data import generate
from dagster_project.settings import BUILD_DATABASE_NAME

FIRST_LOAD_AT = datetime(2025, 2, 1, 1)


def load(warehouse: Path, landing: Path, loaded_at: datetime) -> None:
    """Every pending drop, stamped `loaded_at`; none may be rejected."""
    with duckdb.connect(str(warehouse / BUILD_DATABASE_NAME)) as connection:
        report = load_pending_drops(connection, landing, loaded_at)
    assert report.rejected is None


def correct_drop(folder: Path) -> None:
    """Re-deliver a drop corrected: its first deal row leaves, its second is repriced."""
    deals_file = folder / "deals.csv"
    deals = pd.read_csv(deals_file, dtype=str, keep_default_na=False)
    deals.loc[1, "amount"] = "123456.78"
    deals.iloc[1:].to_csv(deals_file, index=False)


@dataclass(frozen=True)
class HeldBackSample:
    """A generated sample loaded into raw without two of its drops: `late`, from the
    middle, and `nightly`, the last. `corrected` is a weekday drop (weekend drops may
    hold no deal changes) a few days before the last, to re-deliver corrected."""

    landing: Path
    warehouse: Path
    drops: list[Path]
    late: Path
    nightly: Path
    corrected: Path

    def deliver(self, folder: Path, loaded_at: datetime) -> None:
        shutil.copytree(folder, self.landing / folder.name)
        load(self.warehouse, self.landing, loaded_at)

    def redeliver_corrected(self, loaded_at: datetime) -> list[date]:
        """Correct `corrected` and load it again as the loader does with a re-delivered
        drop waiting at the gate: it forgets that drop and every later one and loads them
        again. Returns the reloaded drop dates."""
        correct_drop(self.landing / self.corrected.name)
        reloaded = [
            date.fromisoformat(folder.name) for folder in self.drops if folder >= self.corrected
        ]
        with duckdb.connect(str(self.warehouse / BUILD_DATABASE_NAME)) as connection:
            drop_log.forget_drops(connection, reloaded)
        load(self.warehouse, self.landing, loaded_at)
        return reloaded


def hold_back_late_and_nightly(root: Path, *, reps: int, days: int, start: date) -> HeldBackSample:
    """Generate the seed-5 sample under `root` and load all but its late and nightly drops."""
    source, landing, warehouse = root / "drops", root / "landing", root / "warehouse"
    generate(source, seed=5, reps=reps, days=days, start_date=start)
    drops = sorted(path for path in source.iterdir() if path.is_dir())
    sample = HeldBackSample(
        landing=landing,
        warehouse=warehouse,
        drops=drops,
        late=drops[days // 2],
        nightly=drops[-1],
        corrected=max(folder for folder in drops[:-3] if (folder / "deals.csv").exists()),
    )
    warehouse.mkdir()
    for folder in drops:
        if folder not in (sample.late, sample.nightly):
            shutil.copytree(folder, landing / folder.name)
    load(warehouse, landing, FIRST_LOAD_AT)
    return sample
