-- Every rate of the marts lies in [0, 1] (null where its denominator is 0): a rate outside
-- means a numerator counted something its denominator did not. One row per offending
-- mart row and rate.

with

stage_conversion as (

    select * from {{ ref('mart_stage_conversion') }}

),

funnel as (

    select * from {{ ref('mart_funnel') }}

),

pipeline_health as (

    select * from {{ ref('mart_pipeline_health') }}

),

activity_kpis as (

    select * from {{ ref('mart_activity_kpis') }}

),

rates as (

    select
        'mart_stage_conversion.conversion_rate' as rate_name,
        conversion_rate as rate
    from stage_conversion

    union all

    select
        'mart_funnel.lead_to_mql_rate' as rate_name,
        lead_to_mql_rate as rate
    from funnel

    union all

    select
        'mart_funnel.mql_to_sql_rate' as rate_name,
        mql_to_sql_rate as rate
    from funnel

    union all

    select
        'mart_funnel.sql_to_opportunity_rate' as rate_name,
        sql_to_opportunity_rate as rate
    from funnel

    union all

    select
        'mart_funnel.opportunity_to_won_rate' as rate_name,
        opportunity_to_won_rate as rate
    from funnel

    union all

    select
        'mart_pipeline_health.win_rate' as rate_name,
        win_rate as rate
    from pipeline_health

    union all

    select
        'mart_pipeline_health.win_rate_by_value' as rate_name,
        win_rate_by_value as rate
    from pipeline_health

    union all

    select
        'mart_activity_kpis.demo_no_show_rate' as rate_name,
        demo_no_show_rate as rate
    from activity_kpis

    union all

    select
        'mart_activity_kpis.connect_rate' as rate_name,
        connect_rate as rate
    from activity_kpis

)

select * from rates
where rate < 0 or rate > 1
