with

source as (

    select * from {{ source('salesforce', 'salesforce__opportunity_history') }}

),

-- Fivetran's history mode keeps every version with the time it started (_fivetran_start).
renamed as (

    select
        {{ salesforce_opportunity_columns('_fivetran_start') }}

    from source

),

-- The same version (deal_id, updated_at) delivered again: the latest delivery wins.
latest_deliveries as (

    {{ latest_version('renamed', ['deal_id', 'updated_at'], id='deal_version_id') }}

)

select * from latest_deliveries
