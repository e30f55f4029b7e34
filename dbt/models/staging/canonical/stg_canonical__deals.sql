with

deal_versions as (

    select * from {{ ref('stg_canonical__deal_versions') }}

),

-- The current version is the latest by updated_at; deleted deals stay, flagged.
current_versions as (

    {{ latest_version('deal_versions', ['deal_id']) }}

)

select * from current_versions
