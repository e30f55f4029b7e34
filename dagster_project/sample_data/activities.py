"""Activities: what reps and SDRs do, generated block by block of drop days.

Three kinds: cold outreach (SDRs on their recent leads, AEs on their accounts), touches on
open deals (calls, emails, follow-up meetings, tasks, notes; a deal about to be lost goes
quiet first), and meetings tied to a deal's or customer's milestones (discovery, demo,
negotiation, onboarding, QBR). A booked meeting, demo or task has two versions: booked
(status scheduled) and its outcome. Generating per block bounds memory at scale L; a
second version that falls in a later block's drops is carried over to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, fields

import numpy as np

from . import vocab
from .book import Book
from .clock import NULL, SECONDS_PER_DAY, WARMUP_DAYS, Clock
from .leads import Leads
from .lifecycle import NEVER
from .org import Org
from .versions import latest_per_drop

BLOCK_DAYS = 30
LOOKBACK_LEAD_DAYS = 60
# Cold outreach per fully ramped seller and business day: call, email, inmail.
OUTREACH_PER_DAY = {vocab.SDR: (30.0, 35.0, 8.0), vocab.REP: (5.0, 8.0, 2.0)}
COLD_CALL_OUTCOMES = (0.08, 0.57, 0.35)  # connected, no_answer, voicemail
DEAL_CALL_OUTCOMES = (0.30, 0.40, 0.30)
COLD_EMAIL_OUTCOMES = (0.07, 0.03)  # replied, bounced; the rest get no reply
DEAL_EMAIL_OUTCOMES = (0.25, 0.01)
INMAIL_REPLY_SHARE = 0.04
# Touches per business day on an open deal, per segment, before the deal's engagement.
TOUCHES_PER_DAY = np.array([0.45, 0.55, 0.70])
ENGAGEMENT_SIGMA = 0.4
QUIET_BEFORE_LOSS = 0.3  # share of a lost deal's life with no touches at the end
TOUCH_MIX = {
    vocab.EMAIL: 0.42,
    vocab.CALL: 0.22,
    vocab.MEETING: 0.08,
    vocab.TASK: 0.14,
    vocab.NOTE: 0.12,
    vocab.INMAIL: 0.02,
}
TASK_OUTCOME = (0.80, 0.05)  # completed, cancelled; the rest stay open
MEETING_OUTCOME = (0.85, 0.07)  # completed, no_show; the rest are cancelled
DEMO_NO_SHOW = 0.25
RESCHEDULED_DEMO_NO_SHOW = 0.15
MEETING_DURATIONS = np.array([1800, 2700, 3600])
QBR_EVERY_DAYS = 91


@dataclass
class Batch:
    """Activities (not versions): the booked version, and an optional outcome version."""

    created_s: np.ndarray
    activity_type: np.ndarray
    direction: np.ndarray
    owner: np.ndarray
    deal: np.ndarray
    account: np.ndarray
    lead: np.ndarray
    scheduled_s: np.ndarray
    outcome: np.ndarray
    meeting_type: np.ndarray
    status: np.ndarray
    completed_s: np.ndarray
    duration: np.ndarray
    later_s: np.ndarray  # NULL when there is no outcome version
    later_status: np.ndarray
    later_completed_s: np.ndarray
    later_duration: np.ndarray

    def take(self, index: np.ndarray) -> Batch:
        return Batch(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[Batch]) -> Batch:
        return Batch(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Batch)}
        )


def _batch(created_s, activity_type, owner, **given: np.ndarray) -> Batch:
    """A batch of completed one-version activities, overridden by the given fields."""
    n = len(created_s)
    none = np.full(n, -1)
    never = np.full(n, NULL)
    defaults = {
        "direction": np.full(n, vocab.OUTBOUND),
        "deal": none,
        "account": none,
        "lead": none,
        "scheduled_s": never,
        "outcome": none,
        "meeting_type": none,
        "status": np.full(n, vocab.COMPLETED),
        "completed_s": created_s,
        "duration": never,
        "later_s": never,
        "later_status": none,
        "later_completed_s": never,
        "later_duration": never,
    }
    defaults.update(given)
    activity = np.broadcast_to(activity_type, (n,))
    return Batch(created_s=created_s, activity_type=activity, owner=owner, **defaults)


def _choice(rng, shares: tuple[float, ...], n: int) -> np.ndarray:
    """Index of the share each draw falls in; len(shares) for the remainder."""
    return np.searchsorted(np.cumsum(shares), rng.random(n), side="right")


def _call_results(rng, shares: tuple[float, float, float], n: int):
    outcome = np.array([vocab.CONNECTED, vocab.NO_ANSWER, vocab.VOICEMAIL])[
        np.minimum(_choice(rng, shares[:2], n), 2)
    ]
    duration = np.select(
        [outcome == vocab.CONNECTED, outcome == vocab.VOICEMAIL],
        [rng.lognormal(np.log(240), 0.6, n).astype(np.int64) + 30, rng.integers(20, 60, n)],
        rng.integers(10, 35, n),
    )
    return outcome, duration


def _email_results(rng, shares: tuple[float, float], n: int) -> np.ndarray:
    return np.array([vocab.REPLIED, vocab.BOUNCED, vocab.NO_REPLY])[_choice(rng, shares, n)]


def _booked(clock: Clock, day: np.ndarray, region: np.ndarray, rng) -> np.ndarray:
    """A time in office hours on the first business day from `day`."""
    return clock.work_time(clock.business_anchor(day), rng.random(len(day)), region)


@dataclass(frozen=True)
class _Context:
    org: Org
    book: Book
    leads: Leads
    clock: Clock
    engagement: np.ndarray  # per deal
    lead_key: np.ndarray  # leads sorted by (owner, created)
    lead_order: np.ndarray
    account_key: np.ndarray  # accounts sorted by (seat, created)
    account_order: np.ndarray
    planned: Batch  # milestone meetings, sorted by creation


KEY_STRIDE = 1 << 40


def _key(group: np.ndarray, seconds: np.ndarray, clock: Clock) -> np.ndarray:
    return group.astype(np.int64) * KEY_STRIDE + (seconds - clock.origin_s + KEY_STRIDE // 2)


def activity_blocks(
    org: Org, book: Book, leads: Leads, clock: Clock, seed: int, stream: int
) -> Iterator[dict[str, np.ndarray]]:
    """Per block of drops: the activity versions its drops export, sorted by drop and id."""
    setup = np.random.default_rng([seed, stream, 0])
    deals, accounts = book.deals, book.accounts
    lead_key = _key(leads.owner, leads.created_s, clock)
    lead_order = np.argsort(lead_key, kind="stable")
    account_key = _key(accounts.seat, accounts.created_s, clock)
    account_order = np.argsort(account_key, kind="stable")
    context = _Context(
        org=org,
        book=book,
        leads=leads,
        clock=clock,
        engagement=setup.lognormal(
            -(ENGAGEMENT_SIGMA**2) / 2, ENGAGEMENT_SIGMA, len(deals.created_s)
        ),
        lead_key=lead_key[lead_order],
        lead_order=lead_order,
        account_key=account_key[account_order],
        account_order=account_order,
        planned=_planned(book, org, clock, setup),
    )
    next_id = 0
    carried: dict[str, np.ndarray] | None = None
    bounds = [
        0,
        WARMUP_DAYS + 1,
        *range(WARMUP_DAYS + 1 + BLOCK_DAYS, clock.exported_days, BLOCK_DAYS),
    ]
    bounds.append(clock.exported_days)
    for block, (day_lo, day_hi) in enumerate(itertools.pairwise(bounds), start=1):
        rng = np.random.default_rng([seed, stream, block])
        lo_s, hi_s = clock.day_start_s(day_lo), clock.day_start_s(day_hi)
        start, stop = np.searchsorted(context.planned.created_s, [lo_s, hi_s])
        batch = Batch.concat(
            [
                _cold_outreach(context, day_lo, day_hi, rng),
                _deal_touches(context, lo_s, hi_s, rng),
                context.planned.take(np.arange(start, stop)),
            ]
        )
        order = np.argsort(batch.created_s, kind="stable")
        batch = batch.take(order[batch.created_s[order] < clock.end_s])
        ids = next_id + np.arange(len(batch.created_s))
        next_id += len(ids)
        versions = _versions(batch, ids, clock)
        if carried is not None:
            versions = {k: np.concatenate([carried[k], versions[k]]) for k in versions}
        last_drop = max(day_hi - 1 - WARMUP_DAYS, 0)
        now = versions["drop"] <= last_drop
        carried = {k: v[~now] for k, v in versions.items()}
        yield _latest(versions, now)


def _versions(batch: Batch, ids: np.ndarray, clock: Clock) -> dict[str, np.ndarray]:
    """One row per version before the last drop: the booked one and, if any, the outcome."""
    later = np.flatnonzero(batch.later_s != NULL)
    both = np.r_[np.arange(len(ids)), later]

    def stacked(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return np.r_[first, second[later]]

    rows = {
        "activity_id": ids[both],
        "activity_type": batch.activity_type[both],
        "direction": batch.direction[both],
        "owner": batch.owner[both],
        "deal": batch.deal[both],
        "account": batch.account[both],
        "lead": batch.lead[both],
        "scheduled_s": batch.scheduled_s[both],
        "outcome": batch.outcome[both],
        "meeting_type": batch.meeting_type[both],
        "status": stacked(batch.status, batch.later_status),
        "completed_s": stacked(batch.completed_s, batch.later_completed_s),
        "duration": stacked(batch.duration, batch.later_duration),
        "updated_s": stacked(batch.created_s, batch.later_s),
    }
    keep = rows["updated_s"] < clock.end_s
    rows = {k: v[keep] for k, v in rows.items()}
    rows["drop"] = clock.drop_of(rows["updated_s"])
    return rows


def _latest(versions: dict[str, np.ndarray], now: np.ndarray) -> dict[str, np.ndarray]:
    rows = {k: v[now] for k, v in versions.items()}
    order = np.lexsort((rows["updated_s"], rows["activity_id"]))
    rows = {k: v[order] for k, v in rows.items()}
    last = latest_per_drop(rows["activity_id"], rows["drop"])
    rows = {k: v[last] for k, v in rows.items()}
    order = np.lexsort((rows["activity_id"], rows["drop"]))
    return {k: v[order] for k, v in rows.items()}


def _cold_outreach(context: _Context, day_lo: int, day_hi: int, rng) -> Batch:
    org, clock = context.org, context.clock
    sellers = org.sellers
    days = np.arange(day_lo, day_hi)
    working = (sellers.hire_day[:, None] <= days) & (days < sellers.leave_day[:, None])
    ramp = np.clip((days - sellers.hire_day[:, None] + 1) / 90, 0.0, 1.0)
    base = working * ramp * clock.is_business_day(days)[None, :]
    parts = []
    for channel, activity_type in enumerate((vocab.CALL, vocab.EMAIL, vocab.INMAIL)):
        per_day = np.where(
            sellers.kind == vocab.SDR,
            OUTREACH_PER_DAY[vocab.SDR][channel],
            OUTREACH_PER_DAY[vocab.REP][channel],
        )
        counts = rng.poisson(base * per_day[:, None]).ravel()
        cell = np.repeat(np.arange(counts.size), counts)
        seller = cell // len(days)
        day = days[cell % len(days)]
        n = len(cell)
        when = clock.work_time(day, rng.random(n), sellers.region[seller])
        is_sdr = sellers.kind[seller] == vocab.SDR
        lead = np.where(is_sdr, _recent_lead(context, sellers.user[seller], when, rng), -1)
        account = np.where(is_sdr, -1, _seat_account(context, sellers.seat[seller], when, rng))
        given = {"lead": lead, "account": account}
        if activity_type == vocab.CALL:
            given["outcome"], given["duration"] = _call_results(rng, COLD_CALL_OUTCOMES, n)
        elif activity_type == vocab.EMAIL:
            given["outcome"] = _email_results(rng, COLD_EMAIL_OUTCOMES, n)
        else:
            given["outcome"] = np.where(
                rng.random(n) < INMAIL_REPLY_SHARE, vocab.REPLIED, vocab.NO_REPLY
            )
        parts.append(_batch(when, activity_type, sellers.user[seller], **given))
    return Batch.concat(parts)


def _recent_lead(context: _Context, owner: np.ndarray, when: np.ndarray, rng) -> np.ndarray:
    """A lead of this owner created in the last LOOKBACK_LEAD_DAYS, or -1."""
    clock = context.clock
    high = np.searchsorted(context.lead_key, _key(owner, when, clock), side="right")
    low = np.searchsorted(
        context.lead_key,
        _key(owner, when - LOOKBACK_LEAD_DAYS * SECONDS_PER_DAY, clock),
        side="left",
    )
    pick = low + (rng.random(len(owner)) * (high - low)).astype(np.int64)
    return np.where(
        high > low, context.lead_order[np.minimum(pick, len(context.lead_order) - 1)], -1
    )


def _seat_account(context: _Context, seat: np.ndarray, when: np.ndarray, rng) -> np.ndarray:
    """An account of this seat's book that exists at `when`, or -1."""
    clock = context.clock
    high = np.searchsorted(context.account_key, _key(seat, when, clock), side="right")
    low = np.searchsorted(context.account_key, seat.astype(np.int64) * KEY_STRIDE, side="left")
    pick = low + (rng.random(len(seat)) * (high - low)).astype(np.int64)
    return np.where(
        high > low, context.account_order[np.minimum(pick, len(context.account_order) - 1)], -1
    )


