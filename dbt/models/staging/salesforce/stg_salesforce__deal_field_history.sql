with

source as (

    select * from {{ source('salesforce', 'salesforce__opportunity_field_history') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'salesforce'

),

-- Salesforce's field names onto the canonical ones; other fields are not tracked.
renamed as (

    select
        {{ to_string('opportunity_id') }} as deal_id,
        case {{ to_string('field') }}
            when 'StageName' then 'stage'
            when 'Amount' then 'amount'
            when 'CloseDate' then 'expected_close_date'
            when 'Probability' then 'probability'
            when 'Owner' then 'owner_id'
        end as field,
        {{ cast_columns(to_string, ['old_value', 'new_value']) }},
        {{ to_utc_timestamp('created_date') }} as changed_at,
        {{ lineage_columns() }}

    from source

),

-- Stage labels map like the opportunity's own stage.
values_mapped as (

    select
        renamed.deal_id,
        renamed.field,
        case
            when renamed.field = 'stage' then old_stages.stage else renamed.old_value
        end as old_value,
        case
            when renamed.field = 'stage' then new_stages.stage else renamed.new_value
        end as new_value,
        renamed.changed_at,
        renamed.extract_date,
        renamed.source_file,
        renamed.source_row,
        renamed.loaded_at

    from renamed
    left join stage_mappings as old_stages
        on
            old_stages.source_pipeline = 'default'
            and renamed.old_value = old_stages.source_stage
    left join stage_mappings as new_stages
        on
            new_stages.source_pipeline = 'default'
            and renamed.new_value = new_stages.source_stage
    where renamed.field is not null

),

latest_deliveries as (

    {{ latest_version(
        'values_mapped',
        ['deal_id', 'field', 'old_value', 'new_value', 'changed_at'],
        by_updated_at=false,
        id='deal_field_change_id'
    ) }}

)

select * from latest_deliveries
