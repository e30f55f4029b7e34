"""The sales organisation over time: teams, seats, the people in them, and their changes.

`reps` is the number of account executive seats (role `rep`); SDR seats come on top, one
per four AEs, and a manager per team of up to eight. An AE seat belongs to a region and
segment, an SDR seat to a region. A seat owns a book of accounts and deals; its owner at
any moment is the rep in it, or the team manager while it is vacant. People are hired
into seats, some leave (the seat is refilled after a vacancy), and a few move team,
taking their seat with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .clock import WORK_HOURS, WORK_START_HOUR, Clock
from .names import PERSON_NAME_COUNT
from .versions import Changes, changes, concat_changes

SDRS_PER_AE = 0.25
REGION_SHARE = (0.55, 0.30, 0.15)
AE_SEGMENT_SHARE = (0.40, 0.35, 0.25)
TEAM_SIZE = 8
# Seats opened during the simulation (the company grows); the rest exist before it.
GROWTH_SEAT_SHARE = 0.2
EARLIEST_PRE_START_HIRE_DAYS = 4 * 365
MEAN_TENURE_DAYS = 6 * 365  # about 16% yearly attrition
VACANCY_DAYS = (30, 90)
TEAM_MOVES_PER_YEAR = 0.06
MAX_SEAT_OCCUPANTS = 8
RAMP_DAYS = 90
# Skill spread: bookings scale with it, so the top decile books about twice the median.
SKILL_SIGMA = 0.45
OTE_USD_BY_SEGMENT = (120_000, 170_000, 250_000)
OTE_USD_SDR = 80_000
OTE_USD_MANAGER = 220_000
OTE_USD_VP = 380_000
EMEA_EUR_SHARE = 0.6
MIN_REPS = 2


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integer parts proportional to weights (largest remainder)."""
    exact = total * np.asarray(weights, float) / np.sum(weights)
    counts = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - counts), kind="stable")
    counts[remainder_order[: total - counts.sum()]] += 1
    return counts


@dataclass(frozen=True)
class Teams:
    name: np.ndarray  # str
    kind: np.ndarray  # vocab.REP or vocab.SDR
    region: np.ndarray
    segment: np.ndarray  # -1 for SDR teams
    manager: np.ndarray  # user index


@dataclass(frozen=True)
class Sellers:
    """Everyone who ever sat in a seat: one row per person (an occupancy of a seat)."""

    user: np.ndarray
    seat: np.ndarray
    kind: np.ndarray  # vocab.REP (account executive) or vocab.SDR
    region: np.ndarray
    hire_day: np.ndarray
    leave_day: np.ndarray  # horizon_days when they stay
    move_day: np.ndarray  # horizon_days when they never move
    team_before: np.ndarray
    team_after: np.ndarray
    skill: np.ndarray  # mean 1

    def team_on(self, day: np.ndarray, index: np.ndarray) -> np.ndarray:
        return np.where(day < self.move_day[index], self.team_before[index], self.team_after[index])

    def active_matrix(self, days: int) -> np.ndarray:
        """sellers x days: in a seat that day."""
        day = np.arange(days)
        return (self.hire_day[:, None] <= day) & (day < self.leave_day[:, None])

    def ramp_matrix(self, days: int) -> np.ndarray:
        """sellers x days: share of full productivity, rising linearly over the ramp."""
        day = np.arange(days)
        return np.clip((day - self.hire_day[:, None] + 1) / RAMP_DAYS, 0.0, 1.0)


@dataclass(frozen=True)
class Users:
    """Every user, indexed so that user index + 1 is the numeric part of user_id."""

    role: np.ndarray
    region: np.ndarray  # -1 for the VP
    hired_s: np.ndarray
    name_code: np.ndarray
    ote_cents: np.ndarray
    ote_currency: np.ndarray
    events: Changes  # fields: team, manager, is_active and the static ones


