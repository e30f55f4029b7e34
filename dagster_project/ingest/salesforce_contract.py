"""Salesforce exports (source `salesforce`): the objects as the Fivetran/Airbyte
connectors and Salesforce's data export write them, snake_case column names.

Files: `opportunity` (required), `opportunity_history` (Fivetran history mode: one row
per version, `_fivetran_start`), `opportunity_field_history` (Salesforce's own field
history), `user`, `user_role`, `account`, `lead`, `task` and `event`. Quotas, which
Salesforce does not have, come as the canonical `quotas` file (sources.py). Only the
columns pipehealth reads are listed; the others are kept in raw as text.
"""

from __future__ import annotations

from dagster_project.ingest.contract import EntityContract

SOURCE = "salesforce"

# What a Salesforce export cannot give (see flat_contract.UNAVAILABLE_FIGURES).
UNAVAILABLE_FIGURES = (
    "MQL and SQL dates of leads: mart_funnel counts leads, opportunities and wins only",
    "lost reasons, obstacles and champions (no standard fields)",
    "quotas, unless the drop carries quotas.csv: attainment has no quota",
)

ENTITIES: dict[str, EntityContract] = {
    contract.name: contract
    for contract in (
        EntityContract(
            name="salesforce__opportunity",
            source=SOURCE,
            columns=(
                "id",
                "name",
                "account_id",
                "owner_id",
                "record_type_id",
                "type",
                "stage_name",
                "amount",
                "currency_iso_code",
                "probability",
                "close_date",
                "created_date",
                "is_closed",
                "is_won",
                "is_deleted",
                "next_step",
                "lead_source",
                "last_modified_date",
                "_fivetran_synced",
            ),
            required=("id", "stage_name", "close_date", "created_date"),
            required_in_full_export=True,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__opportunity_history",
            source=SOURCE,
            columns=(
                "id",
                "_fivetran_start",
                "_fivetran_end",
                "name",
                "account_id",
                "owner_id",
                "type",
                "stage_name",
                "amount",
                "currency_iso_code",
                "probability",
                "close_date",
                "created_date",
                "is_closed",
                "is_won",
                "is_deleted",
                "next_step",
                "lead_source",
            ),
            required=("id", "_fivetran_start", "stage_name"),
            required_in_full_export=False,
            key=("id", "_fivetran_start"),
        ),
        EntityContract(
            name="salesforce__opportunity_field_history",
            source=SOURCE,
            columns=("id", "opportunity_id", "field", "old_value", "new_value", "created_date"),
            required=("id", "opportunity_id", "field", "created_date"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__user",
            source=SOURCE,
            columns=(
                "id",
                "name",
                "email",
                "manager_id",
                "user_role_id",
                "city",
                "country",
                "is_active",
                "created_date",
                "last_modified_date",
                "_fivetran_synced",
            ),
            required=("id", "name"),
            required_in_full_export=True,
            key=("id",),
            user_id_column="id",
        ),
        EntityContract(
            name="salesforce__user_role",
            source=SOURCE,
            columns=("id", "name", "parent_role_id", "_fivetran_synced"),
            required=("id", "name"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__account",
            source=SOURCE,
            columns=(
                "id",
                "name",
                "industry",
                "type",
                "billing_country",
                "owner_id",
                "is_deleted",
                "created_date",
                "last_modified_date",
                "_fivetran_synced",
            ),
            required=("id", "name"),
            required_in_full_export=True,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__lead",
            source=SOURCE,
            columns=(
                "id",
                "owner_id",
                "status",
                "lead_source",
                "created_date",
                "converted_date",
                "converted_opportunity_id",
                "converted_account_id",
                "is_converted",
                "is_deleted",
                "last_modified_date",
            ),
            required=("id", "status", "created_date"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__task",
            source=SOURCE,
            columns=(
                "id",
                "owner_id",
                "what_id",
                "who_id",
                "account_id",
                "task_subtype",
                "type",
                "status",
                "call_type",
                "call_disposition",
                "call_duration_in_seconds",
                "activity_date",
                "created_date",
                "is_closed",
                "is_deleted",
                "last_modified_date",
            ),
            required=("id", "owner_id", "status"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="salesforce__event",
            source=SOURCE,
            columns=(
                "id",
                "owner_id",
                "what_id",
                "who_id",
                "account_id",
                "type",
                "event_subtype",
                "start_date_time",
                "end_date_time",
                "duration_in_minutes",
                "no_show_c",
                "is_deleted",
                "created_date",
                "last_modified_date",
            ),
            required=("id", "owner_id", "start_date_time"),
            required_in_full_export=False,
            key=("id",),
        ),
    )
}