def _deal_touches(context: _Context, lo_s: int, hi_s: int, rng) -> Batch:
    deals, clock = context.book.deals, context.clock
    close = deals.close_s
    end = np.where(
        deals.won, close, deals.created_s + ((1 - QUIET_BEFORE_LOSS) * (close - deals.created_s))
    )
    end = np.where(deals.deleted_s != NULL, np.minimum(end, deals.deleted_s), end)
    start = np.maximum(deals.created_s, lo_s)
    stop = np.minimum(np.minimum(end, hi_s), clock.end_s)
    span_days = np.maximum(stop - start, 0) / SECONDS_PER_DAY
    counts = rng.poisson(TOUCHES_PER_DAY[deals.segment] * context.engagement * span_days * 5 / 7)
    deal = np.repeat(np.arange(len(counts)), counts)
    n = len(deal)
    raw = start[deal] + (rng.random(n) * (stop - start)[deal]).astype(np.int64)
    region = deals.region[deal]
    when = _booked(clock, clock.day_of(raw), region, rng)
    keep = (when >= deals.created_s[deal]) & (when < end[deal]) & (when < clock.end_s)
    deal, when, region = deal[keep], when[keep], region[keep]
    n = len(deal)
    owner = context.org.seat_owners.owner_at(deals.seat[deal], when)
    kinds = np.array(list(TOUCH_MIX))[_choice(rng, tuple(TOUCH_MIX.values())[:-1], n)]
    common = {"deal": deal, "account": deals.account[deal]}
    parts = []
    for activity_type in TOUCH_MIX:
        pick = np.flatnonzero(kinds == activity_type)
        parts.append(
            _touch(
                activity_type,
                when[pick],
                owner[pick],
                region[pick],
                {k: v[pick] for k, v in common.items()},
                clock,
                rng,
            )
        )
    return Batch.concat(parts)


