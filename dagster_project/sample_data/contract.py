"""How the generator renders each column of raw extract contract v1.

Which columns exist, in what order, and which are required is defined once, in
`dagster_project.ingest.contract`; the tests check that the columns here are exactly
those, in that order, since this order is the order of every generated file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a column's typed value becomes text in a drop."""

    ID = "id"  # int64 number rendered with the entity's prefix, e.g. D0000042
    TEXT = "text"  # string or dictionary-encoded string
    TIMESTAMP = "timestamp"  # timestamp[s] rendered as 2025-01-03T14:05:00Z
    DATE = "date"  # date32 rendered as 2025-01-03
    MONEY = "money"  # int64 cents rendered with two decimals
    INTEGER = "integer"
    BOOLEAN = "boolean"  # rendered true / false


@dataclass(frozen=True)
class IdFormat:
    prefix: str
    digits: int


USER_ID = IdFormat("U", 6)
ACCOUNT_ID = IdFormat("A", 7)
LEAD_ID = IdFormat("L", 8)
DEAL_ID = IdFormat("D", 7)
ACTIVITY_ID = IdFormat("T", 9)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    id_format: IdFormat | None = None


def _id(name: str, id_format: IdFormat) -> Column:
    return Column(name, Kind.ID, id_format)


ENTITY_COLUMNS: dict[str, tuple[Column, ...]] = {
    "users": (
        _id("user_id", USER_ID),
        Column("full_name", Kind.TEXT),
        Column("email", Kind.TEXT),
        Column("role", Kind.TEXT),
        _id("manager_id", USER_ID),
        Column("team", Kind.TEXT),
        Column("region", Kind.TEXT),
        Column("hired_at", Kind.TIMESTAMP),
        Column("ote_amount", Kind.MONEY),
        Column("ote_currency", Kind.TEXT),
        Column("is_active", Kind.BOOLEAN),
        Column("updated_at", Kind.TIMESTAMP),
    ),
    "accounts": (
        _id("account_id", ACCOUNT_ID),
        Column("account_name", Kind.TEXT),
        Column("industry", Kind.TEXT),
        Column("segment", Kind.TEXT),
        Column("country", Kind.TEXT),
        _id("owner_id", USER_ID),
        Column("created_at", Kind.TIMESTAMP),
        Column("customer_since", Kind.DATE),
        Column("churned_at", Kind.TIMESTAMP),
        Column("is_deleted", Kind.BOOLEAN),
        Column("updated_at", Kind.TIMESTAMP),
    ),
    "leads": (
        _id("lead_id", LEAD_ID),
        Column("created_at", Kind.TIMESTAMP),
        Column("source", Kind.TEXT),
        _id("owner_id", USER_ID),
        Column("status", Kind.TEXT),
        Column("mql_at", Kind.TIMESTAMP),
        Column("sql_at", Kind.TIMESTAMP),
        Column("disqualified_at", Kind.TIMESTAMP),
        Column("converted_at", Kind.TIMESTAMP),
        _id("converted_deal_id", DEAL_ID),
        _id("account_id", ACCOUNT_ID),
        Column("is_deleted", Kind.BOOLEAN),
        Column("updated_at", Kind.TIMESTAMP),
    ),
    "deals": (
        _id("deal_id", DEAL_ID),
        Column("deal_name", Kind.TEXT),
        _id("account_id", ACCOUNT_ID),
        _id("owner_id", USER_ID),
        Column("pipeline", Kind.TEXT),
        Column("deal_type", Kind.TEXT),
        Column("stage", Kind.TEXT),
        Column("forecast_category", Kind.TEXT),
        Column("amount", Kind.MONEY),
        Column("currency", Kind.TEXT),
        Column("probability", Kind.INTEGER),
        Column("expected_close_date", Kind.DATE),
        Column("created_at", Kind.TIMESTAMP),
        Column("closed_at", Kind.TIMESTAMP),
        Column("lost_reason", Kind.TEXT),
        Column("next_step", Kind.TEXT),
        Column("obstacles", Kind.TEXT),
        Column("champion", Kind.TEXT),
        Column("source", Kind.TEXT),
        Column("is_deleted", Kind.BOOLEAN),
        Column("updated_at", Kind.TIMESTAMP),
    ),
    "deal_field_history": (
        _id("deal_id", DEAL_ID),
        Column("field", Kind.TEXT),
        Column("old_value", Kind.TEXT),
        Column("new_value", Kind.TEXT),
        Column("changed_at", Kind.TIMESTAMP),
    ),
    "activities": (
        _id("activity_id", ACTIVITY_ID),
        Column("activity_type", Kind.TEXT),
        Column("direction", Kind.TEXT),
        _id("owner_id", USER_ID),
        _id("deal_id", DEAL_ID),
        _id("account_id", ACCOUNT_ID),
        _id("lead_id", LEAD_ID),
        Column("scheduled_at", Kind.TIMESTAMP),
        Column("completed_at", Kind.TIMESTAMP),
        Column("status", Kind.TEXT),
        Column("outcome", Kind.TEXT),
        Column("meeting_type", Kind.TEXT),
        Column("duration_seconds", Kind.INTEGER),
        Column("updated_at", Kind.TIMESTAMP),
    ),
    "quotas": (
        _id("owner_id", USER_ID),
        Column("period_start", Kind.DATE),
        Column("period_end", Kind.DATE),
        Column("quota_amount", Kind.MONEY),
        Column("currency", Kind.TEXT),
        Column("quota_type", Kind.TEXT),
    ),
}

ENTITIES: tuple[str, ...] = tuple(ENTITY_COLUMNS)


def column_names(entity: str) -> list[str]:
    return [column.name for column in ENTITY_COLUMNS[entity]]
