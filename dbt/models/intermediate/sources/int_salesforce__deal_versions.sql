with

opportunity_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'salesforce'

),

-- Every version of the history table; an opportunity without history versions is known
-- by its current rows.
versions as (

    select * from opportunity_history

    union all

    select * from opportunities
    where deal_id not in (select opportunity_history.deal_id from opportunity_history)

),

versions_mapped as (

    select
        versions.deal_version_id,
        versions.deal_id,
        versions.account_id,
        versions.owner_id,
        versions.deal_name,
        stage_mappings.pipeline,
        versions.deal_type,
        stage_mappings.stage,
        versions.forecast_category,
        versions.source_pipeline,
        versions.source_stage,
        versions.currency,
        cast(null as {{ dbt.type_string() }}) as lost_reason,
        versions.next_step,
        cast(null as {{ dbt.type_string() }}) as obstacles,
        cast(null as {{ dbt.type_string() }}) as champion,
        versions.lead_source,
        versions.amount,
        versions.probability,
        versions.is_deleted,
        versions.expected_close_date,
        versions.created_at,
        -- A closed opportunity's CloseDate is when it closed.
        case
            when versions.is_closed
                then cast(versions.expected_close_date as {{ dbt.type_timestamp() }})
        end as closed_at,
        versions.updated_at,
        versions.extract_date,
        versions.source_file,
        versions.source_row,
        versions.loaded_at

    from versions
    left join stage_mappings
        on
            versions.source_pipeline = stage_mappings.source_pipeline
            and versions.source_stage = stage_mappings.source_stage

)

select * from versions_mapped
