"""HubSpot exports (source `hubspot`): the tables the Fivetran HubSpot connector writes,
one file per table named after it (`deal.csv`, `deal_pipeline_stage.csv`, ...).

Files: `deal` (required; deal properties as `property_<name>` columns), `deal_company`
(a deal's company), `deal_pipeline` and `deal_pipeline_stage` (HubSpot's stage
probability and open/won/lost flags), `deal_stage` (stage history) and
`deal_property_history`, `owner` (required; the users), `team` and `owner_team`,
`company` (accounts), `engagement`, `engagement_call`, `engagement_meeting`,
`engagement_email` and `engagement_deal`. Quotas, which HubSpot does not export, come
as the canonical `quotas` file (sources.py). Only the columns pipehealth reads are
listed; the others are kept in raw as text. Columns a file leaves out are null.
"""

from __future__ import annotations

from dagster_project.ingest.contract import EntityContract

SOURCE = "hubspot"

# What a HubSpot export cannot give (see flat_contract.UNAVAILABLE_FIGURES).
UNAVAILABLE_FIGURES = (
    "leads: mart_funnel stays empty",
    "managers, obstacles and champions (no standard properties)",
    "quotas, unless the drop carries quotas.csv: attainment has no quota",
)

# Columns every engagement detail table (call, meeting, email) may carry.
_ENGAGEMENT_DETAIL_COLUMNS = (
    "engagement_id",
    "type",
    "property_hubspot_owner_id",
    "property_hs_timestamp",
    "property_hs_createdate",
    "property_hs_lastmodifieddate",
    "_fivetran_deleted",
    "_fivetran_synced",
)

ENTITIES: dict[str, EntityContract] = {
    contract.name: contract
    for contract in (
        EntityContract(
            name="hubspot__deal",
            source=SOURCE,
            columns=(
                "deal_id",
                "is_deleted",
                "deal_pipeline_id",
                "deal_pipeline_stage_id",
                "owner_id",
                "property_dealname",
                "property_dealtype",
                "property_amount",
                "property_deal_currency_code",
                "property_hs_deal_stage_probability",
                "property_closedate",
                "property_createdate",
                "property_closed_lost_reason",
                "property_hs_next_step",
                "property_hs_analytics_source",
                "property_hs_lastmodifieddate",
                "_fivetran_synced",
            ),
            required=("deal_id", "deal_pipeline_id", "deal_pipeline_stage_id"),
            required_in_full_export=True,
            key=("deal_id",),
        ),
        EntityContract(
            name="hubspot__deal_company",
            source=SOURCE,
            columns=("deal_id", "company_id", "type_id", "category"),
            required=("deal_id", "company_id"),
            required_in_full_export=False,
            key=("deal_id", "company_id", "type_id"),
        ),
        EntityContract(
            name="hubspot__deal_pipeline",
            source=SOURCE,
            columns=(
                "pipeline_id",
                "label",
                "active",
                "display_order",
                "_fivetran_deleted",
                "_fivetran_synced",
            ),
            required=("pipeline_id",),
            required_in_full_export=False,
            key=("pipeline_id",),
        ),
        EntityContract(
            name="hubspot__deal_pipeline_stage",
            source=SOURCE,
            columns=(
                "stage_id",
                "pipeline_id",
                "label",
                "probability",
                "is_closed",
                "closed_won",
                "display_order",
                "active",
                "_fivetran_deleted",
                "_fivetran_synced",
            ),
            required=("stage_id", "pipeline_id"),
            required_in_full_export=False,
            key=("stage_id",),
        ),
        EntityContract(
            name="hubspot__deal_stage",
            source=SOURCE,
            columns=(
                "deal_id",
                "value",
                "date_entered",
                "_fivetran_start",
                "_fivetran_end",
                "_fivetran_active",
                "source",
                "_fivetran_synced",
            ),
            required=("deal_id", "value", "date_entered"),
            required_in_full_export=False,
            key=("deal_id", "date_entered", "value"),
        ),
        EntityContract(
            name="hubspot__deal_property_history",
            source=SOURCE,
            columns=("deal_id", "name", "value", "timestamp", "source", "_fivetran_synced"),
            required=("deal_id", "name", "timestamp"),
            required_in_full_export=False,
            key=("deal_id", "name", "timestamp"),
        ),
        EntityContract(
            name="hubspot__owner",
            source=SOURCE,
            columns=(
                "owner_id",
                "email",
                "first_name",
                "last_name",
                "type",
                "is_active",
                "created_at",
                "updated_at",
                "_fivetran_synced",
            ),
            required=("owner_id",),
            required_in_full_export=True,
            key=("owner_id",),
            user_id_column="owner_id",
        ),
        EntityContract(
            name="hubspot__team",
            source=SOURCE,
            columns=("id", "name", "_fivetran_synced"),
            required=("id", "name"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="hubspot__owner_team",
            source=SOURCE,
            columns=("owner_id", "team_id", "is_team_primary", "_fivetran_synced"),
            required=("owner_id", "team_id"),
            required_in_full_export=False,
            key=("owner_id", "team_id"),
        ),
        EntityContract(
            name="hubspot__company",
            source=SOURCE,
            columns=(
                "id",
                "is_deleted",
                "property_name",
                "property_industry",
                "property_country",
                "property_hubspot_owner_id",
                "property_lifecyclestage",
                "property_createdate",
                "property_hs_lastmodifieddate",
                "_fivetran_synced",
            ),
            required=("id",),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="hubspot__engagement",
            source=SOURCE,
            columns=(
                "id",
                "type",
                "owner_id",
                "created_at",
                "timestamp",
                "last_updated",
                "active",
                "_fivetran_synced",
            ),
            required=("id", "type"),
            required_in_full_export=False,
            key=("id",),
        ),
        EntityContract(
            name="hubspot__engagement_call",
            source=SOURCE,
            columns=(
                *_ENGAGEMENT_DETAIL_COLUMNS,
                "property_hs_call_direction",
                "property_hs_call_status",
                "property_hs_call_disposition",
                "property_hs_call_duration",
            ),
            required=("engagement_id",),
            required_in_full_export=False,
            key=("engagement_id",),
        ),
        EntityContract(
            name="hubspot__engagement_meeting",
            source=SOURCE,
            columns=(
                *_ENGAGEMENT_DETAIL_COLUMNS,
                "property_hs_meeting_outcome",
                "property_hs_meeting_start_time",
                "property_hs_meeting_end_time",
                "property_hs_activity_type",
                # The connector's older layout of the same table.
                "meeting_outcome",
                "start_time",
                "end_time",
            ),
            required=("engagement_id",),
            required_in_full_export=False,
            key=("engagement_id",),
        ),
        EntityContract(
            name="hubspot__engagement_email",
            source=SOURCE,
            columns=(
                *_ENGAGEMENT_DETAIL_COLUMNS,
                "property_hs_email_direction",
                "property_hs_email_status",
            ),
            required=("engagement_id",),
            required_in_full_export=False,
            key=("engagement_id",),
        ),
        EntityContract(
            name="hubspot__engagement_deal",
            source=SOURCE,
            columns=("engagement_id", "deal_id", "engagement_type", "_fivetran_synced"),
            required=("engagement_id", "deal_id"),
            required_in_full_export=False,
            key=("engagement_id", "deal_id"),
        ),
    )
}
