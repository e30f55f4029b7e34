with

stage_entries as (

    select * from {{ ref('stg_hubspot__deal_stages') }}

),

property_changes as (

    select * from {{ ref('stg_hubspot__deal_property_history') }}

),

-- A HubSpot stage id belongs to one pipeline, which the mapping needs.
pipeline_stages as (

    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'hubspot'

),

changes as (

    select * from stage_entries
    union all
    select * from property_changes
    where field is not null

),

-- Stage ids map like the deal's own stage; a stage not mapped has no new_value.
values_mapped as (

    select
        changes.deal_id,
        changes.field,
        -- HubSpot logs the new value only.
        cast(null as {{ dbt.type_string() }}) as old_value,
        case
            when changes.field = 'stage' then stage_mappings.stage else changes.new_value
        end as new_value,
        changes.changed_at,
        changes.extract_date,
        changes.source_file,
        changes.source_row,
        changes.loaded_at

    from changes
    left join pipeline_stages
        on
            changes.field = 'stage'
            and changes.new_value = pipeline_stages.stage_id
    left join stage_mappings
        on
            pipeline_stages.pipeline_id = stage_mappings.source_pipeline
            and changes.new_value = stage_mappings.source_stage

),

-- The same stage entry in both tables, or delivered again, is one change (old_value is
-- always null).
latest_deliveries as (

    {{ latest_field_changes('values_mapped') }}

)

select * from latest_deliveries
