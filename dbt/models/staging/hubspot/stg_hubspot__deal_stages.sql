with

source as (

    select * from {{ source('hubspot', 'hubspot__deal_stage') }}

),

-- Every stage a deal entered, from the stage history table.
renamed as (

    select
        {{ to_string('deal_id') }} as deal_id,
        'stage' as field,
        {{ to_string('value') }} as new_value,
        {{ to_utc_timestamp('date_entered') }} as changed_at,
        {{ lineage_columns() }}

    from source

)

select * from renamed
