-- The 12 monthly seasonality weights sum to 1, and so do each rep's three
-- month_share_of_quarter in the plan (else the quarter's plan would not split exactly).
with

seasonality as (

    select * from {{ ref('int_quota_plan_seasonality') }}

),

quota_plan as (

    select * from {{ ref('mart_quota_plan') }}

),

seasonality_totals as (

    select
        'trailing 12 months' as weights,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        sum(seasonality_weight) as weight_sum

    from seasonality
    having count(*) > 0

),

plan_totals as (

    select
        'planned quarter' as weights,
        owner_id,
        sum(month_share_of_quarter) as weight_sum

    from quota_plan
    group by owner_id

),

totals as (

    select * from seasonality_totals
    union all
    select * from plan_totals

)

select * from totals
where abs(weight_sum - 1) > 0.0001
