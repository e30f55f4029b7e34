with

deliveries as (

    select * from {{ ref('stg_canonical__deal_deliveries') }}

),

-- The same version (deal_id, updated_at) can arrive again in a later extract, written
-- differently or corrected: the latest delivery of it wins.
latest_deliveries as (

    {{ latest_version('deliveries', ['deal_id', 'updated_at'], id='deal_version_id') }}

)

select * from latest_deliveries
