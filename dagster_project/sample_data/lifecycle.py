"""A batch of deals from creation to close: stage path, timing and every field change.

Outcome, cycle length and starting amount are decided by the caller; this module turns
them into what a CRM records: stage entries (some stages skipped, a few regressions),
probability, next step, obstacles and champion at each stage, amount changes, close-date
slips, owner changes when a seat changes hands, closes snapped to month and quarter ends,
rare currency fixes and deletions. Times are placed in business days and office hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .clock import NULL, Clock, last_business_day_of_month, last_business_day_of_quarter
from .names import PERSON_NAME_COUNT
from .org import SeatOwners
from .versions import Changes, concat_changes

# Share of a deal's cycle spent in each open stage (before noise).
STAGE_WEIGHT = np.array([0.15, 0.20, 0.15, 0.25, 0.25])
# Chance to skip each open stage, per pipeline (the reached stage is never skipped).
SKIP_PROBABILITY = np.array(
    [
        [0.0, 0.08, 0.12, 0.05, 0.15],  # new_business
        [0.0, 0.70, 0.75, 0.05, 0.20],  # expansion: usually straight to a proposal
    ]
)
REGRESSION_PROBABILITY = 0.06
MIN_STEP_BUSINESS_DAYS = 0.02  # 12 minutes: keeps stage entries strictly ordered
PATH_WIDTH = vocab.OPEN_STAGE_COUNT + 3  # open stages, a regression and back, the close
# Closes pulled to the last business day of the quarter or month when it is near.
QUARTER_END_PULL = {"window_days": 20, "won": 0.45, "lost": 0.20}
MONTH_END_PULL = {"window_days": 8, "won": 0.35, "lost": 0.10}
PROBABILITY_OVERRIDE_SHARE = 0.15
NEXT_STEP_SHARE = 0.65  # the rest of open versions have an empty next step
OBSTACLE_SHARE = 0.22
CHAMPION_SHARE = 0.45
SLIP_SHARE = 0.42
MIN_SLIP_CYCLE_DAYS = 14
SLIP_COUNT_WEIGHTS = (0.55, 0.30, 0.15)
AMOUNT_CHANGE = {vocab.PROPOSAL: (0.30, 0.80, 1.30), vocab.NEGOTIATION: (0.20, 0.80, 1.00)}
CURRENCY_FIX_SHARE = 0.004
DELETED_SHARE = 0.01
AMOUNT_ROUNDING_CENTS = 1_000

DEAL_FIELDS = (
    "stage",
    "amount",
    "currency",
    "probability",
    "forecast_category",
    "expected_close",
    "closed_at",
    "lost_reason",
    "next_step",
    "obstacles",
    "champion",
    "owner",
    "is_deleted",
)


@dataclass(frozen=True)
class DealSpecs:
    """What the caller decided about each deal of a batch."""

    anchor_day: np.ndarray  # business day of creation (day index)
    start_position: np.ndarray  # creation time as share of that day's working window
    seat: np.ndarray
    region: np.ndarray
    pipeline: np.ndarray
    won: np.ndarray
    cycle_days: np.ndarray  # creation to close, calendar days
    last_open_stage: np.ndarray  # furthest open stage of a lost deal
    amount_cents: np.ndarray  # starting amount, in `currency`
    currency: np.ndarray


@dataclass(frozen=True)
class DealLives:
    events: Changes  # entity = position of the deal in its batch
    created_s: np.ndarray
    close_s: np.ndarray  # may lie past the last drop: then the deal is still open there
    final_amount_cents: np.ndarray
    deleted_s: np.ndarray  # NULL when never deleted
    first_entry_s: np.ndarray  # deals x stages: first time the deal entered it, or NEVER


NEVER = np.iinfo(np.int64).max


def round_amount(cents: np.ndarray) -> np.ndarray:
    return (
        np.maximum(np.round(cents / AMOUNT_ROUNDING_CENTS), 1).astype(np.int64)
        * AMOUNT_ROUNDING_CENTS
    )


def simulate_lives(specs: DealSpecs, clock: Clock, owners: SeatOwners, rng) -> DealLives:
    n = len(specs.anchor_day)
    deal = np.arange(n)
    path, length = _stage_paths(specs, rng)
    position = _entry_positions(specs, path, length, rng)
    position[deal, length - 1] = _snap_close(specs, position[deal, length - 1], clock, rng)

    row, column = np.nonzero(np.arange(PATH_WIDTH) < length[:, None])
    stage = path[row, column]
    entry_s = clock.work_time(specs.anchor_day[row], position[row, column], specs.region[row])
    created_s = entry_s[column == 0]
    close_s = entry_s[column == length[row] - 1]
    first_entry = np.full((n, vocab.OPEN_STAGE_COUNT + 2), NEVER)
    np.minimum.at(first_entry, (row, stage), entry_s)

    close_day = clock.dates(clock.day_of(close_s))
    first_expected, slips = _close_date_slips(specs, position, length, close_day, clock, rng)
    amounts, amount_events = _amount_changes(specs, first_entry, rng)
    currency_events, opening_currency, opening_amount = _currency_fixes(specs, created_s, rng)
    deleted_s = np.where(
        rng.random(n) < DELETED_SHARE,
        created_s + (rng.uniform(0.05, 1.2, n) * (close_s - created_s)).astype(np.int64),
        NULL,
    )
    life_end = np.where(deleted_s != NULL, np.minimum(deleted_s, close_s), close_s)

    is_close = column == length[row] - 1
    is_creation = column == 0
    n_rows = len(row)
    probability = np.array(vocab.STAGE_PROBABILITY)[stage]
    override = ~is_close & (rng.random(n_rows) < PROBABILITY_OVERRIDE_SHARE)
    probability_step = rng.choice([-10, -5, 5, 10, 15], n_rows)
    probability = np.where(override, np.clip(probability + probability_step, 5, 95), probability)
    # A rep who moves a deal's probability 10 points or more moves its forecast category a
    # step too (a pipeline deal called down is omitted); the others keep their stage's.
    stage_category = np.array(vocab.STAGE_FORECAST_CATEGORY)[stage]
    forecast_category = np.select(
        [override & (probability_step >= 10), override & (probability_step <= -10)],
        [np.minimum(stage_category + 1, vocab.COMMIT), stage_category - 1],
        stage_category,
    )
    has_champion = rng.random(n) < CHAMPION_SHARE
    champion_code = rng.integers(0, PERSON_NAME_COUNT, n)
    lost_reason = rng.choice(len(vocab.LOST_REASONS), n_rows, p=np.array(vocab.LOST_REASON_WEIGHTS))
    close_expected = close_day.astype(np.int64)[row]
    owner_at_creation = owners.owner_at(specs.seat, created_s)
    stage_rows = Changes(
        entity=row,
        time=entry_s,
        values={
            "stage": stage,
            "amount": opening_amount[row],
            "currency": opening_currency[row],
            "probability": probability,
            "forecast_category": forecast_category,
            "expected_close": np.where(is_close, close_expected, first_expected[row]),
            "closed_at": np.where(is_close, entry_s, NULL),
            "lost_reason": np.where(is_close & (stage == vocab.CLOSED_LOST), lost_reason, -1),
            "next_step": np.where(is_close, -1, _next_steps(stage, rng)),
            "obstacles": np.where(
                ~is_close & (stage > vocab.QUALIFICATION) & (rng.random(n_rows) < OBSTACLE_SHARE),
                rng.integers(0, len(vocab.OBSTACLES), n_rows),
                -1,
            ),
            "champion": np.where(has_champion[row] & ~is_creation, champion_code[row], -1),
            "owner": owner_at_creation[row],
            "is_deleted": np.zeros(n_rows, bool),
        },
        is_set={
            **{
                field: np.ones(n_rows, bool)
                for field in ("stage", "probability", "forecast_category", "next_step")
            },
            **{field: np.ones(n_rows, bool) for field in ("obstacles", "champion")},
            "expected_close": is_creation | is_close,
            "closed_at": is_creation | is_close,
            "lost_reason": is_creation | is_close,
            **{field: is_creation for field in ("amount", "currency", "owner", "is_deleted")},
        },
    )
    deleted = np.flatnonzero(deleted_s != NULL)
    deletion_rows = Changes(
        deleted,
        deleted_s[deleted],
        {"is_deleted": np.ones(len(deleted), bool)},
        {"is_deleted": np.ones(len(deleted), bool)},
    )
    events = concat_changes(
        [
            stage_rows,
            slips,
            amount_events,
            currency_events,
            _owner_changes(specs.seat, created_s, life_end, owners),
            deletion_rows,
        ]
    )
    deleted_at = np.where(deleted_s != NULL, deleted_s, NEVER)
    keep = events.time <= deleted_at[events.entity]
    events = Changes(
        events.entity[keep],
        events.time[keep],
        {k: v[keep] for k, v in events.values.items()},
        {k: v[keep] for k, v in events.is_set.items()},
    )
    return DealLives(events, created_s, close_s, amounts, deleted_s, first_entry)


def _stage_paths(specs: DealSpecs, rng) -> tuple[np.ndarray, np.ndarray]:
    """Stages entered in order, padded with -1: open stages, maybe a regression, the close."""
    n = len(specs.won)
    deal = np.arange(n)
    reach = np.where(specs.won, vocab.NEGOTIATION, specs.last_open_stage)
    stages = np.arange(vocab.OPEN_STAGE_COUNT)
    kept = rng.random((n, vocab.OPEN_STAGE_COUNT)) >= SKIP_PROBABILITY[specs.pipeline]
    included = (stages <= reach[:, None]) & (kept | (stages == 0) | (stages == reach[:, None]))
    open_count = included.sum(axis=1)
    compact = np.argsort(~included, axis=1, kind="stable")
    path = np.full((n, PATH_WIDTH), -1)
    path[:, : vocab.OPEN_STAGE_COUNT] = np.where(stages < open_count[:, None], compact, -1)
    regress = (rng.random(n) < REGRESSION_PROBABILITY) & (open_count >= 3)
    back = np.flatnonzero(regress)
    path[back, open_count[back]] = path[back, open_count[back] - 2]
    path[back, open_count[back] + 1] = reach[back]
    length = open_count + 2 * regress + 1
    path[deal, length - 1] = np.where(specs.won, vocab.CLOSED_WON, vocab.CLOSED_LOST)
    return path, length


def _entry_positions(specs: DealSpecs, path, length, rng) -> np.ndarray:
    """Business-day position of each stage entry: the cycle split by noisy stage weights."""
    n = len(length)
    steps = np.arange(PATH_WIDTH)
    stage_weight = np.r_[STAGE_WEIGHT, 0.0, 0.0][np.maximum(path, 0)]
    weight = np.where(steps < (length - 1)[:, None], stage_weight, 0.0) * rng.gamma(
        4.0, 0.25, (n, PATH_WIDTH)
    )
    cumulative = np.cumsum(weight, axis=1)
    share = np.hstack([np.zeros((n, 1)), cumulative[:, :-1]]) / cumulative[:, -1:]
    cycle_business_days = specs.cycle_days * 5 / 7
    return (
        specs.start_position[:, None]
        + share * cycle_business_days[:, None]
        + steps * MIN_STEP_BUSINESS_DAYS
    )


def _snap_close(specs: DealSpecs, close_position, clock: Clock, rng) -> np.ndarray:
    """Pull some closes to the last business day of their quarter or month."""
    n = len(close_position)
    whole = np.floor(close_position)
    close_date = np.busday_offset(
        clock.dates(specs.anchor_day), whole.astype(np.int64), roll="forward"
    )
    quarter_end = last_business_day_of_quarter(close_date)
    month_end = last_business_day_of_month(close_date)
    won = specs.won
    to_quarter = (
        ((quarter_end - close_date).astype(np.int64) <= QUARTER_END_PULL["window_days"])
        & (quarter_end >= close_date)
        & (rng.random(n) < np.where(won, QUARTER_END_PULL["won"], QUARTER_END_PULL["lost"]))
    )
    to_month = (
        ~to_quarter
        & ((month_end - close_date).astype(np.int64) <= MONTH_END_PULL["window_days"])
        & (month_end >= close_date)
        & (rng.random(n) < np.where(won, MONTH_END_PULL["won"], MONTH_END_PULL["lost"]))
    )
    target = np.where(to_quarter, quarter_end, np.where(to_month, month_end, close_date))
    moved = clock.business_days_between(specs.anchor_day, target) + (close_position - whole)
    return np.maximum(moved, close_position)


def _close_date_slips(specs: DealSpecs, position, length, close_day, clock: Clock, rng):
    """The first expected close date, and the events that push it out (slips)."""
    n = len(length)
    deal = np.arange(n)
    created_day = clock.dates(specs.anchor_day)
    won = specs.won
    honest = close_day + np.where(won, rng.integers(0, 11, n), rng.integers(0, 31, n)).astype(
        "timedelta64[D]"
    )
    slipper = (rng.random(n) < SLIP_SHARE) & (specs.cycle_days >= MIN_SLIP_CYCLE_DAYS)
    count = rng.choice(len(SLIP_COUNT_WEIGHTS), n, p=np.array(SLIP_COUNT_WEIGHTS)) + 1
    final = close_day.astype(np.int64) + rng.integers(0, 15, n)
    optimistic = created_day.astype(np.int64) + np.ceil(
        specs.cycle_days * rng.uniform(0.35, 0.75, n)
    ).astype(np.int64)
    optimistic = np.maximum(np.minimum(optimistic, final - 7 * count), created_day.astype(np.int64))
    first = np.where(slipper, optimistic, honest.astype(np.int64))

    steps = np.arange(1, 4)
    planned = first[:, None] + (final - first)[:, None] * steps / count[:, None]
    jitter = np.where(steps < count[:, None], rng.integers(-5, 6, (n, 3)), 0)
    dates = np.maximum(np.round(planned + jitter).astype(np.int64), first[:, None] + 1)
    dates = np.maximum.accumulate(dates - steps, axis=1) + steps  # each slip moves it out
    previous = np.hstack([first[:, None], dates[:, :-1]])
    close_position = position[deal, length - 1]
    low = (specs.start_position + 0.1 * specs.cycle_days * 5 / 7)[:, None]
    high = (close_position - 0.05)[:, None]
    when = (
        clock.business_days_between(specs.anchor_day[:, None], previous.astype("datetime64[D]"))
        + rng.uniform(-4, 6, (n, 3))
        + 0.5
    )
    when = np.maximum.accumulate(np.clip(when, low, high), axis=1) + (steps - 1) * 0.01
    active = slipper[:, None] & (steps <= count[:, None]) & (when < high)
    row, column = np.nonzero(active)
    slip_s = clock.work_time(specs.anchor_day[row], when[row, column], specs.region[row])
    events = Changes(
        row,
        slip_s,
        {"expected_close": dates[row, column]},
        {"expected_close": np.ones(len(row), bool)},
    )
    return first, events


def _amount_changes(specs: DealSpecs, first_entry, rng):
    """Amount re-scoped at proposal, discounted at negotiation; returns final amounts."""
    n = len(specs.won)
    amount = specs.amount_cents.copy()
    rows, times, values = [], [], []
    for stage, (share, low, high) in AMOUNT_CHANGE.items():
        entered = first_entry[:, stage] != NEVER
        change = np.flatnonzero(entered & (rng.random(n) < share))
        amount[change] = round_amount(amount[change] * rng.uniform(low, high, len(change)))
        rows.append(change)
        times.append(first_entry[change, stage])
        values.append(amount[change])
    row = np.concatenate(rows)
    return amount, Changes(
        row,
        np.concatenate(times),
        {"amount": np.concatenate(values)},
        {"amount": np.ones(len(row), bool)},
    )


def _currency_fixes(specs: DealSpecs, created_s, rng):
    """A few deals are created in the wrong currency and fixed ten minutes later."""
    n = len(created_s)
    fixed = rng.random(n) < CURRENCY_FIX_SHARE
    wrong = np.where(specs.currency == vocab.USD, vocab.EUR, vocab.USD)
    rate = np.array(vocab.USD_PER_UNIT)
    opening_currency = np.where(fixed, wrong, specs.currency)
    converted = round_amount(specs.amount_cents * rate[specs.currency] / rate[wrong])
    opening_amount = np.where(fixed, converted, specs.amount_cents)
    row = np.flatnonzero(fixed)
    events = Changes(
        row,
        created_s[row] + 600,
        {"currency": specs.currency[row], "amount": specs.amount_cents[row]},
        {"currency": np.ones(len(row), bool), "amount": np.ones(len(row), bool)},
    )
    return events, opening_currency, opening_amount


def _owner_changes(seat, start_s, end_s, owners: SeatOwners) -> Changes:
    """A new owner whenever the deal's seat changes hands while the deal is open."""
    first = owners.index_at(seat, start_s)
    last = owners.index_at(seat, end_s)
    count = last - first
    row = np.repeat(np.arange(len(seat)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    interval = first[row] + 1 + offset
    return Changes(
        row,
        owners.start_s[interval],
        {"owner": owners.owner[interval]},
        {"owner": np.ones(len(row), bool)},
    )


def _next_steps(stage: np.ndarray, rng) -> np.ndarray:
    """A next step typical of the stage, or -1 (empty) for about a third of versions."""
    n = len(stage)
    open_stage = np.minimum(stage, vocab.OPEN_STAGE_COUNT - 1)
    width = max(len(options) for options in vocab.NEXT_STEPS_BY_STAGE)
    table = np.array([list(o) + [o[-1]] * (width - len(o)) for o in vocab.NEXT_STEPS_BY_STAGE])
    count = np.array([len(o) for o in vocab.NEXT_STEPS_BY_STAGE])
    pick = (rng.random(n) * count[open_stage]).astype(np.int64)
    return np.where(rng.random(n) < NEXT_STEP_SHARE, table[open_stage, pick], -1)