def _touch(activity_type, when, owner, region, common, clock: Clock, rng) -> Batch:
    n = len(when)
    if activity_type == vocab.CALL:
        inbound = rng.random(n) < 0.1
        outcome, duration = _call_results(rng, DEAL_CALL_OUTCOMES, n)
        outcome = np.where(inbound, vocab.CONNECTED, outcome)
        direction = np.where(inbound, vocab.INBOUND, vocab.OUTBOUND)
        return _batch(
            when,
            activity_type,
            owner,
            direction=direction,
            outcome=outcome,
            duration=duration,
            **common,
        )
    if activity_type == vocab.EMAIL:
        inbound = rng.random(n) < 0.3
        outcome = np.where(inbound, -1, _email_results(rng, DEAL_EMAIL_OUTCOMES, n))
        direction = np.where(inbound, vocab.INBOUND, vocab.OUTBOUND)
        return _batch(when, activity_type, owner, direction=direction, outcome=outcome, **common)
    if activity_type == vocab.INMAIL:
        outcome = np.where(rng.random(n) < 2 * INMAIL_REPLY_SHARE, vocab.REPLIED, vocab.NO_REPLY)
        return _batch(when, activity_type, owner, outcome=outcome, **common)
    if activity_type == vocab.NOTE:
        return _batch(when, activity_type, owner, direction=np.full(n, -1), **common)
    scheduled = _booked(clock, clock.day_of(when) + rng.integers(1, 6, n), region, rng)
    if activity_type == vocab.TASK:
        result = _choice(rng, TASK_OUTCOME, n)
        done = when + (rng.random(n) * (scheduled - when + SECONDS_PER_DAY)).astype(np.int64)
        later = np.select([result == 0, result == 1], [done, scheduled], NULL)
        return _batch(
            when,
            activity_type,
            owner,
            direction=np.full(n, -1),
            scheduled_s=scheduled,
            status=np.full(n, vocab.SCHEDULED),
            completed_s=np.full(n, NULL),
            later_s=later,
            later_status=np.where(result == 0, vocab.COMPLETED, vocab.CANCELLED),
            later_completed_s=np.where(result == 0, done, NULL),
            **common,
        )
    return _meeting(
        when, scheduled, vocab.MEETING, vocab.MT_FOLLOW_UP, owner, MEETING_OUTCOME, common, rng
    )


