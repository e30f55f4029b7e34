with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement') }}

),

-- The engagement row gives the owner and last update where the connector's older
-- layout keeps them there instead of on the call, meeting or email.
renamed as (

    select
        {{ to_string('id') }} as engagement_id,
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('coalesce(last_updated, _fivetran_synced)') }} as last_updated,
        {{ lineage_columns() }}

    from source

),

-- An engagement row carries no reliable modification time: its latest delivery holds.
current_versions as (

    {{ latest_version('renamed', ['engagement_id'], by_updated_at=false) }}

)

select * from current_versions
