{%- set fiscal_start_month = var('fiscal_year_start_month', 1) | int -%}

with

calendar_days as (

    select * from {{ ref('int_attainment_calendar_days') }}

),

-- Months since year 0, shifted so that 0 is the first month of a fiscal year: the
-- position of a month inside its fiscal year is then this number modulo 12.
days_with_month_positions as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        mod(
            cast(extract(year from date_day) as {{ dbt.type_int() }}) * 12
            + cast(extract(month from date_day) as {{ dbt.type_int() }})
            - {{ fiscal_start_month }},
            12
        ) as month_of_fiscal_year_index

    from calendar_days

),

days_with_periods as (

    select
        date_day,
        week_start,
        month_start,
        month_of_fiscal_year_index,
        cast(
            {{ dbt.dateadd('month', '-1 * mod(month_of_fiscal_year_index, 3)', 'month_start') }}
            as date
        ) as fiscal_quarter_start,
        cast(
            {{ dbt.dateadd('month', '-1 * month_of_fiscal_year_index', 'month_start') }}
            as date
        ) as fiscal_year_start

    from days_with_month_positions

),

days_with_period_ends as (

    select
        date_day,
        week_start,
        month_start,
        fiscal_quarter_start,
        fiscal_year_start,
        month_of_fiscal_year_index,
        cast({{ dbt.dateadd('day', 7, 'week_start') }} as date) as next_week_start,
        cast({{ dbt.dateadd('month', 1, 'month_start') }} as date) as next_month_start,
        cast({{ dbt.dateadd('month', 3, 'fiscal_quarter_start') }} as date)
            as next_fiscal_quarter_start,
        cast({{ dbt.dateadd('month', 12, 'fiscal_year_start') }} as date)
            as next_fiscal_year_start

    from days_with_periods

),

calendar as (

    select
        date_day,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as calendar_month,
        cast(
            {{ dbt.datediff(
                'week_start', 'date_day', 'day'
            ) }} + 1
            as {{ dbt.type_bigint() }}
        ) as day_of_week,
        week_start,
        next_week_start,
        month_start,
        next_month_start,
        fiscal_quarter_start,
        next_fiscal_quarter_start,
        cast(
            (month_of_fiscal_year_index - mod(month_of_fiscal_year_index, 3)) / 3 + 1
            as {{ dbt.type_int() }}
        ) as fiscal_quarter,
        fiscal_year_start,
        next_fiscal_year_start,
        -- A fiscal year is named after the calendar year it ends in (FY2026 of a
        -- February start runs 2025-02-01 to 2026-01-31).
        cast(
            extract(year from fiscal_year_start) + {{ 0 if fiscal_start_month == 1 else 1 }}
            as {{ dbt.type_int() }}
        ) as fiscal_year,
        7 as days_in_week,
        cast(
            {{ dbt.datediff(
                'week_start', 'date_day', 'day'
            ) }} + 1
            as {{ dbt.type_bigint() }}
        ) as days_elapsed_in_week,
        cast(
            {{ dbt.datediff(
                'month_start', 'next_month_start', 'day'
            ) }}
            as {{ dbt.type_bigint() }}
        ) as days_in_month,
        cast(
            {{ dbt.datediff(
                'month_start', 'date_day', 'day'
            ) }} + 1
            as {{ dbt.type_bigint() }}
        ) as days_elapsed_in_month,
        cast(
            {{ dbt.datediff(
                'fiscal_quarter_start', 'next_fiscal_quarter_start', 'day'
            ) }}
            as {{ dbt.type_bigint() }}
        ) as days_in_fiscal_quarter,
        cast(
            {{ dbt.datediff(
                'fiscal_quarter_start', 'date_day', 'day'
            ) }} + 1
            as {{ dbt.type_bigint() }}
        ) as days_elapsed_in_fiscal_quarter,
        cast(
            {{ dbt.datediff(
                'fiscal_year_start', 'next_fiscal_year_start', 'day'
            ) }}
            as {{ dbt.type_bigint() }}
        ) as days_in_fiscal_year,
        cast(
            {{ dbt.datediff(
                'fiscal_year_start', 'date_day', 'day'
            ) }} + 1
            as {{ dbt.type_bigint() }}
        ) as days_elapsed_in_fiscal_year

    from days_with_period_ends

)

select * from calendar
