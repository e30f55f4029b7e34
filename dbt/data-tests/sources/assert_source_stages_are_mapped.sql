-- Every stage label a CRM export uses must be mapped in the seed stage_mappings to a
-- pipeline and stage of pipeline_stages: without it a deal is neither open, won nor
-- lost. The raw gate blocks such drops first; this catches a seed edited afterwards.
-- Fix: add the source, pipeline and stage label to seeds/stage_mappings.csv.

with

flat_deal_versions as (

    select * from {{ ref('stg_flat__deal_versions') }}

),

salesforce_deal_versions as (

    select * from {{ ref('stg_salesforce__deal_versions') }}

),

hubspot_deal_versions as (

    select * from {{ ref('stg_hubspot__deal_versions') }}

),

deal_versions as (

    select
        'flat' as source_system,
        source_pipeline,
        source_stage,
        stage,
        source_file
    from flat_deal_versions

    union all

    select
        'salesforce' as source_system,
        source_pipeline,
        source_stage,
        stage,
        source_file
    from salesforce_deal_versions

    union all

    select
        'hubspot' as source_system,
        source_pipeline,
        source_stage,
        stage,
        source_file
    from hubspot_deal_versions

),

unmapped_stages as (

    select
        source_system,
        source_pipeline,
        source_stage,
        count(*) as deal_versions,
        min(source_file) as first_source_file

    from deal_versions
    where stage is null
    group by source_system, source_pipeline, source_stage

)

select * from unmapped_stages
