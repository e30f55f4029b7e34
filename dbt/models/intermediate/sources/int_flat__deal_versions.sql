with

deal_versions as (

    select * from {{ ref('stg_flat__deal_versions') }}

),

stage_mappings as (

    select * from {{ ref('stage_mappings') }}
    where source = 'flat'

),

versions_with_stage as (

    select
        deal_versions.*,
        stage_mappings.pipeline,
        stage_mappings.stage

    from deal_versions
    left join stage_mappings
        on
            deal_versions.source_pipeline = stage_mappings.source_pipeline
            and deal_versions.source_stage = stage_mappings.source_stage

)

select * from versions_with_stage
