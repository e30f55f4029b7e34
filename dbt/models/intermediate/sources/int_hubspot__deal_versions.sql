with

deal_versions as (

    select * from {{ ref('stg_hubspot__deal_versions') }}

),

deal_companies as (

    select * from {{ ref('stg_hubspot__deal_companies') }}

),

pipeline_stages as (

    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'hubspot'

),

-- A deal's account is its associated company, from the latest delivery of its
-- associations; HubSpot's primary deal-to-company association (type 5) first.
deal_companies_ranked as (

    select
        deal_id,
        company_id,
        row_number() over (
            partition by deal_id
            order by
                extract_date desc,
                case when association_type_id = '5' then 0 else 1 end asc,
                company_id asc
        ) as association_rank

    from deal_companies

),

deal_accounts as (

    select
        deal_id,
        company_id

    from deal_companies_ranked
    where association_rank = 1

),

versions_with_account_and_stage as (

    select
        deal_versions.deal_version_id,
        deal_versions.deal_id,
        deal_accounts.company_id as account_id,
        deal_versions.owner_id,
        deal_versions.deal_name,
        stage_mappings.pipeline,
        deal_versions.deal_type,
        stage_mappings.stage,
        -- HubSpot's Fivetran tables carry no forecast category property: the stage's
        -- applies.
        cast(null as {{ dbt.type_string() }}) as forecast_category,
        deal_versions.source_pipeline,
        deal_versions.source_stage,
        deal_versions.currency,
        deal_versions.lost_reason,
        deal_versions.next_step,
        cast(null as {{ dbt.type_string() }}) as obstacles,
        cast(null as {{ dbt.type_string() }}) as champion,
        deal_versions.lead_source,
        deal_versions.amount,
        -- The deal's own probability, else its HubSpot stage's; a value outside 0-1 is
        -- no probability (the gate warns) and the configured stage default applies.
        case
            when
                coalesce(deal_versions.deal_probability, pipeline_stages.stage_probability)
                between 0 and 1
                then coalesce(deal_versions.deal_probability, pipeline_stages.stage_probability)
        end as probability,
        deal_versions.is_deleted,
        deal_versions.expected_close_date,
        deal_versions.created_at,
        -- A deal in a closed HubSpot stage closed on its close date.
        case
            when coalesce(pipeline_stages.is_closed_stage, false)
                then cast(deal_versions.expected_close_date as {{ dbt.type_timestamp() }})
        end as closed_at,
        deal_versions.updated_at,
        deal_versions.extract_date,
        deal_versions.source_file,
        deal_versions.source_row,
        deal_versions.loaded_at

    from deal_versions
    left join deal_accounts on deal_versions.deal_id = deal_accounts.deal_id
    left join pipeline_stages on deal_versions.source_stage = pipeline_stages.stage_id
    left join stage_mappings
        on
            deal_versions.source_pipeline = stage_mappings.source_pipeline
            and deal_versions.source_stage = stage_mappings.source_stage

)

select * from versions_with_account_and_stage
