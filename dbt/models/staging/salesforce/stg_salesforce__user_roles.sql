with

source as (

    select * from {{ source('salesforce', 'salesforce__user_role') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as user_role_id,

        ---------- strings
        {{ to_string('name') }} as role_name,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- A role carries no modification time: its latest delivery names it.
current_versions as (

    {{ latest_version('renamed', ['user_role_id'], by_updated_at=false) }}

)

select * from current_versions
