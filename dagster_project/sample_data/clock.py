"""Simulated time: seconds since the Unix epoch (UTC), days counted from the warm-up start.

The simulation starts WARMUP_DAYS before the first drop, so the first full export already
holds an open pipeline and closed history. Deals keep being created for BACKFILL_DAYS past
the last drop only so that the leads feeding them exist near the end; nothing at or after
`end_s` is ever exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SECONDS_PER_DAY = 86_400
WARMUP_DAYS = 180
BACKFILL_DAYS = 60
BUSINESS_DAYS_PER_WEEK = 5
# Working window in UTC per region (NA, EMEA, APAC), so events fall in local office hours.
WORK_START_HOUR = np.array([13, 7, 0])
WORK_HOURS = 10
# Relative activity per calendar month: Q4 heaviest, summer and late December quiet.
MONTH_SEASONALITY = np.array([0.85, 0.92, 1.02, 0.95, 1.0, 1.0, 0.9, 0.85, 1.05, 1.15, 1.18, 0.95])
NULL = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Clock:
    """The simulated calendar of one generation run."""

    start_date: date
    days: int

    @property
    def sim_start(self) -> date:
        return self.start_date - timedelta(days=WARMUP_DAYS)

    @property
    def exported_days(self) -> int:
        """Days from the warm-up start to the last drop, inclusive."""
        return WARMUP_DAYS + self.days

    @property
    def horizon_days(self) -> int:
        return self.exported_days + BACKFILL_DAYS

    @property
    def origin_s(self) -> int:
        return int(np.datetime64(self.sim_start, "s").astype(np.int64))

    @property
    def end_s(self) -> int:
        """First second after the last drop's day: nothing at or after it is exported."""
        return self.origin_s + self.exported_days * SECONDS_PER_DAY

    @property
    def origin_day(self) -> np.datetime64:
        return np.datetime64(self.sim_start, "D")

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        """Day index (0 = warm-up start) of each timestamp."""
        return (seconds - self.origin_s) // SECONDS_PER_DAY

    def dates(self, day_index: np.ndarray) -> np.ndarray:
        return self.origin_day + np.asarray(day_index).astype("timedelta64[D]")

    def day_index(self, dates: np.ndarray) -> np.ndarray:
        return (np.asarray(dates, dtype="datetime64[D]") - self.origin_day).astype(np.int64)

    def drop_of(self, seconds: np.ndarray) -> np.ndarray:
        """Drop index of each timestamp: 0 is the first (full) drop, which holds the warm-up."""
        return np.maximum(self.day_of(seconds) - WARMUP_DAYS, 0)

    def day_start_s(self, day_index: np.ndarray) -> np.ndarray:
        return self.origin_s + np.asarray(day_index, dtype=np.int64) * SECONDS_PER_DAY

    def is_business_day(self, day_index: np.ndarray) -> np.ndarray:
        return np.is_busday(self.dates(day_index))

    def seasonality(self, day_index: np.ndarray) -> np.ndarray:
        months = self.dates(day_index).astype("datetime64[M]").astype(np.int64) % 12
        return MONTH_SEASONALITY[months]

    def business_anchor(self, day_index: np.ndarray) -> np.ndarray:
        """The day itself when it is a business day, else the next business day."""
        return self.day_index(np.busday_offset(self.dates(day_index), 0, roll="forward"))

    def work_time(self, anchor_day: np.ndarray, position: np.ndarray, region: np.ndarray):
        """Timestamp `position` business days after the start of work on `anchor_day`.

        The whole part counts business days, the fraction is the share of the working
        window: positions that increase give timestamps that do not decrease.
        """
        whole = np.floor(position).astype(np.int64)
        fraction = position - whole
        day = np.busday_offset(self.dates(anchor_day), whole, roll="forward")
        start = day.astype("datetime64[s]").astype(np.int64) + WORK_START_HOUR[region] * 3600
        return start + (fraction * WORK_HOURS * 3600).astype(np.int64)

    def business_days_between(self, anchor_day: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Business days from anchor day to target dates (negative when target is earlier)."""
        return np.busday_count(self.dates(anchor_day), np.asarray(target, dtype="datetime64[D]"))


def last_business_day_of_month(dates: np.ndarray) -> np.ndarray:
    month_end = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    return np.busday_offset(month_end, 0, roll="backward")


def last_business_day_of_quarter(dates: np.ndarray) -> np.ndarray:
    months = dates.astype("datetime64[M]").astype(np.int64)
    quarter_end_month = months - months % 3 + 2
    month_end = (quarter_end_month + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    return np.busday_offset(month_end, 0, roll="backward")
