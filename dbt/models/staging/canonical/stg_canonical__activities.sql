with

activity_versions as (

    select * from {{ ref('stg_canonical__activity_versions') }}

),

-- The current version is the latest by updated_at.
current_versions as (

    {{ latest_version('activity_versions', ['activity_id']) }}

)

select * from current_versions
