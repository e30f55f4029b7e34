with

user_versions as (

    select * from {{ ref('stg_canonical__user_versions') }}

),

-- The current version is the latest by updated_at.
current_versions as (

    {{ latest_version('user_versions', ['user_id']) }}

)

select * from current_versions
