with

calendar as (

    select * from {{ ref('dim_calendar') }}

),

periods_unioned as (

    select distinct
        'week' as period_type,
        week_start as period_start,
        next_week_start as next_period_start
    from calendar

    union all

    select distinct
        'month' as period_type,
        month_start as period_start,
        next_month_start as next_period_start
    from calendar

    union all

    select distinct
        'quarter' as period_type,
        fiscal_quarter_start as period_start,
        next_fiscal_quarter_start as next_period_start
    from calendar

    union all

    select distinct
        'year' as period_type,
        fiscal_year_start as period_start,
        next_fiscal_year_start as next_period_start
    from calendar

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

periods_with_days as (

    select
        periods_unioned.period_type,
        periods_unioned.period_start,
        periods_unioned.next_period_start,
        as_of.as_of_date,
        {{ dbt.datediff(
            'periods_unioned.period_start', 'periods_unioned.next_period_start', 'day'
        ) }}
            as days_in_period,
        {{ dbt.datediff(
            'periods_unioned.period_start', 'as_of.as_of_date', 'day'
        ) }} + 1
            as days_to_as_of_date

    from periods_unioned
    cross join as_of

),

-- Linear pace: a past period has elapsed whole, a future one not at all.
periods_with_pace as (

    select
        {{ hash_key(['period_type', 'period_start']) }} as attainment_period_id,
        period_type,
        period_start,
        next_period_start,
        days_in_period,
        case
            when days_to_as_of_date < 0 then 0
            when days_to_as_of_date > days_in_period then days_in_period
            else days_to_as_of_date
        end as days_elapsed,
        days_to_as_of_date >= 1 and days_to_as_of_date <= days_in_period as is_current_period,
        as_of_date

    from periods_with_days

)

select * from periods_with_pace
