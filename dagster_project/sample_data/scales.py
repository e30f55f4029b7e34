"""Named sizes of the sample company, for `pipehealth generate --scale`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_START_DATE = date(2024, 11, 1)  # first drop; 730 days end on 2026-10-31


@dataclass(frozen=True)
class ScalePreset:
    reps: int  # account executive seats (role rep); SDRs and managers come on top
    days: int  # drops: one per day from the start date


SCALES: dict[str, ScalePreset] = {
    # The benchmark harness's smoke run in CI: every stage, in about two minutes.
    "XS": ScalePreset(reps=6, days=180),  # ~400 deals, ~40k activities
    "S": ScalePreset(reps=40, days=730),  # ~10k deals, ~1M activities
    "M": ScalePreset(reps=200, days=730),  # ~50k deals, ~5M activities
    "L": ScalePreset(reps=2000, days=730),  # ~500k deals, ~50M activities
}
