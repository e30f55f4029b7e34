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

),

-- Every export repeats the changes it already sent: one row per distinct change,
-- from its latest delivery.
latest_deliveries as (

    {{ latest_version(
        'renamed',
        ['deal_id', 'field', 'old_value', 'new_value', 'changed_at'],
        by_updated_at=false,
        id='deal_field_change_id'
    ) }}

)

select * from latest_deliveries
