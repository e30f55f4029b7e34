"""Leads and their funnel: lead -> MQL -> SQL -> opportunity (a new-business deal).

Every lead-sourced deal comes from one converted lead. Around each converted lead the
leads that stopped earlier are added in the numbers the source's funnel rates imply, so
each step's conversion lands near its rate. Leads are worked by SDRs of the deal's region.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import vocab
from .book import Deals
from .clock import NULL, SECONDS_PER_DAY, Clock
from .org import Org
from .versions import Changes, changes, concat_changes

# Per source (vocab.LEAD_SOURCES order): lead->MQL, MQL->SQL, SQL->opportunity.
FUNNEL_RATES = np.array(
    [
        [0.26, 0.42, 0.55],  # inbound
        [0.12, 0.30, 0.45],  # outbound
        [0.30, 0.48, 0.58],  # referral
        [0.18, 0.35, 0.48],  # event
        [0.22, 0.40, 0.52],  # partner
        [0.14, 0.28, 0.42],  # paid
    ]
)
COHORT_SPREAD_DAYS = 15
# Share of the leads stuck at each step that are disqualified (the rest stay open).
DISQUALIFIED_SHARE = {vocab.LEAD_NEW: 0.45, vocab.LEAD_MQL: 0.60, vocab.LEAD_SQL: 0.75}
SPAM_SHARE = 0.005


@dataclass(frozen=True)
class Leads:
    """Every lead; index + 1 is the numeric part of lead_id (creation order)."""

    created_s: np.ndarray
    source: np.ndarray
    owner: np.ndarray  # user index, -1 when unassigned


def _days(rng, low: float, high: float, n: int) -> np.ndarray:
    return (rng.uniform(low, high, n) * SECONDS_PER_DAY).astype(np.int64)


def build_leads(
    deals: Deals, org: Org, clock: Clock, rng: np.random.Generator
) -> tuple[Leads, Changes]:
    """The leads, and their events (kept apart: only the export needs them)."""
    deal = np.flatnonzero(deals.lead_sourced)
    converted_count = len(deal)
    source = deals.source[deal]
    region = deals.region[deal]
    converted_s = deals.created_s[deal]  # the conversion creates the deal
    sql_s = converted_s - _days(rng, 1, 12, converted_count)
    mql_s = sql_s - _days(rng, 1, 20, converted_count)
    created_s = mql_s - _days(rng, 0, np.where(source == 1, 60, 30), converted_count)

    # Leads that stopped before becoming an opportunity, around each converted lead.
    rates = FUNNEL_RATES[source]
    stuck_sql = rng.poisson((1 - rates[:, 2]) / rates[:, 2])
    stuck_mql = rng.poisson((1 + stuck_sql) * (1 - rates[:, 1]) / rates[:, 1])
    stuck_new = rng.poisson((1 + stuck_sql + stuck_mql) * (1 - rates[:, 0]) / rates[:, 0])
    reached = np.concatenate(
        [
            np.full(stuck_sql.sum(), vocab.LEAD_SQL),
            np.full(stuck_mql.sum(), vocab.LEAD_MQL),
            np.full(stuck_new.sum(), vocab.LEAD_NEW),
        ]
    )
    parent = np.concatenate(
        [np.repeat(np.arange(converted_count), k) for k in (stuck_sql, stuck_mql, stuck_new)]
    )
    m = len(parent)
    filler_created = created_s[parent] + (
        rng.normal(0, COHORT_SPREAD_DAYS, m) * SECONDS_PER_DAY
    ).astype(np.int64)
    filler_mql = np.where(reached >= vocab.LEAD_MQL, filler_created + _days(rng, 0.1, 30, m), NULL)
    filler_sql = np.where(reached >= vocab.LEAD_SQL, filler_mql + _days(rng, 1, 20, m), NULL)
    last_step = np.select(
        [reached == vocab.LEAD_SQL, reached == vocab.LEAD_MQL],
        [filler_sql, filler_mql],
        filler_created,
    )
    disqualify_share = np.select(
        [reached == vocab.LEAD_SQL, reached == vocab.LEAD_MQL],
        [DISQUALIFIED_SHARE[vocab.LEAD_SQL], DISQUALIFIED_SHARE[vocab.LEAD_MQL]],
        DISQUALIFIED_SHARE[vocab.LEAD_NEW],
    )
    disqualified_s = np.where(
        rng.random(m) < disqualify_share, last_step + _days(rng, 1, 45, m), NULL
    )

    all_created = np.r_[created_s, filler_created]
    all_source = np.r_[source, source[parent]]
    all_region = np.r_[region, region[parent]]
    n = len(all_created)
    owner = org.pick_sdr(all_region, clock.day_of(all_created), rng)
    spam = (np.r_[np.zeros(converted_count, bool), reached == vocab.LEAD_NEW]) & (
        rng.random(n) < SPAM_SHARE
    )
    spam_s = all_created + _days(rng, 0.01, 3, n)
    conv = np.arange(converted_count)
    filler = converted_count + np.arange(m)
    with_mql = filler[filler_mql != NULL]
    with_sql = filler[filler_sql != NULL]
    dq = filler[disqualified_s != NULL]
    no_time = np.full(n, NULL)
    events = concat_changes(
        [
            changes(
                np.arange(n),
                all_created,
                status=np.full(n, vocab.LEAD_NEW),
                mql_at=no_time,
                sql_at=no_time,
                disqualified_at=no_time,
                converted_at=no_time,
                converted_deal=np.full(n, -1),
                account=np.full(n, -1),
                is_deleted=np.zeros(n, bool),
            ),
            changes(conv, mql_s, status=np.full(converted_count, vocab.LEAD_MQL), mql_at=mql_s),
            changes(conv, sql_s, status=np.full(converted_count, vocab.LEAD_SQL), sql_at=sql_s),
            changes(
                conv,
                converted_s,
                status=np.full(converted_count, vocab.LEAD_CONVERTED),
                converted_at=converted_s,
                converted_deal=deal,
                account=deals.account[deal],
            ),
            changes(
                with_mql,
                filler_mql[with_mql - converted_count],
                status=np.full(len(with_mql), vocab.LEAD_MQL),
                mql_at=filler_mql[with_mql - converted_count],
            ),
            changes(
                with_sql,
                filler_sql[with_sql - converted_count],
                status=np.full(len(with_sql), vocab.LEAD_SQL),
                sql_at=filler_sql[with_sql - converted_count],
            ),
            changes(
                dq,
                disqualified_s[dq - converted_count],
                status=np.full(len(dq), vocab.LEAD_DISQUALIFIED),
                disqualified_at=disqualified_s[dq - converted_count],
            ),
            changes(np.flatnonzero(spam), spam_s[spam], is_deleted=np.ones(int(spam.sum()), bool)),
        ]
    )
    order = np.argsort(all_created, kind="stable")
    renumber = np.empty(n, np.int64)
    renumber[order] = np.arange(n)
    events = Changes(renumber[events.entity], events.time, events.values, events.is_set)
    return Leads(all_created[order], all_source[order], owner[order]), events
