with

deliveries as (

    select * from {{ ref('stg_canonical__deal_field_history_deliveries') }}

),

-- Every export repeats the changes it already sent: one row per distinct change,
-- from its latest delivery.
latest_deliveries as (

    {{ latest_version(
        'deliveries',
        ['deal_id', 'field', 'old_value', 'new_value', 'changed_at'],
        by_updated_at=false,
        id='deal_field_change_id'
    ) }}

)

select * from latest_deliveries
