-- Every stage a deal version is in must be configured for its pipeline in the seed
-- pipeline_stages: whether a deal is open, won or lost, and the stage order, come from
-- there. The raw gate blocks such drops first; this catches a seed edited afterwards.
-- Fix: add the stage to seeds/pipeline_stages.csv.

with

deal_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

pipeline_stages as (

    select * from {{ ref('pipeline_stages') }}

),

versions_with_unconfigured_stage as (

    select
        deal_versions.deal_id,
        deal_versions.pipeline,
        deal_versions.stage,
        deal_versions.source_file,
        deal_versions.source_row

    from deal_versions
    left join pipeline_stages
        on
            deal_versions.pipeline = pipeline_stages.pipeline
            and deal_versions.stage = pipeline_stages.stage
    where pipeline_stages.stage is null

)

select * from versions_with_unconfigured_stage
