with

deliveries as (

    select * from {{ ref('stg_canonical__deal_field_history_deliveries') }}

),

-- Every export repeats the changes it already sent: one row per distinct change,
-- from its latest delivery.
latest_deliveries as (

    {{ latest_field_changes('deliveries') }}

)

select * from latest_deliveries
