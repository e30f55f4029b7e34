with

activity_versions as (

    select * from {{ ref('int_salesforce__activity_versions') }}

),

-- The current version is the latest by updated_at; deleted activities leave.
current_versions as (

    {{ latest_version('activity_versions', ['activity_id']) }}

)

select * from current_versions
where not is_deleted
