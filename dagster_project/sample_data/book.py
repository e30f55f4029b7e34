"""The company's book of business: which deals and accounts exist, and their outcomes.

New-business deals are opened by account executives day by day (ramp, skill, season);
each one opens a new prospect account. Won deals make customers; customers from before
the simulation form the installed base. Small and mid-market customers churn silently
at an anniversary; enterprise customers renew through renewal deals on a three-year
term, and churn when one is lost. Customers get expansion deals now and then.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .clock import NULL, SECONDS_PER_DAY, WORK_START_HOUR, Clock
from .lifecycle import DealLives, DealSpecs, round_amount, simulate_lives
from .names import COMPANY_NAME_COUNT
from .org import Org
from .versions import Changes, changes, concat_changes

# New-business opportunities a fully ramped, average AE opens per business day.
NEW_DEALS_PER_BUSINESS_DAY = np.array([0.78, 0.39, 0.14])  # ~195, 98, 35 a year
NEW_BUSINESS_WIN_RATE = 0.19
QUARTER_WIN_FACTOR = np.array([0.85, 1.0, 1.0, 1.25])  # budgets flush in Q4
SKILL_EXPONENT = {"volume": 0.35, "win": 0.6, "size": 0.2}
# Won sales cycle in calendar days: lognormal median and spread, per segment.
CYCLE_MEDIAN_DAYS = np.array([45.0, 75.0, 240.0])
CYCLE_SIGMA = 0.28
LOST_CYCLE_SHARE = (0.3, 1.1)
# Furthest open stage of a lost deal (qualification .. negotiation).
LOST_STAGE_WEIGHTS = np.array([0.34, 0.25, 0.19, 0.13, 0.09])
AMOUNT_MEDIAN_USD = np.array([7_500.0, 21_000.0, 70_000.0])
AMOUNT_SIGMA = 0.55
EMEA_EUR_SHARE = 0.6
LEAD_SOURCED_SHARE = 0.55
LEAD_SOURCE_WEIGHTS = np.array([0.36, 0.22, 0.10, 0.10, 0.08, 0.14])
REP_SOURCE_WEIGHTS = np.array([0.0, 0.80, 0.12, 0.0, 0.08, 0.0])
INSTALLED_BASE_PER_SEAT = np.array([28.0, 12.0, 5.0])
INSTALLED_BASE_YEARS = 3
YEARLY_CHURN = np.array([0.16, 0.09, 0.0])  # enterprise churns through lost renewals
ENTERPRISE_TERM_DAYS = 3 * 365
RENEWAL_LEAD_DAYS = 75
RENEWAL_WIN_RATE = 0.88
RENEWAL_UPLIFT = (1.0, 1.1)
EXPANSIONS_PER_YEAR = np.array([0.12, 0.30, 0.60])
EXPANSION_WIN_RATE = 0.45
EXPANSION_CYCLE_MEDIAN_DAYS = np.array([25.0, 40.0, 70.0])
EXPANSION_SHARE_OF_ACV = (0.15, 0.45)
EXPANSION_LOST_STAGE_WEIGHTS = np.array([0.35, 0.0, 0.0, 0.40, 0.25])
ACCOUNT_DELETED_WITH_DEAL_SHARE = 0.5
INDUSTRY_WEIGHTS = np.array([0.22, 0.14, 0.11, 0.10, 0.09, 0.06, 0.07, 0.07, 0.09, 0.05])


@dataclass(frozen=True)
class Deals:
    """Every simulated deal; index + 1 is the numeric part of deal_id (creation order)."""

    events: Changes
    account: np.ndarray
    pipeline: np.ndarray
    deal_type: np.ndarray
    source: np.ndarray  # -1 when empty
    lead_sourced: np.ndarray
    seat: np.ndarray
    region: np.ndarray
    segment: np.ndarray
    created_s: np.ndarray
    close_s: np.ndarray
    won: np.ndarray
    deleted_s: np.ndarray
    first_entry_s: np.ndarray


@dataclass(frozen=True)
class Accounts:
    """Every account; index + 1 is the numeric part of account_id (creation order)."""

    events: Changes
    name_code: np.ndarray
    industry: np.ndarray
    segment: np.ndarray
    country: np.ndarray
    created_s: np.ndarray
    seat: np.ndarray
    region: np.ndarray
    customer_from_s: np.ndarray  # NULL when never a customer
    churned_s: np.ndarray  # NULL when never churned


@dataclass(frozen=True)
class Book:
    deals: Deals
    accounts: Accounts


@dataclass
class _Batch:
    """Deals of one kind before they are merged and numbered."""

    lives: DealLives
    specs: DealSpecs
    account: np.ndarray
    deal_type: int
    source: np.ndarray
    lead_sourced: np.ndarray
    segment: np.ndarray


@dataclass
class _Customers:
    account: np.ndarray
    since_day: np.ndarray
    acv_usd: np.ndarray
    segment: np.ndarray
    seat: np.ndarray
    region: np.ndarray
    currency: np.ndarray
    churned_s: np.ndarray


def build_book(org: Org, clock: Clock, rng: np.random.Generator) -> Book:
    new_business, prospects = _new_business(org, clock, rng)
    base = _installed_base(org, clock, rng, first_account=len(prospects["seat"]))
    won = new_business.specs.won & (new_business.lives.close_s < clock.end_s)
    customers = _Customers(
        account=np.r_[base["account"], new_business.account[won]],
        since_day=np.r_[base["since_day"], clock.day_of(new_business.lives.close_s[won])],
        acv_usd=np.r_[
            base["acv_usd"],
            _usd(new_business.lives.final_amount_cents[won], new_business.specs.currency[won]),
        ],
        segment=np.r_[base["segment"], new_business.segment[won]],
        seat=np.r_[base["seat"], new_business.specs.seat[won]],
        region=np.r_[base["region"], new_business.specs.region[won]],
        currency=np.r_[base["currency"], new_business.specs.currency[won]],
        churned_s=np.full(len(base["account"]) + int(won.sum()), NULL),
    )
    renewals = _renewals_and_churn(customers, clock, org, rng)
    expansions = _expansions(customers, clock, org, rng)
    accounts, account_number = _accounts(prospects, base, customers, new_business, org, clock, rng)
    deals = _merge_deals([new_business, *renewals, expansions], account_number)
    return Book(deals, accounts)


def _usd(cents: np.ndarray, currency: np.ndarray) -> np.ndarray:
    return cents * np.array(vocab.USD_PER_UNIT)[currency] / 100


def _currency_for(region: np.ndarray, rng) -> np.ndarray:
    emea_currency = np.where(rng.random(len(region)) < EMEA_EUR_SHARE, vocab.EUR, vocab.GBP)
    return np.where(region == vocab.EMEA, emea_currency, vocab.USD)


def _local_cents(usd: np.ndarray, currency: np.ndarray) -> np.ndarray:
    return round_amount(usd * 100 / np.array(vocab.USD_PER_UNIT)[currency])


def _new_business(org: Org, clock: Clock, rng) -> tuple[_Batch, dict[str, np.ndarray]]:
    sellers = org.sellers
    ae = np.flatnonzero(sellers.kind == vocab.REP)
    days = np.arange(clock.horizon_days)
    segment_matrix = np.where(
        days < sellers.move_day[ae, None],
        org.teams.segment[sellers.team_before[ae]][:, None],
        org.teams.segment[sellers.team_after[ae]][:, None],
    )
    rate = (
        NEW_DEALS_PER_BUSINESS_DAY[segment_matrix]
        * sellers.ramp_matrix(clock.horizon_days)[ae]
        * sellers.active_matrix(clock.horizon_days)[ae]
        * (clock.is_business_day(days) * clock.seasonality(days))[None, :]
        * (sellers.skill[ae] ** SKILL_EXPONENT["volume"])[:, None]
    )
    counts = rng.poisson(rate).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    seller = ae[cell // clock.horizon_days]
    day = cell % clock.horizon_days
    n = len(cell)
    segment = segment_matrix.ravel()[cell]
    skill = sellers.skill[seller]
    region = sellers.region[seller]
    won_cycle = CYCLE_MEDIAN_DAYS[segment] * rng.lognormal(0.0, CYCLE_SIGMA, n)
    natural_close = clock.dates(day + np.round(won_cycle).astype(np.int64))
    quarter = (natural_close.astype("datetime64[M]").astype(np.int64) % 12) // 3
    win_rate = NEW_BUSINESS_WIN_RATE * skill ** SKILL_EXPONENT["win"] * QUARTER_WIN_FACTOR[quarter]
    won = rng.random(n) < win_rate
    currency = _currency_for(region, rng)
    amount_usd = (
        AMOUNT_MEDIAN_USD[segment]
        * rng.lognormal(0.0, AMOUNT_SIGMA, n)
        * skill ** SKILL_EXPONENT["size"]
    )
    specs = DealSpecs(
        anchor_day=day,
        start_position=rng.random(n),
        seat=sellers.seat[seller],
        region=region,
        pipeline=np.full(n, vocab.NEW_BUSINESS_PIPELINE),
        won=won,
        cycle_days=np.where(won, won_cycle, won_cycle * rng.uniform(*LOST_CYCLE_SHARE, n)),
        last_open_stage=rng.choice(vocab.OPEN_STAGE_COUNT, n, p=LOST_STAGE_WEIGHTS),
        amount_cents=_local_cents(amount_usd, currency),
        currency=currency,
    )
    lives = simulate_lives(specs, clock, org.seat_owners, rng)
    lead_sourced = rng.random(n) < LEAD_SOURCED_SHARE
    source = np.where(
        lead_sourced,
        rng.choice(len(vocab.LEAD_SOURCES), n, p=LEAD_SOURCE_WEIGHTS),
        rng.choice(len(vocab.LEAD_SOURCES), n, p=REP_SOURCE_WEIGHTS),
    )
    # A lead-sourced deal's account is created at conversion; a rep's own prospect earlier.
    # (never before the seat's first rep, who owns it from the start).
    seat_opened = org.seat_owners.start_s[np.searchsorted(org.seat_owners.seat, specs.seat)]
    account_created = np.where(
        lead_sourced,
        lives.created_s - 120,
        np.maximum(lives.created_s - rng.integers(1, 60, n) * SECONDS_PER_DAY, seat_opened),
    )
    prospects = {
        "created_s": account_created,
        "seat": specs.seat,
        "region": region,
        "segment": segment,
    }
    batch = _Batch(lives, specs, np.arange(n), vocab.NEW_BUSINESS, source, lead_sourced, segment)
    return batch, prospects


def _installed_base(org: Org, clock: Clock, rng, first_account: int) -> dict[str, np.ndarray]:
    """Customers won before the simulation, spread over the seats that existed then."""
    first_hire = np.full(len(org.seat_kind), np.iinfo(np.int64).max)
    np.minimum.at(first_hire, org.sellers.seat, org.sellers.hire_day)
    seats = np.flatnonzero((org.seat_kind == vocab.REP) & (first_hire < 0))
    counts = rng.poisson(INSTALLED_BASE_PER_SEAT[org.seat_segment[seats]])
    seat = np.repeat(seats, counts)
    n = len(seat)
    region = org.seat_region[seat]
    segment = org.seat_segment[seat]
    since_day = -rng.integers(30, INSTALLED_BASE_YEARS * 365, n)
    currency = _currency_for(region, rng)
    return {
        "account": first_account + np.arange(n),
        "seat": seat,
        "region": region,
        "segment": segment,
        "since_day": since_day,
        "created_s": clock.day_start_s(since_day - rng.integers(30, 400, n))
        + WORK_START_HOUR[region] * 3600,
        "acv_usd": AMOUNT_MEDIAN_USD[segment] * rng.lognormal(0.0, AMOUNT_SIGMA, n),
        "currency": currency,
    }


def _renewals_and_churn(customers: _Customers, clock: Clock, org: Org, rng) -> list[_Batch]:
    """Yearly silent churn for SMB and mid-market; renewal deals for enterprise terms."""
    batches: list[_Batch] = []
    years = clock.horizon_days // 365 + INSTALLED_BASE_YEARS + 1
    enterprise = customers.segment == vocab.ENTERPRISE
    for year in range(1, years + 1):
        alive = customers.churned_s == NULL
        anniversary = customers.since_day + 365 * year
        silent = np.flatnonzero(
            alive & ~enterprise & (anniversary >= 0) & (anniversary < clock.horizon_days)
        )
        churns = silent[rng.random(len(silent)) < YEARLY_CHURN[customers.segment[silent]]]
        customers.churned_s[churns] = (
            clock.day_start_s(clock.business_anchor(anniversary[churns]))
            + WORK_START_HOUR[customers.region[churns]] * 3600
            + rng.integers(0, 9 * 3600, len(churns))
        )
        term_end = customers.since_day + ENTERPRISE_TERM_DAYS * year
        opens = term_end - RENEWAL_LEAD_DAYS
        due = np.flatnonzero(alive & enterprise & (opens >= 0) & (opens < clock.horizon_days))
        if len(due) == 0:
            continue
        batch = _renewal_batch(customers, due, opens[due], term_end[due], clock, org, rng)
        lost = ~batch.specs.won & (
            batch.lives.close_s < clock.horizon_days * SECONDS_PER_DAY + clock.origin_s
        )
        customers.churned_s[due[lost]] = batch.lives.close_s[lost]
        batches.append(batch)
    return batches


def _renewal_batch(
    customers: _Customers, due, opens, term_end, clock: Clock, org: Org, rng
) -> _Batch:
    n = len(due)
    anchor = clock.business_anchor(opens)
    won = rng.random(n) < RENEWAL_WIN_RATE
    usd = customers.acv_usd[due] * rng.uniform(*RENEWAL_UPLIFT, n)
    specs = DealSpecs(
        anchor_day=anchor,
        start_position=rng.random(n),
        seat=customers.seat[due],
        region=customers.region[due],
        pipeline=np.full(n, vocab.EXPANSION_PIPELINE),
        won=won,
        cycle_days=np.maximum(term_end - anchor + rng.normal(0, 7, n), 20.0),
        last_open_stage=rng.choice(vocab.OPEN_STAGE_COUNT, n, p=EXPANSION_LOST_STAGE_WEIGHTS),
        amount_cents=_local_cents(usd, customers.currency[due]),
        currency=customers.currency[due],
    )
    lives = simulate_lives(specs, clock, org.seat_owners, rng)
    return _Batch(
        lives,
        specs,
        customers.account[due],
        vocab.RENEWAL,
        np.full(n, -1),
        np.zeros(n, bool),
        customers.segment[due],
    )


def _expansions(customers: _Customers, clock: Clock, org: Org, rng) -> _Batch:
    start = np.maximum(customers.since_day + 90, 0)
    churn_day = np.where(
        customers.churned_s == NULL, clock.horizon_days, clock.day_of(customers.churned_s)
    )
    end = np.minimum(churn_day, clock.horizon_days)
    span = np.maximum(end - start, 0)
    counts = rng.poisson(EXPANSIONS_PER_YEAR[customers.segment] * span / 365)
    owner = np.repeat(np.arange(len(span)), counts)
    n = len(owner)
    day = clock.business_anchor(start[owner] + (rng.random(n) * span[owner]).astype(np.int64))
    keep = day < end[owner]
    owner, day = owner[keep], day[keep]
    n = len(owner)
    segment = customers.segment[owner]
    won = rng.random(n) < EXPANSION_WIN_RATE
    cycle = EXPANSION_CYCLE_MEDIAN_DAYS[segment] * rng.lognormal(0.0, CYCLE_SIGMA, n)
    usd = customers.acv_usd[owner] * rng.uniform(*EXPANSION_SHARE_OF_ACV, n)
    specs = DealSpecs(
        anchor_day=day,
        start_position=rng.random(n),
        seat=customers.seat[owner],
        region=customers.region[owner],
        pipeline=np.full(n, vocab.EXPANSION_PIPELINE),
        won=won,
        cycle_days=np.where(won, cycle, cycle * rng.uniform(*LOST_CYCLE_SHARE, n)),
        last_open_stage=rng.choice(vocab.OPEN_STAGE_COUNT, n, p=EXPANSION_LOST_STAGE_WEIGHTS),
        amount_cents=_local_cents(usd, customers.currency[owner]),
        currency=customers.currency[owner],
    )
    lives = simulate_lives(specs, clock, org.seat_owners, rng)
    return _Batch(
        lives,
        specs,
        customers.account[owner],
        vocab.EXPANSION,
        np.full(n, -1),
        np.zeros(n, bool),
        segment,
    )


def _merge_deals(batches: list[_Batch], account_number: np.ndarray) -> Deals:
    """Concatenate the batches and number deals by creation time."""
    sizes = np.array([len(b.account) for b in batches])
    offsets = np.cumsum(sizes) - sizes
    created = np.concatenate([b.lives.created_s for b in batches])
    order = np.argsort(created, kind="stable")
    renumber = np.empty(len(order), np.int64)
    renumber[order] = np.arange(len(order))
    shifted = [
        Changes(
            b.lives.events.entity + offset,
            b.lives.events.time,
            b.lives.events.values,
            b.lives.events.is_set,
        )
        for b, offset in zip(batches, offsets, strict=True)
    ]
    events = concat_changes(shifted)
    events = Changes(renumber[events.entity], events.time, events.values, events.is_set)

    def merged(get) -> np.ndarray:
        return np.concatenate([get(b) for b in batches])[order]

    return Deals(
        events=events,
        account=account_number[merged(lambda b: b.account)],
        pipeline=merged(lambda b: b.specs.pipeline),
        deal_type=merged(lambda b: np.full(len(b.account), b.deal_type)),
        source=merged(lambda b: b.source),
        lead_sourced=merged(lambda b: b.lead_sourced),
        seat=merged(lambda b: b.specs.seat),
        region=merged(lambda b: b.specs.region),
        segment=merged(lambda b: b.segment),
        created_s=created[order],
        close_s=merged(lambda b: b.lives.close_s),
        won=merged(lambda b: b.specs.won),
        deleted_s=merged(lambda b: b.lives.deleted_s),
        first_entry_s=np.concatenate([b.lives.first_entry_s for b in batches])[order],
    )


def _accounts(
    prospects, base, customers: _Customers, new_business: _Batch, org: Org, clock: Clock, rng
) -> tuple[Accounts, np.ndarray]:
    """Account events, and the account number of each account index used by the deals."""
    seat = np.r_[prospects["seat"], base["seat"]]
    region = np.r_[prospects["region"], base["region"]]
    segment = np.r_[prospects["segment"], base["segment"]]
    created = np.r_[prospects["created_s"], base["created_s"]]
    n = len(seat)
    customer_from = np.full(n, NULL)
    customer_from[base["account"]] = (
        clock.day_start_s(base["since_day"]) + WORK_START_HOUR[base["region"]] * 3600
    )
    won_new = new_business.specs.won & (new_business.lives.close_s < clock.end_s)
    customer_from[new_business.account[won_new]] = new_business.lives.close_s[won_new]
    churned = np.full(n, NULL)
    churned[customers.account] = customers.churned_s
    is_customer = customer_from != NULL
    since_date = clock.day_of(customer_from[is_customer]) + clock.origin_day.astype(np.int64)
    # A deleted new-business deal often takes its fresh prospect account with it.
    gone = (new_business.lives.deleted_s != NULL) & (
        rng.random(len(new_business.account)) < ACCOUNT_DELETED_WITH_DEAL_SHARE
    )
    deleted_account = new_business.account[gone]
    deleted_s = new_business.lives.deleted_s[gone] + 60
    owner = org.seat_owners.owner_at(seat, created)
    first = org.seat_owners.index_at(seat, created)
    last_of_seat = np.searchsorted(org.seat_owners.seat, seat, side="right") - 1
    count = last_of_seat - first
    row = np.repeat(np.arange(n), count)
    interval = first[row] + 1 + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    churn_rows = np.flatnonzero(churned != NULL)
    events = concat_changes(
        [
            changes(
                np.arange(n),
                created,
                owner=owner,
                customer_since=np.full(n, NULL),
                churned_at=np.full(n, NULL),
                is_deleted=np.zeros(n, bool),
            ),
            changes(
                np.flatnonzero(is_customer), customer_from[is_customer], customer_since=since_date
            ),
            changes(churn_rows, churned[churn_rows], churned_at=churned[churn_rows]),
            changes(row, org.seat_owners.start_s[interval], owner=org.seat_owners.owner[interval]),
            changes(deleted_account, deleted_s, is_deleted=np.ones(len(deleted_account), bool)),
        ]
    )
    order = np.argsort(created, kind="stable")
    renumber = np.empty(n, np.int64)
    renumber[order] = np.arange(n)
    events = Changes(renumber[events.entity], events.time, events.values, events.is_set)
    countries = np.array(vocab.COUNTRY_WEIGHTS_BY_REGION)
    country = (rng.random(n)[:, None] > np.cumsum(countries[region], axis=1)).sum(axis=1)
    accounts = Accounts(
        events=events,
        name_code=rng.integers(0, COMPANY_NAME_COUNT, n)[order],
        industry=rng.choice(len(vocab.INDUSTRIES), n, p=INDUSTRY_WEIGHTS / INDUSTRY_WEIGHTS.sum())[
            order
        ],
        segment=segment[order],
        country=np.minimum(country, len(vocab.COUNTRIES) - 1)[order],
        created_s=created[order],
        seat=seat[order],
        region=region[order],
        customer_from_s=customer_from[order],
        churned_s=churned[order],
    )
    return accounts, renumber
