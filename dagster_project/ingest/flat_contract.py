"""The flat pipeline CSV export (source `flat`): one row per deal, plus optional lookups.

The layout small CRMs export and the Maven "CRM Sales Opportunities" data set uses:
`sales_pipeline` (required), `sales_teams`, `accounts`, `products`. Names are ids:
agents, managers, accounts and products are referred to by name.
"""

from __future__ import annotations

from dagster_project.ingest.contract import EntityContract

SOURCE = "flat"

# What a flat export cannot give, so the marts leave it empty or at a default instead of
# inventing it; the run summary and `pipehealth status` print this list, docs/sources.md too.
UNAVAILABLE_FIGURES = (
    "stage history: stage conversions, days in stage and stage transitions count only "
    "the changes seen between drops",
    "open deals' amounts: open and weighted pipeline, coverage and the waterfall's "
    "increases and decreases are 0",
    "expected close dates, probabilities and next steps of open deals: slipped deals "
    "are 0, stage defaults apply, every open deal counts as without next step",
    "activities: mart_activity_kpis stays empty",
    "leads: mart_funnel stays empty",
    "quotas, unless the drop carries quotas.csv: attainment has no quota",
)

ENTITIES: dict[str, EntityContract] = {
    contract.name: contract
    for contract in (
        EntityContract(
            name="flat__sales_pipeline",
            source=SOURCE,
            columns=(
                "opportunity_id",
                "sales_agent",
                "product",
                "account",
                "deal_stage",
                "engage_date",
                "close_date",
                "close_value",
            ),
            required=("opportunity_id", "sales_agent", "deal_stage"),
            required_in_full_export=True,
            key=("opportunity_id",),
        ),
        EntityContract(
            name="flat__sales_teams",
            source=SOURCE,
            columns=("sales_agent", "manager", "regional_office"),
            required=("sales_agent",),
            required_in_full_export=False,
            key=("sales_agent",),
            user_id_column="sales_agent",
        ),
        EntityContract(
            name="flat__accounts",
            source=SOURCE,
            columns=(
                "account",
                "sector",
                "year_established",
                "revenue",
                "employees",
                "office_location",
                "subsidiary_of",
            ),
            required=("account",),
            required_in_full_export=False,
            key=("account",),
        ),
        EntityContract(
            name="flat__products",
            source=SOURCE,
            columns=("product", "series", "sales_price"),
            required=("product",),
            required_in_full_export=False,
            key=("product",),
        ),
    )
}
