with

changes as (

    select * from {{ ref('stg_salesforce__deal_field_history') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'salesforce'

),

-- Stage labels map like the opportunity's own stage.
values_mapped as (

    select
        changes.deal_id,
        changes.field,
        case
            when changes.field = 'stage' then old_stages.stage else changes.old_value
        end as old_value,
        case
            when changes.field = 'stage' then new_stages.stage else changes.new_value
        end as new_value,
        changes.changed_at,
        changes.extract_date,
        changes.source_file,
        changes.source_row,
        changes.loaded_at

    from changes
    left join stage_mappings as old_stages
        on
            old_stages.source_pipeline = 'default'
            and changes.old_value = old_stages.source_stage
    left join stage_mappings as new_stages
        on
            new_stages.source_pipeline = 'default'
            and changes.new_value = new_stages.source_stage

),

-- A change delivered again is one change.
latest_deliveries as (

    {{ latest_field_changes('values_mapped') }}

)

select * from latest_deliveries