def _meeting(booked, scheduled, activity_type, meeting_type, owner, shares, common, rng) -> Batch:
    """A booked meeting and its outcome: completed, no_show, or cancelled before it."""
    n = len(booked)
    result = _choice(rng, shares, n)
    duration = rng.choice(MEETING_DURATIONS, n)
    cancelled_s = booked + (rng.random(n) * (scheduled - booked)).astype(np.int64)
    return _batch(
        booked,
        activity_type,
        owner,
        scheduled_s=scheduled,
        meeting_type=np.full(n, meeting_type),
        status=np.full(n, vocab.SCHEDULED),
        completed_s=np.full(n, NULL),
        later_s=np.select(
            [result == 0, result == 1], [scheduled + duration, scheduled + 900], cancelled_s
        ),
        later_status=np.array([vocab.COMPLETED, vocab.NO_SHOW, vocab.CANCELLED])[result],
        later_completed_s=np.where(result == 0, scheduled + duration, NULL),
        later_duration=np.where(result == 0, duration, NULL),
        **common,
    )


def _planned(book: Book, org: Org, clock: Clock, rng) -> Batch:
    """Meetings tied to milestones: discovery, demos, negotiation, onboarding, QBRs."""
    deals = book.deals
    # Stages entered after a deletion never happened in the CRM.
    gone = np.where(deals.deleted_s != NULL, deals.deleted_s, clock.end_s)
    entry = np.where(
        deals.first_entry_s < np.minimum(gone, clock.end_s)[:, None], deals.first_entry_s, NEVER
    )
    parts = []
    for stage, meeting_type, shares in (
        (vocab.DISCOVERY, vocab.MT_DISCOVERY, (0.9, 0.1)),
        (vocab.NEGOTIATION, vocab.MT_NEGOTIATION, (0.92, 0.03)),
    ):
        deal = np.flatnonzero(entry[:, stage] != NEVER)
        parts.append(
            _deal_meeting(
                deals,
                org,
                clock,
                deal,
                entry[deal, stage],
                vocab.MEETING,
                meeting_type,
                shares,
                rng,
            )
        )
    demo_deal = np.flatnonzero(
        (entry[:, vocab.DEMO] != NEVER) & (entry[:, vocab.DEMO] < clock.end_s)
    )
    first_demo = _deal_meeting(
        deals,
        org,
        clock,
        demo_deal,
        entry[demo_deal, vocab.DEMO],
        vocab.DEMO_ACTIVITY,
        vocab.MT_DEMO,
        (1 - DEMO_NO_SHOW, DEMO_NO_SHOW),
        rng,
    )
    missed = np.flatnonzero(first_demo.later_status == vocab.NO_SHOW)
    retry_deal = demo_deal[missed]
    retry_at = first_demo.later_s[missed] + rng.integers(2, 7, len(missed)) * SECONDS_PER_DAY
    second_demo = _deal_meeting(
        deals,
        org,
        clock,
        retry_deal,
        retry_at,
        vocab.DEMO_ACTIVITY,
        vocab.MT_DEMO,
        (1 - RESCHEDULED_DEMO_NO_SHOW, RESCHEDULED_DEMO_NO_SHOW),
        rng,
        booked=first_demo.later_s[missed] + 1800,
    )
    won = np.flatnonzero(deals.won & (deals.close_s < clock.end_s) & (deals.deleted_s == NULL))
    onboarding = _deal_meeting(
        deals,
        org,
        clock,
        won,
        deals.close_s[won] + rng.integers(3, 12, len(won)) * SECONDS_PER_DAY,
        vocab.MEETING,
        vocab.MT_ONBOARDING,
        (0.95, 0.05),
        rng,
        booked=deals.close_s[won] + 3600,
    )
    parts += [first_demo, second_demo, onboarding, _qbrs(book, org, clock, rng)]
    planned = Batch.concat(parts)
    return planned.take(np.argsort(planned.created_s, kind="stable"))


