with

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

pipeline_stages as (

    select * from {{ ref('pipeline_stages') }}

),

-- The open stages of each pipeline in order, each with the open stage after it (none
-- for the last open stage, whose next step is winning).
open_stages as (

    select
        pipeline,
        stage,
        stage_order,
        lead(stage_order) over (
            partition by pipeline order by stage_order
        ) as next_stage_order

    from pipeline_stages
    where not is_closed

),

-- One row per deal: how far it got among the open stages, and where it is now.
deal_progress as (

    select
        deal_id,
        pipeline,
        cohort_month,
        -- 0: never seen in an open stage (created closed), so it reached none.
        coalesce(
            max(case when is_open_stage then to_stage_order end), 0
        ) as furthest_open_stage_order,
        coalesce(max(case when is_current_stage and is_won then 1 end), 0) = 1 as is_won_now,
        coalesce(max(case when is_current_stage and is_lost then 1 end), 0) = 1 as is_lost_now

    from stage_transitions
    group by deal_id, pipeline, cohort_month

),

-- A deal reached an open stage if it was ever in it or in a later open stage, or is
-- won; a lost deal only up to the furthest open stage it was in.
deal_stage_reach as (

    select
        deal_progress.deal_id,
        deal_progress.pipeline,
        deal_progress.cohort_month,
        open_stages.stage,
        deal_progress.is_won_now,
        deal_progress.is_won_now
        or deal_progress.furthest_open_stage_order >= open_stages.stage_order as has_reached,
        case
            when open_stages.next_stage_order is null then deal_progress.is_won_now
            else
                deal_progress.is_won_now
                or deal_progress.furthest_open_stage_order >= open_stages.next_stage_order
        end as has_advanced,
        (
            not deal_progress.is_won_now
            and deal_progress.is_lost_now
            and deal_progress.furthest_open_stage_order = open_stages.stage_order
        ) as is_lost_at_stage

    from deal_progress
    inner join open_stages
        on deal_progress.pipeline = open_stages.pipeline

),

reach_counts as (

    select
        pipeline,
        stage,
        cohort_month,
        count(*) as deals_in_cohort,
        count(case when has_reached then 1 end) as deals_reached,
        count(case when has_advanced then 1 end) as deals_advanced,
        count(case when is_won_now then 1 end) as deals_won,
        count(case when is_lost_at_stage then 1 end) as deals_lost_at_stage

    from deal_stage_reach
    group by pipeline, stage, cohort_month

),

-- Completed stays only: an entry still in its stage has no days_in_stage yet.
stage_durations as (

    select
        pipeline,
        to_stage as stage,
        cohort_month,
        percentile_cont(0.5) within group (order by days_in_stage) as median_days_in_stage

    from stage_transitions
    where is_open_stage and days_in_stage is not null
    group by pipeline, to_stage, cohort_month

),

final as (

    select
        {{ hash_key(['reach_counts.pipeline', 'reach_counts.stage', 'reach_counts.cohort_month']) }}
            as stage_conversion_id,
        reach_counts.pipeline,
        reach_counts.stage,
        open_stages.stage_order,
        reach_counts.cohort_month,
        reach_counts.deals_in_cohort,
        reach_counts.deals_reached,
        reach_counts.deals_advanced,
        reach_counts.deals_won,
        reach_counts.deals_lost_at_stage,
        cast(
            cast(reach_counts.deals_advanced as {{ dbt.type_numeric() }})
            / nullif(reach_counts.deals_reached, 0)
            as {{ dbt.type_numeric() }}
        ) as conversion_rate,
        cast(stage_durations.median_days_in_stage as {{ dbt.type_numeric() }})
            as median_days_in_stage

    from reach_counts
    inner join open_stages
        on
            reach_counts.pipeline = open_stages.pipeline
            and reach_counts.stage = open_stages.stage
    left join stage_durations
        on
            reach_counts.pipeline = stage_durations.pipeline
            and reach_counts.stage = stage_durations.stage
            and reach_counts.cohort_month = stage_durations.cohort_month

)

select * from final
