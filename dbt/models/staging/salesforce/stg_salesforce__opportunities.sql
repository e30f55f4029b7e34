with

source as (

    select * from {{ source('salesforce', 'salesforce__opportunity') }}

),

-- An opportunity's current row is a version dated by its last modification (or the
-- connector's sync).
renamed as (

    select
        {{ salesforce_opportunity_columns('coalesce(last_modified_date, _fivetran_synced)') }}

    from source

),

-- The same version (deal_id, updated_at) delivered again: the latest delivery wins.
latest_deliveries as (

    {{ latest_version('renamed', ['deal_id', 'updated_at'], id='deal_version_id') }}

)

select * from latest_deliveries
