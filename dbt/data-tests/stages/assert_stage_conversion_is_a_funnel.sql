-- mart_stage_conversion must read as a funnel: of the deals of a cohort, those that
-- advanced past a stage are some of those that reached it, which are some of the
-- cohort, and every won deal advanced past every stage; so each conversion_rate lies
-- in [0, 1]. A row returned here is a stage whose counts contradict each other.

with

stage_conversion as (

    select * from {{ ref('mart_stage_conversion') }}

),

contradicting_rows as (

    select
        pipeline,
        stage,
        cohort_month,
        deals_in_cohort,
        deals_reached,
        deals_advanced,
        deals_won,
        conversion_rate

    from stage_conversion
    where
        deals_advanced > deals_reached
        or deals_reached > deals_in_cohort
        or deals_won > deals_advanced
        or conversion_rate < 0
        or conversion_rate > 1
        or (deals_reached > 0 and conversion_rate is null)

)

select * from contradicting_rows