def _deal_meeting(
    deals, org, clock, deal, around_s, activity_type, meeting_type, shares, rng, booked=None
) -> Batch:
    n = len(deal)
    region = deals.region[deal]
    scheduled = _booked(clock, clock.day_of(around_s), region, rng)
    if booked is None:
        lead_time = (rng.uniform(0.5, 5, n) * SECONDS_PER_DAY).astype(np.int64)
        booked = np.maximum(scheduled - lead_time, deals.created_s[deal] + 60)
    booked = np.minimum(booked, scheduled - 60)
    owner = org.seat_owners.owner_at(deals.seat[deal], booked)
    common = {"deal": deal, "account": deals.account[deal]}
    return _meeting(booked, scheduled, activity_type, meeting_type, owner, shares, common, rng)


def _qbrs(book: Book, org: Org, clock: Clock, rng) -> Batch:
    """Quarterly business reviews with mid-market and enterprise customers."""
    accounts = book.accounts
    customer = (accounts.customer_from_s != NULL) & (accounts.segment != vocab.SMB)
    since = np.where(customer, np.maximum(accounts.customer_from_s, clock.origin_s), 0)
    until = np.where(accounts.churned_s != NULL, accounts.churned_s, clock.end_s)
    count = np.where(
        customer, np.maximum((until - since) // (QBR_EVERY_DAYS * SECONDS_PER_DAY), 0), 0
    )
    account = np.repeat(np.arange(len(count)), count)
    number = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + 1
    around = since[account] + number * QBR_EVERY_DAYS * SECONDS_PER_DAY
    region = accounts.region[account]
    scheduled = _booked(
        clock, clock.day_of(around) + rng.integers(-10, 10, len(account)), region, rng
    )
    booked = scheduled - 14 * SECONDS_PER_DAY
    owner = org.seat_owners.owner_at(accounts.seat[account], booked)
    common = {"deal": np.full(len(account), -1), "account": account}
    return _meeting(
        booked, scheduled, vocab.MEETING, vocab.MT_QBR, owner, (0.88, 0.04), common, rng
    )
