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
        {{ to_string('field') }} as field,
        {{ to_string('old_value') }} as old_value,
        {{ to_string('new_value') }} as new_value,

        ---------- timestamps
        {{ to_utc_timestamp('changed_at') }} as changed_at,

        ---------- lineage
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

-- Every export repeats the changes it already sent: one row per distinct change,
-- from its latest delivery.
changes_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by deal_id, field, old_value, new_value, changed_at
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from renamed

),

deduplicated as (

    select
        {{ hash_key(['deal_id', 'field', 'old_value', 'new_value', 'changed_at']) }}
            as deal_field_change_id,
        deal_id,
        field,
        old_value,
        new_value,
        changed_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from changes_ranked
    where delivery_rank = 1

)

select * from deduplicated
