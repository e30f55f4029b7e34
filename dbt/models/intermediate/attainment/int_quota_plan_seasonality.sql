with

windows as (

    select * from {{ ref('int_quota_plan_windows') }}

),

calendar as (

    select * from {{ ref('dim_calendar') }}

),

deal_closes as (

    select * from {{ ref('int_deal_closes') }}

),

trailing_months as (

    select distinct
        calendar.month_start,
        calendar.next_month_start,
        calendar.calendar_month

    from calendar
    inner join windows
        on
            calendar.month_start >= windows.trailing_12_months_start
            and calendar.month_start < windows.trailing_12_months_end_exclusive

),

bookings_by_month as (

    select
        trailing_months.month_start,
        trailing_months.calendar_month,
        coalesce(sum(deal_closes.amount), 0) as bookings

    from trailing_months
    left join deal_closes
        on
            deal_closes.is_won
            and trailing_months.month_start <= deal_closes.close_date
            and trailing_months.next_month_start > deal_closes.close_date
    group by trailing_months.month_start, trailing_months.calendar_month

),

-- docs/metrics.md "seasonality_weight": a month's share of the trailing 12 months'
-- bookings; with no bookings at all every month weighs 1/12.
weights as (

    select
        month_start,
        calendar_month,
        cast(bookings as {{ dbt.type_numeric() }}) as bookings,
        -- Full precision: mart_quota_plan multiplies by it and rounds only its results.
        cast(
            case
                when sum(bookings) over () > 0
                    then bookings / cast(sum(bookings) over () as {{ type_double() }})
                else 1 / cast(12 as {{ type_double() }})
            end as {{ type_double() }}
        ) as seasonality_weight

    from bookings_by_month

)

select * from weights
