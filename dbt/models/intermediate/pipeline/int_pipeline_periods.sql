{#- Months from a calendar quarter's start to the fiscal quarter's start: fiscal quarters
    begin in fiscal_year_start_month and every third month after it. -#}
{%- set quarter_offset_months = (var('fiscal_year_start_month') | int - 1) % 3 -%}

with

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

extracts as (

    select * from {{ ref('stg_canonical__extracts') }}

),

day_period_starts as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast(
            {{ dbt.dateadd(
                'month',
                quarter_offset_months,
                dbt.date_trunc(
                    'quarter',
                    dbt.dateadd('month', -1 * quarter_offset_months, 'date_day')
                )
            ) }} as date
        ) as quarter_start

    from calendar_days

),

period_starts as (

    select distinct
        'week' as period_type,
        week_start as period_start
    from day_period_starts

    union all

    select distinct
        'month' as period_type,
        month_start as period_start
    from day_period_starts

    union all

    select distinct
        'quarter' as period_type,
        quarter_start as period_start
    from day_period_starts

),

period_bounds as (

    select
        period_type,
        period_start,
        cast(
            case period_type
                when 'week' then {{ dbt.dateadd('day', 7, 'period_start') }}
                when 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
                else {{ dbt.dateadd('month', 3, 'period_start') }}
            end as date
        ) as period_end

    from period_starts

),

as_of as (

    select max(date_day) as as_of_date from calendar_days

),

first_extract as (

    select min(extract_date) as first_extract_date from extracts

),

final as (

    select
        {{ hash_key(['period_bounds.period_type', 'period_bounds.period_start']) }}
            as period_id,
        period_bounds.period_type,
        period_bounds.period_start,
        period_bounds.period_end,
        cast({{ dbt.dateadd('day', -1, 'period_bounds.period_start') }} as date)
            as opening_day,
        case
            when period_bounds.period_end > as_of.as_of_date then as_of.as_of_date
            else cast({{ dbt.dateadd('day', -1, 'period_bounds.period_end') }} as date)
        end as closing_day,
        -- docs/metrics.md "Periods in progress": a period whose last day is the as-of date
        -- is complete.
        period_bounds.period_end > cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
            as is_in_progress,
        coalesce(
            period_bounds.period_start >= first_extract.first_extract_date, false
        ) as is_covered_by_extracts

    from period_bounds
    cross join as_of
    cross join first_extract

)

select * from final
