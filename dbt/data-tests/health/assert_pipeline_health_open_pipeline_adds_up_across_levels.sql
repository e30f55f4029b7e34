-- docs/metrics.md "Owner and team at the time": every open deal is credited once at each
-- level, so sum(rep open_pipeline) = sum(team open_pipeline) = company open_pipeline on
-- every as-of day. Returns the days where the levels disagree by more than a cent.
with

pipeline_health as (

    select * from {{ ref('mart_pipeline_health') }}

),

open_pipeline_by_level as (

    select
        as_of_date,
        sum(case when level = 'rep' then open_pipeline else 0 end) as rep_open_pipeline,
        sum(case when level = 'team' then open_pipeline else 0 end) as team_open_pipeline,
        sum(case when level = 'company' then open_pipeline else 0 end)
            as company_open_pipeline

    from pipeline_health
    group by as_of_date

)

select * from open_pipeline_by_level
where
    abs(rep_open_pipeline - team_open_pipeline) > 0.01
    or abs(team_open_pipeline - company_open_pipeline) > 0.01
