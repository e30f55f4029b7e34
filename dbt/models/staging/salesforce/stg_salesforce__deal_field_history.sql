with

source as (

    select * from {{ source('salesforce', 'salesforce__opportunity_field_history') }}

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

tracked_changes as (

    select * from renamed
    where field is not null

)

select * from tracked_changes
