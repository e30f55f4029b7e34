with

source as (

    select * from {{ source('canonical', 'deal_field_history') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('deal_id') }} as deal_id,

        ---------- strings
        -- Values stay text: one column holds stages, amounts, dates and owner ids.
        {{ cast_columns(to_string, ['field', 'old_value', 'new_value']) }},

        ---------- timestamps
        {{ to_utc_timestamp('changed_at') }} as changed_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
