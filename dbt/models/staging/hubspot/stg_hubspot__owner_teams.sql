with

source as (

    select * from {{ source('hubspot', 'hubspot__owner_team') }}

),

-- Every delivered membership: which one is an owner's team is decided in
-- int_hubspot__user_versions.
renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['owner_id', 'team_id']) }},

        ---------- booleans
        coalesce({{ to_boolean('is_team_primary') }}, false) as is_team_primary,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
