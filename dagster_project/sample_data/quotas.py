"""Monthly bookings quotas per account executive, in USD.

A rep's yearly quota is a multiple of their OTE (3-5x, the B2B SaaS rule of thumb) that
grows each fiscal year, split over months with Q4 heaviest; new reps ramp over their
first three months. A quarter's quotas are published two weeks before it starts (or on
the hire date), which is when they first appear in a drop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .clock import Clock
from .org import Org

BASE_OTE_MULTIPLE = 3.6
YEARLY_GROWTH = 1.1
MAX_OTE_MULTIPLE = 4.8
OTE_MULTIPLE_NOISE = (0.95, 1.05)
MONTH_WEIGHT = np.array(
    [0.07, 0.075, 0.09, 0.075, 0.08, 0.09, 0.07, 0.075, 0.09, 0.085, 0.095, 0.115]
)
RAMP_SHARE = np.array([0.25, 0.5, 0.75])  # first, second, third month in seat
PUBLISHED_DAYS_BEFORE_QUARTER = 15
PLANNED_QUARTERS_AHEAD = 1
ROUNDING_CENTS = 10_000


@dataclass(frozen=True)
class Quotas:
    owner: np.ndarray  # user index
    period_start: np.ndarray  # days since the epoch
    period_end: np.ndarray  # inclusive
    amount_cents: np.ndarray
    published_s: np.ndarray


def build_quotas(org: Org, clock: Clock, rng: np.random.Generator) -> Quotas:
    sellers = org.sellers
    ae = np.flatnonzero(sellers.kind == vocab.REP)
    first_month = clock.origin_day.astype("datetime64[M]").astype(np.int64)
    last_day = clock.dates(clock.exported_days - 1)
    last_month = last_day.astype("datetime64[M]").astype(np.int64)
    last_month = last_month - last_month % 3 + 3 * (1 + PLANNED_QUARTERS_AHEAD) - 1
    months = np.arange(first_month, last_month + 1)
    month_start = months.astype("datetime64[M]").astype("datetime64[D]")
    month_end = (months + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    hire_date = clock.dates(sellers.hire_day[ae])
    leave_date = clock.dates(sellers.leave_day[ae])
    in_seat = (month_start[None, :] < leave_date[:, None]) & (
        month_end[None, :] >= hire_date[:, None]
    )
    rep, month = np.nonzero(in_seat)
    seller = ae[rep]
    user = sellers.user[seller]
    ote_usd = (
        org.users.ote_cents[user] / 100 * np.array(vocab.USD_PER_UNIT)[org.users.ote_currency[user]]
    )
    year = months[month] // 12
    multiple = np.minimum(
        BASE_OTE_MULTIPLE * YEARLY_GROWTH ** (year - first_month // 12), MAX_OTE_MULTIPLE
    )
    noise = rng.uniform(*OTE_MULTIPLE_NOISE, len(ae))[rep]
    months_in_seat = months[month] - hire_date[rep].astype("datetime64[M]").astype(np.int64)
    ramp = np.where(
        months_in_seat < len(RAMP_SHARE),
        RAMP_SHARE[np.clip(months_in_seat, 0, len(RAMP_SHARE) - 1)],
        1.0,
    )
    share = MONTH_WEIGHT[months[month] % 12] / MONTH_WEIGHT.sum()
    usd = ote_usd * multiple * noise * share * ramp
    amount = np.maximum(np.round(usd * 100 / ROUNDING_CENTS), 1).astype(np.int64) * ROUNDING_CENTS
    quarter_start = (
        (months[month] - months[month] % 3).astype("datetime64[M]").astype("datetime64[D]")
    )
    published_day = clock.day_index(quarter_start) - PUBLISHED_DAYS_BEFORE_QUARTER
    published_s = np.maximum(
        clock.day_start_s(published_day) + 12 * 3600,
        org.users.hired_s[user],
    )
    order = np.lexsort((month_start[month], user))
    return Quotas(
        owner=user[order],
        period_start=month_start[month].astype(np.int64)[order],
        period_end=month_end[month].astype(np.int64)[order],
        amount_cents=amount[order],
        published_s=published_s[order],
    )
