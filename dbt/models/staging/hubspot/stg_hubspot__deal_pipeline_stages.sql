with

source as (

    select * from {{ source('hubspot', 'hubspot__deal_pipeline_stage') }}

),

-- HubSpot's own stage settings: the probability a deal in the stage carries (0-1) and
-- whether the stage is closed.
renamed as (

    select
        {{ cast_columns(to_string, ['stage_id', 'pipeline_id']) }},
        {{ to_numeric('probability') }} as stage_probability,
        {{ to_boolean('is_closed') }} as is_closed_stage,
        {{ lineage_columns() }}

    from source

),

-- A stage carries no modification time: its latest delivery holds.
current_versions as (

    {{ latest_version('renamed', ['stage_id'], by_updated_at=false) }}

)

select * from current_versions
