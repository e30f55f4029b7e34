"""Raw extract contract, version 1 (docs/sources.md): entities, their columns, required ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntityContract:
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    required_in_full_export: bool
    # What identifies one record across extracts; its versions are compared per key.
    key: tuple[str, ...]
    # The export format the file belongs to (`_manifest.json` "source", docs/sources.md); `name`
    # is its raw table: the entity for canonical drops, `<source>__<file>` for the others.
    source: str = "canonical"
    # Set on a format's user table: the column holding a user's id, which owner ids in
    # every format's files are checked against (quality/parameters.py).
    user_id_column: str | None = None

    @property
    def file_stem(self) -> str:
        """The file name a drop delivers it in, without the extension."""
        return self.name.removeprefix(f"{self.source}__")


CONTRACT_VERSION = 1
RAW_SCHEMA = "raw"

# A full export with fewer rows of an entity than this share of the previous full
# export's is taken for a broken extract (docs/operations.md: "a drop that collapses").
COLLAPSE_THRESHOLD = 0.5

ENTITIES: dict[str, EntityContract] = {
    contract.name: contract
    for contract in (
        EntityContract(
            name="users",
            columns=(
                "user_id",
                "full_name",
                "email",
                "role",
                "manager_id",
                "team",
                "region",
                "hired_at",
                "ote_amount",
                "ote_currency",
                "is_active",
                "updated_at",
            ),
            required=("user_id", "full_name", "role", "is_active", "updated_at"),
            required_in_full_export=True,
            key=("user_id",),
            user_id_column="user_id",
        ),
        EntityContract(
            name="accounts",
            columns=(
                "account_id",
                "account_name",
                "industry",
                "segment",
                "country",
                "owner_id",
                "created_at",
                "customer_since",
                "churned_at",
                "is_deleted",
                "updated_at",
            ),
            required=("account_id", "account_name", "created_at", "updated_at"),
            required_in_full_export=True,
            key=("account_id",),
        ),
        EntityContract(
            name="leads",
            columns=(
                "lead_id",
                "created_at",
                "source",
                "owner_id",
                "status",
                "mql_at",
                "sql_at",
                "disqualified_at",
                "converted_at",
                "converted_deal_id",
                "account_id",
                "is_deleted",
                "updated_at",
            ),
            required=("lead_id", "created_at", "status", "updated_at"),
            required_in_full_export=False,
            key=("lead_id",),
        ),
        EntityContract(
            name="deals",
            columns=(
                "deal_id",
                "deal_name",
                "account_id",
                "owner_id",
                "pipeline",
                "deal_type",
                "stage",
                "forecast_category",
                "amount",
                "currency",
                "probability",
                "expected_close_date",
                "created_at",
                "closed_at",
                "lost_reason",
                "next_step",
                "obstacles",
                "champion",
                "source",
                "is_deleted",
                "updated_at",
            ),
            required=(
                "deal_id",
                "account_id",
                "owner_id",
                "pipeline",
                "stage",
                "amount",
                "currency",
                "expected_close_date",
                "created_at",
                "updated_at",
            ),
            required_in_full_export=True,
            key=("deal_id",),
        ),
        EntityContract(
            name="deal_field_history",
            columns=("deal_id", "field", "old_value", "new_value", "changed_at"),
            required=("deal_id", "field", "new_value", "changed_at"),
            required_in_full_export=False,
            key=("deal_id", "field", "changed_at"),
        ),
        EntityContract(
            name="activities",
            columns=(
                "activity_id",
                "activity_type",
                "direction",
                "owner_id",
                "deal_id",
                "account_id",
                "lead_id",
                "scheduled_at",
                "completed_at",
                "status",
                "outcome",
                "meeting_type",
                "duration_seconds",
                "updated_at",
            ),
            required=("activity_id", "activity_type", "owner_id", "status", "updated_at"),
            required_in_full_export=False,
            key=("activity_id",),
        ),
        EntityContract(
            name="quotas",
            columns=(
                "owner_id",
                "period_start",
                "period_end",
                "quota_amount",
                "currency",
                "quota_type",
            ),
            required=("owner_id", "period_start", "period_end", "quota_amount", "currency"),
            required_in_full_export=False,
            key=("owner_id", "period_start", "period_end", "quota_type"),
        ),
    )
}

FILE_FORMATS = ("csv", "parquet", "jsonl")

# Columns the loader adds to every raw table; a drop's own columns may not use these names.
METADATA_COLUMNS: dict[str, str] = {
    "_extract_date": "date",
    "_source_file": "varchar",
    "_source_row": "bigint",
    "_row_hash": "varchar",
    "_loaded_at": "timestamp",
}
