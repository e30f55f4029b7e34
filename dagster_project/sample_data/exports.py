"""What each drop exports, as Arrow tables with typed columns and a `_drop` index.

The first drop (index 0) is a full export: the latest version of every row up to the end
of its day. Later drops hold the rows created or changed that day, one (the latest)
version per id. Rows are ordered by drop, then id, so files are reproducible.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import vocab
from .activities import activity_blocks
from .book import Book
from .clock import NULL, Clock
from .leads import Leads
from .names import company_names, person_emails, person_names
from .org import Org
from .quotas import Quotas
from .versions import Changes, Versions, build_versions, latest_per_drop

DROP_COLUMN = "_drop"
ROWS_PER_CHUNK = 1_000_000


def ids(index: np.ndarray) -> pa.Array:
    """Numeric part of an id (index + 1); null where index is -1."""
    index = np.asarray(index, dtype=np.int64)
    return pa.array(index + 1, mask=index < 0)


def timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds, type=pa.timestamp("s"), mask=seconds == NULL)


def dates(epoch_days: np.ndarray) -> pa.Array:
    return pa.array(epoch_days.astype(np.int32), type=pa.date32(), mask=epoch_days == NULL)


def numbers(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, mask=values == NULL)


def labels(codes: np.ndarray, values: tuple[str, ...] | pa.Array) -> pa.Array:
    """Dictionary-encoded strings; null where the code is -1."""
    codes = np.asarray(codes, dtype=np.int32)
    dictionary = values if isinstance(values, pa.Array) else pa.array(values)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), dictionary)


def in_chunks(table: pa.Table) -> Iterator[pa.Table]:
    """Slices of about ROWS_PER_CHUNK rows, cut between drops, so rendering never holds
    a large table's text at once (a drop's rows always stay in one slice)."""
    drop = table.column(DROP_COLUMN).to_numpy()
    drop_starts = np.searchsorted(drop, np.arange(int(drop.max(initial=0)) + 2))
    wanted = np.arange(ROWS_PER_CHUNK, len(drop), ROWS_PER_CHUNK)
    cuts = drop_starts[np.minimum(np.searchsorted(drop_starts, wanted), len(drop_starts) - 1)]
    for start, stop in itertools.pairwise(np.unique(np.r_[0, cuts, len(drop)])):
        yield table.slice(start, stop - start)


def _table(columns: dict[str, pa.Array], drop: np.ndarray) -> pa.Table:
    return pa.table({**columns, DROP_COLUMN: pa.array(drop.astype(np.int32))})


def _exported(versions: Versions, clock: Clock) -> tuple[Versions, np.ndarray]:
    """Latest version per (entity, drop) before the end, ordered by drop then entity."""
    before_end = versions.take(np.flatnonzero(versions.time < clock.end_s))
    drop = clock.drop_of(before_end.time)
    last = latest_per_drop(before_end.entity, drop)
    kept, drop = before_end.take(last), drop[last]
    order = np.lexsort((kept.entity, drop))
    return kept.take(order), drop[order]


def users_table(org: Org, clock: Clock) -> pa.Table:
    rows, drop = _exported(build_versions(org.users.events), clock)
    users, user = org.users, rows.entity
    team_names = pa.array(org.teams.name.astype(str))
    return _table(
        {
            "user_id": ids(user),
            "full_name": labels(users.name_code[user], person_names()),
            "email": labels(users.name_code[user], person_emails()),
            "role": labels(users.role[user], vocab.ROLES),
            "manager_id": ids(rows.values["manager"]),
            "team": labels(rows.values["team"], team_names),
            "region": labels(users.region[user], vocab.REGIONS),
            "hired_at": timestamps(users.hired_s[user]),
            "ote_amount": numbers(users.ote_cents[user]),
            "ote_currency": labels(users.ote_currency[user], vocab.CURRENCIES),
            "is_active": pa.array(rows.values["is_active"]),
            "updated_at": timestamps(rows.time),
        },
        drop,
    )


def accounts_table(book: Book, clock: Clock) -> pa.Table:
    rows, drop = _exported(build_versions(book.accounts.events), clock)
    accounts, account = book.accounts, rows.entity
    return _table(
        {
            "account_id": ids(account),
            "account_name": labels(accounts.name_code[account], company_names()),
            "industry": labels(accounts.industry[account], vocab.INDUSTRIES),
            "segment": labels(accounts.segment[account], vocab.SEGMENTS),
            "country": labels(accounts.country[account], vocab.COUNTRIES),
            "owner_id": ids(rows.values["owner"]),
            "created_at": timestamps(accounts.created_s[account]),
            "customer_since": dates(rows.values["customer_since"]),
            "churned_at": timestamps(rows.values["churned_at"]),
            "is_deleted": pa.array(rows.values["is_deleted"]),
            "updated_at": timestamps(rows.time),
        },
        drop,
    )


def leads_table(leads: Leads, events: Changes, clock: Clock) -> pa.Table:
    rows, drop = _exported(build_versions(events), clock)
    lead, values = rows.entity, rows.values
    return _table(
        {
            "lead_id": ids(lead),
            "created_at": timestamps(leads.created_s[lead]),
            "source": labels(leads.source[lead], vocab.LEAD_SOURCES),
            "owner_id": ids(leads.owner[lead]),
            "status": labels(values["status"], vocab.LEAD_STATUSES),
            "mql_at": timestamps(values["mql_at"]),
            "sql_at": timestamps(values["sql_at"]),
            "disqualified_at": timestamps(values["disqualified_at"]),
            "converted_at": timestamps(values["converted_at"]),
            "converted_deal_id": ids(values["converted_deal"]),
            "account_id": ids(values["account"]),
            "is_deleted": pa.array(values["is_deleted"]),
            "updated_at": timestamps(rows.time),
        },
        drop,
    )


def deals_tables(book: Book, clock: Clock) -> tuple[pa.Table, pa.Table]:
    """The deals table and the deal_field_history table, from the same versions."""
    versions = build_versions(book.deals.events)
    rows, drop = _exported(versions, clock)
    deals, deal, values = book.deals, rows.entity, rows.values
    account_names = company_names().take(pa.array(book.accounts.name_code[deals.account[deal]]))
    suffix = pa.array(vocab.DEAL_NAME_SUFFIXES).take(pa.array(deals.deal_type[deal]))
    table = _table(
        {
            "deal_id": ids(deal),
            "deal_name": pc.binary_join_element_wise(account_names, suffix, " - "),
            "account_id": ids(deals.account[deal]),
            "owner_id": ids(values["owner"]),
            "pipeline": labels(deals.pipeline[deal], vocab.PIPELINES),
            "deal_type": labels(deals.deal_type[deal], vocab.DEAL_TYPES),
            "stage": labels(values["stage"], vocab.STAGES),
            "forecast_category": labels(values["forecast_category"], vocab.FORECAST_CATEGORIES),
            "amount": numbers(values["amount"]),
            "currency": labels(values["currency"], vocab.CURRENCIES),
            "probability": numbers(values["probability"]),
            "expected_close_date": dates(values["expected_close"]),
            "created_at": timestamps(deals.created_s[deal]),
            "closed_at": timestamps(values["closed_at"]),
            "lost_reason": labels(values["lost_reason"], vocab.LOST_REASONS),
            "next_step": labels(values["next_step"], vocab.NEXT_STEPS),
            "obstacles": labels(values["obstacles"], vocab.OBSTACLES),
            "champion": labels(values["champion"], person_names()),
            "source": labels(deals.source[deal], vocab.LEAD_SOURCES),
            "is_deleted": pa.array(values["is_deleted"]),
            "updated_at": timestamps(rows.time),
        },
        drop,
    )
    return table, _history_table(versions, clock)


# History field -> the version field holding it, and the labels of a coded field.
HISTORY_SOURCES = {
    "stage": ("stage", vocab.STAGES),
    "amount": ("amount", None),
    "expected_close_date": ("expected_close", None),
    "probability": ("probability", None),
    "owner_id": ("owner", None),
    "currency": ("currency", vocab.CURRENCIES),
}
TEXT_VALUES = vocab.STAGES + vocab.CURRENCIES


def _history_table(versions: Versions, clock: Clock) -> pa.Table:
    """One row per change of a tracked field between consecutive versions of a deal.

    A deal's first version writes every tracked field with an empty old value, so
    replaying the history rebuilds each version's tracked fields exactly.
    """
    first = np.r_[True, versions.entity[1:] != versions.entity[:-1]]
    parts: list[dict[str, np.ndarray]] = []
    for field_code, field in enumerate(vocab.HISTORY_FIELDS):
        source, text = HISTORY_SOURCES[field]
        value = versions.values[source].astype(np.int64)
        if field == "owner_id":
            value = value + 1  # user index -> numeric part of user_id, as ids() does
        previous = np.r_[NULL, value[:-1]]
        changed = np.flatnonzero(first | (value != previous))
        old = np.where(first[changed], NULL, previous[changed])
        new = value[changed]
        offset = 0 if text is vocab.STAGES else len(vocab.STAGES)
        parts.append(
            {
                "deal": versions.entity[changed],
                "field": np.full(len(changed), field_code),
                "old_number": old if text is None else np.full(len(changed), NULL),
                "new_number": new if text is None else np.full(len(changed), NULL),
                "old_text": np.where(old == NULL, -1, old + offset)
                if text
                else np.full(len(changed), -1),
                "new_text": new + offset if text else np.full(len(changed), -1),
                "time": versions.time[changed],
            }
        )
    rows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keep = rows["time"] < clock.end_s
    rows = {k: v[keep] for k, v in rows.items()}
    drop = clock.drop_of(rows["time"])
    order = np.lexsort((rows["field"], rows["deal"], rows["time"], drop))
    rows = {k: v[order] for k, v in rows.items()}
    return _table(
        {
            "deal_id": ids(rows["deal"]),
            "field": labels(rows["field"], vocab.HISTORY_FIELDS),
            "_old_number": numbers(rows["old_number"]),
            "_new_number": numbers(rows["new_number"]),
            "_old_text": labels(rows["old_text"], TEXT_VALUES),
            "_new_text": labels(rows["new_text"], TEXT_VALUES),
            "changed_at": timestamps(rows["time"]),
        },
        drop[order],
    )


def quotas_table(quotas: Quotas, clock: Clock) -> pa.Table:
    keep = np.flatnonzero(quotas.published_s < clock.end_s)
    drop = clock.drop_of(quotas.published_s[keep])
    order = keep[np.lexsort((quotas.period_start[keep], quotas.owner[keep], drop))]
    n = len(order)
    return _table(
        {
            "owner_id": ids(quotas.owner[order]),
            "period_start": dates(quotas.period_start[order]),
            "period_end": dates(quotas.period_end[order]),
            "quota_amount": numbers(quotas.amount_cents[order]),
            "currency": labels(np.full(n, vocab.USD), vocab.CURRENCIES),
            "quota_type": labels(np.zeros(n, np.int64), vocab.QUOTA_TYPES),
        },
        clock.drop_of(quotas.published_s[order]),
    )


def activities_tables(
    org: Org, book: Book, leads: Leads, clock: Clock, seed: int, stream: int
) -> Iterator[pa.Table]:
    for rows in activity_blocks(org, book, leads, clock, seed, stream):
        yield _table(
            {
                "activity_id": ids(rows["activity_id"]),
                "activity_type": labels(rows["activity_type"], vocab.ACTIVITY_TYPES),
                "direction": labels(rows["direction"], vocab.DIRECTIONS),
                "owner_id": ids(rows["owner"]),
                "deal_id": ids(rows["deal"]),
                "account_id": ids(rows["account"]),
                "lead_id": ids(rows["lead"]),
                "scheduled_at": timestamps(rows["scheduled_s"]),
                "completed_at": timestamps(rows["completed_s"]),
                "status": labels(rows["status"], vocab.ACTIVITY_STATUSES),
                "outcome": labels(rows["outcome"], vocab.OUTCOMES),
                "meeting_type": labels(rows["meeting_type"], vocab.MEETING_TYPES),
                "duration_seconds": numbers(rows["duration"]),
                "updated_at": timestamps(rows["updated_s"]),
            },
            rows["drop"],
        )
