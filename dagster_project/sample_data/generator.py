"""Generate a synthetic CRM as daily extract drops (raw extract contract v1).

Same seed and arguments give byte-identical files: every random draw comes from
generators seeded by (seed, stream), and nothing reads the wall clock except the
elapsed time reported in the summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .book import build_book
from .clock import Clock
from .drops import FileFormat, write_drops
from .exports import (
    accounts_table,
    activities_tables,
    deals_tables,
    in_chunks,
    leads_table,
    quotas_table,
    users_table,
)
from .leads import build_leads
from .org import build_org
from .quotas import build_quotas
from .scales import DEFAULT_START_DATE, SCALES

# Independent random streams, so changing one part never reshuffles another.
STREAMS = {"org": 1, "book": 2, "leads": 3, "quotas": 4, "activities": 5}
FILE_FORMATS = ("csv", "parquet", "jsonl")


@dataclass(frozen=True)
class GenerationSummary:
    drops: int
    rows: dict[str, int]  # data rows written per entity, over all drops
    first_drop: date
    last_drop: date
    elapsed_seconds: float


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    reps: int = 40,
    days: int = 730,
    start_date: date = DEFAULT_START_DATE,
    file_format: FileFormat = "csv",
) -> GenerationSummary:
    """Write `days` drops to `out_dir`, which must be empty or absent."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {FILE_FORMATS}, got {file_format!r}")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValueError(f"{out_dir} is not empty: generate writes drops only into an empty folder")

    clock = Clock(start_date, days)

    def stream(name: str) -> np.random.Generator:
        return np.random.default_rng([seed, STREAMS[name]])

    org = build_org(reps, clock, stream("org"))
    book = build_book(org, clock, stream("book"))
    leads, lead_events = build_leads(book.deals, org, clock, stream("leads"))
    leads_rows = leads_table(leads, lead_events, clock)
    del lead_events  # the largest intermediate at scale L; activities need only `leads`
    deals, history = deals_tables(book, clock)
    tables = {
        "users": in_chunks(users_table(org, clock)),
        "accounts": in_chunks(accounts_table(book, clock)),
        "leads": in_chunks(leads_rows),
        "deals": in_chunks(deals),
        "deal_field_history": in_chunks(history),
        "activities": activities_tables(org, book, leads, clock, seed, STREAMS["activities"]),
        "quotas": in_chunks(quotas_table(build_quotas(org, clock, stream("quotas")), clock)),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = write_drops(out_dir, start_date, days, tables, file_format)
    return GenerationSummary(
        drops=days,
        rows=rows,
        first_drop=start_date,
        last_drop=start_date + timedelta(days=days - 1),
        elapsed_seconds=round(time.perf_counter() - started, 3),
    )


def generate_scale(
    out_dir: Path, scale: str, *, seed: int = 7, file_format: FileFormat = "csv"
) -> GenerationSummary:
    """Generate one of the named sizes in SCALES (S, M, L)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    preset = SCALES[scale]
    return generate(out_dir, seed=seed, reps=preset.reps, days=preset.days, file_format=file_format)