@dataclass(frozen=True)
class SeatOwners:
    """Who owns each seat's book from when: rows sorted by seat then start."""

    seat: np.ndarray
    start_s: np.ndarray
    owner: np.ndarray

    def _key(self, seat: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return seat.astype(np.int64) * (1 << 40) + (seconds - self.start_s.min())

    def index_at(self, seat: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Row of the interval in force for each (seat, time); times before a seat's
        first occupant map to that first interval."""
        keys = self._key(self.seat, self.start_s)
        found = np.searchsorted(keys, self._key(seat, seconds), side="right") - 1
        first = np.searchsorted(self.seat, seat, side="left")
        return np.maximum(found, first)

    def owner_at(self, seat: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return self.owner[self.index_at(seat, seconds)]


@dataclass(frozen=True)
class Org:
    teams: Teams
    sellers: Sellers
    users: Users
    seat_owners: SeatOwners
    seat_kind: np.ndarray
    seat_region: np.ndarray
    seat_segment: np.ndarray  # segment of the seat's first team (-1 for SDR seats)

    def pick_sdr(self, region: np.ndarray, day: np.ndarray, rng: np.random.Generator):
        """A random SDR in a seat on `day`, in `region` when there is one: user index or -1."""
        sdr = np.flatnonzero(self.sellers.kind == vocab.SDR)
        day = np.maximum(day, 0)  # leads older than the simulation go to the first SDRs
        days = int(day.max()) + 1 if len(day) else 1
        active = self.sellers.active_matrix(days)[sdr]
        u = rng.random(len(day))
        picked = _pick_active(self.sellers.region[sdr], active, region, day, u)
        missing = picked < 0
        picked[missing] = _pick_active(
            np.zeros(len(sdr), np.int64),
            active,
            np.zeros(missing.sum(), np.int64),
            day[missing],
            u[missing],
        )
        return np.where(picked >= 0, self.sellers.user[sdr][np.maximum(picked, 0)], -1)


def _pick_active(group, active, query_group, query_day, u) -> np.ndarray:
    """For each query, a uniformly chosen member of its group active on its day, or -1.

    Members are ordered by group; a running count of active members per day column is
    non-decreasing, so one searchsorted over all days finds the chosen member.
    """
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    running = np.cumsum(active[order], axis=0)  # members x days
    members = len(order)
    before = np.vstack([np.zeros((1, running.shape[1]), running.dtype), running])
    group_start = np.searchsorted(sorted_group, query_group, side="left")
    group_end = np.searchsorted(sorted_group, query_group, side="right")
    base = before[group_start, query_day]
    count = before[group_end, query_day] - base
    target = base + np.floor(u * count).astype(np.int64) + 1
    stride = members + 1
    flat = (np.arange(running.shape[1])[:, None] * stride + running.T).ravel()
    position = np.searchsorted(flat, query_day * stride + target, side="left")
    member = position - query_day * members
    return np.where(count > 0, order[np.minimum(member, members - 1)], -1)


def build_org(reps: int, clock: Clock, rng: np.random.Generator) -> Org:
    if reps < MIN_REPS:
        raise ValueError(f"reps must be at least {MIN_REPS}, got {reps}")
    horizon = clock.horizon_days
    sdr_count = max(1, round(reps * SDRS_PER_AE))
    # Seats: AE seats per (region, segment) cell, SDR seats per region.
    region_segment = np.outer(REGION_SHARE, AE_SEGMENT_SHARE).ravel()
    ae_cells = apportion(reps, region_segment)
    sdr_cells = apportion(sdr_count, np.array(REGION_SHARE))
    cell_kind = np.r_[np.full(9, vocab.REP), np.full(3, vocab.SDR)]
    cell_region = np.r_[np.repeat(np.arange(3), 3), np.arange(3)]
    cell_segment = np.r_[np.tile(np.arange(3), 3), np.full(3, -1)]
    cell_seats = np.r_[ae_cells, sdr_cells]
    cell_teams = -(-cell_seats // TEAM_SIZE)
    team_cell = np.repeat(np.arange(12), cell_teams)
    team_number = np.arange(len(team_cell)) - np.repeat(
        np.cumsum(cell_teams) - cell_teams, cell_teams
    )
    seat_cell = np.repeat(np.arange(12), cell_seats)
    seat_in_cell = np.arange(len(seat_cell)) - np.repeat(
        np.cumsum(cell_seats) - cell_seats, cell_seats
    )
    first_team_of_cell = np.cumsum(cell_teams) - cell_teams
    seat_team = first_team_of_cell[seat_cell] + seat_in_cell % np.maximum(cell_teams[seat_cell], 1)
    seat_count = len(seat_cell)
    seat_kind = cell_kind[seat_cell]
    seat_region = cell_region[seat_cell]

    team_kind = cell_kind[team_cell]
    team_region = cell_region[team_cell]
    team_segment = cell_segment[team_cell]
    team_label = np.where(
        team_kind == vocab.SDR, "SDR", np.array(vocab.SEGMENT_LABELS)[np.maximum(team_segment, 0)]
    )
    team_name = np.char.add(np.char.add(np.array(vocab.REGIONS)[team_region], " "), team_label)
    numbered = cell_teams[team_cell] > 1
    team_name = np.where(
        numbered, np.char.add(np.char.add(team_name, " "), (team_number + 1).astype(str)), team_name
    )
    team_count = len(team_cell)

    # People in seats, one generation of occupants at a time.
    growth = rng.random(seat_count) < GROWTH_SEAT_SHARE
    hire = np.where(
        growth,
        rng.integers(0, clock.exported_days, seat_count),
        -rng.integers(30, EARLIEST_PRE_START_HIRE_DAYS, seat_count),
    )
    current_team = seat_team.copy()
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in ("seat", "hire", "leave", "move", "before", "after")
    }
    for _generation in range(MAX_SEAT_OCCUPANTS):
        seats = np.flatnonzero(hire < horizon)
        if len(seats) == 0:
            break
        start = np.maximum(hire[seats], 0)
        leave = start + np.ceil(rng.exponential(MEAN_TENURE_DAYS, len(seats))).astype(np.int64)
        leave = np.minimum(leave, horizon)
        span = np.minimum(leave, horizon) - start
        moves = (rng.random(len(seats)) < 1 - np.exp(-TEAM_MOVES_PER_YEAR * span / 365)) & (
            span > 90
        )
        move = np.where(
            moves, start + 30 + (rng.random(len(seats)) * (span - 60)).astype(np.int64), horizon
        )
        before = current_team[seats]
        destination = _choose_destination(before, team_kind, team_region, rng)
        moved = moves & (destination >= 0)
        after = np.where(moved, destination, before)
        move = np.where(moved, move, horizon)
        current_team[seats] = after
        for key, value in zip(
            ("seat", "hire", "leave", "move", "before", "after"),
            (seats, hire[seats], leave, move, before, after),
            strict=True,
        ):
            columns[key].append(value)
        next_hire = np.full(seat_count, horizon)
        next_hire[seats] = np.where(
            leave < horizon,
            leave + rng.integers(VACANCY_DAYS[0], VACANCY_DAYS[1], len(seats)),
            horizon,
        )
        hire = next_hire
    occ = {k: np.concatenate(v) for k, v in columns.items()}
    occ_count = len(occ["seat"])
    occ_kind = seat_kind[occ["seat"]]
    occ_region = seat_region[occ["seat"]]
    skill = rng.lognormal(0.0, SKILL_SIGMA, occ_count)
    skill /= np.exp(SKILL_SIGMA**2 / 2)

    # Users in creation order: VP, managers, sellers; then renumbered by hire time.
    vp_hire = -EARLIEST_PRE_START_HIRE_DAYS - 200
    manager_hire = -rng.integers(
        EARLIEST_PRE_START_HIRE_DAYS, EARLIEST_PRE_START_HIRE_DAYS + 150, team_count
    )
    role = np.r_[
        vocab.VP,
        np.full(team_count, vocab.MANAGER),
        np.where(occ_kind == vocab.SDR, vocab.SDR, vocab.REP),
    ]
    region = np.r_[-1, team_region, occ_region]
    hire_day = np.r_[vp_hire, manager_hire, occ["hire"]]
    first_team = np.r_[-1, np.arange(team_count), occ["before"]]
    user_count = len(role)
    ote_usd = np.select(
        [role == vocab.VP, role == vocab.MANAGER, role == vocab.SDR],
        [OTE_USD_VP, OTE_USD_MANAGER, OTE_USD_SDR],
        np.array(OTE_USD_BY_SEGMENT)[np.maximum(team_segment[np.maximum(first_team, 0)], 0)],
    ) * rng.lognormal(0.0, 0.08, user_count)
    currency = np.where(
        region == vocab.EMEA,
        np.where(rng.random(user_count) < EMEA_EUR_SHARE, vocab.EUR, vocab.GBP),
        vocab.USD,
    )
    ote_local = np.round(ote_usd / np.array(vocab.USD_PER_UNIT)[currency], -3)
    hired_s = clock.day_start_s(hire_day) + WORK_START_HOUR[np.maximum(region, 0)] * 3600
    order = np.argsort(hired_s, kind="stable")
    renumber = np.empty(user_count, np.int64)
    renumber[order] = np.arange(user_count)
    vp_user = renumber[0]
    team_manager = renumber[1 : 1 + team_count]
    occ_user = renumber[1 + team_count :]

    name_code = rng.choice(PERSON_NAME_COUNT, user_count, replace=False)
    manager_of_first_team = np.where(first_team >= 0, team_manager[np.maximum(first_team, 0)], -1)
    manager_of_first_team[1 : 1 + team_count] = vp_user
    creation = changes(
        renumber,
        hired_s,
        team=first_team,
        manager=manager_of_first_team,
        is_active=np.ones(user_count, bool),
    )
    moved = occ["move"] < horizon
    move_s = (
        clock.day_start_s(occ["move"][moved]) + WORK_START_HOUR[occ_region[moved]] * 3600 + 3600
    )
    move_events = changes(
        occ_user[moved], move_s, team=occ["after"][moved], manager=team_manager[occ["after"][moved]]
    )
    left = occ["leave"] < horizon
    leave_s = _end_of_work_day(clock, occ["leave"][left], occ_region[left])
    leave_events = changes(occ_user[left], leave_s, is_active=np.zeros(left.sum(), bool))
    users = Users(
        role=role[order],
        region=region[order],
        hired_s=hired_s[order],
        name_code=name_code[order],
        ote_cents=(ote_local[order] * 100).astype(np.int64),
        ote_currency=currency[order],
        events=concat_changes([creation, move_events, leave_events]),
    )
    sellers = Sellers(
        user=occ_user,
        seat=occ["seat"],
        kind=occ_kind,
        region=occ_region,
        hire_day=occ["hire"],
        leave_day=occ["leave"],
        move_day=occ["move"],
        team_before=occ["before"],
        team_after=occ["after"],
        skill=skill,
    )
    return Org(
        teams=Teams(team_name, team_kind, team_region, team_segment, team_manager),
        sellers=sellers,
        users=users,
        seat_owners=_seat_owners(sellers, team_manager, hired_s[1 + team_count :], leave_s, left),
        seat_kind=seat_kind,
        seat_region=seat_region,
        seat_segment=np.where(seat_kind == vocab.REP, team_segment[seat_team], -1),
    )


def _end_of_work_day(clock: Clock, day: np.ndarray, region: np.ndarray) -> np.ndarray:
    return clock.day_start_s(day) + (WORK_START_HOUR[region] + WORK_HOURS - 1) * 3600


def _choose_destination(team, team_kind, team_region, rng) -> np.ndarray:
    """Another team of the same kind for each mover, same region preferred; -1 if none."""
    same_kind = team_kind[None, :] == team_kind[team][:, None]
    other = np.arange(len(team_kind))[None, :] != team[:, None]
    weight = (same_kind & other) * np.where(
        team_region[None, :] == team_region[team][:, None], 4.0, 1.0
    )
    total = weight.sum(axis=1)
    cumulative = np.cumsum(weight, axis=1)
    pick = (cumulative < (rng.random(len(team)) * total)[:, None]).sum(axis=1)
    return np.where(total > 0, np.minimum(pick, len(team_kind) - 1), -1)


def _seat_owners(sellers: Sellers, team_manager, seller_hired_s, leave_s, left) -> SeatOwners:
    """Occupants own their seat's book from hire; the team manager covers a vacancy."""
    vacancy_team = sellers.team_after[left]
    seat = np.r_[sellers.seat, sellers.seat[left]]
    start = np.r_[seller_hired_s, leave_s]
    owner = np.r_[sellers.user, team_manager[vacancy_team]]
    order = np.lexsort((start, seat))
    return SeatOwners(seat[order], start[order], owner[order])
