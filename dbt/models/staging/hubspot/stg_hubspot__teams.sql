with

source as (

    select * from {{ source('hubspot', 'hubspot__team') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as team_id,

        ---------- strings
        {{ to_string('name') }} as team_name,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- A team carries no modification time: its latest delivery names it.
current_versions as (

    {{ latest_version('renamed', ['team_id'], by_updated_at=false) }}

)

select * from current_versions
