with

calendar as (

    select * from {{ ref('dim_calendar') }}

),

as_of_day as (

    select * from calendar
    where date_day = {{ as_of_date() }}

),

-- A month or quarter is complete when the as-of date is its last day; the trailing
-- windows end with the last complete one, so a half-finished period never skews them.
window_ends as (

    select
        date_day as as_of_date,
        fiscal_quarter_start as current_quarter_start,
        next_fiscal_quarter_start as plan_quarter_start,
        case
            when {{ dbt.dateadd('day', 1, 'date_day') }} = next_month_start
                then next_month_start
            else month_start
        end as trailing_months_end,
        case
            when {{ dbt.dateadd('day', 1, 'date_day') }} = next_fiscal_quarter_start
                then next_fiscal_quarter_start
            else fiscal_quarter_start
        end as trailing_quarters_end

    from as_of_day

),

windows as (

    select
        as_of_date,
        current_quarter_start,
        plan_quarter_start,
        cast({{ dbt.dateadd('month', 3, 'plan_quarter_start') }} as date)
            as plan_quarter_end_exclusive,
        cast({{ dbt.dateadd('month', -12, 'plan_quarter_start') }} as date)
            as same_quarter_last_year_start,
        cast({{ dbt.dateadd('month', -9, 'plan_quarter_start') }} as date)
            as same_quarter_last_year_end_exclusive,
        cast({{ dbt.dateadd('month', -12, 'trailing_months_end') }} as date)
            as trailing_12_months_start,
        cast(trailing_months_end as date) as trailing_12_months_end_exclusive,
        cast({{ dbt.dateadd('month', -24, 'trailing_quarters_end') }} as date)
            as prior_4_quarters_start,
        cast({{ dbt.dateadd('month', -12, 'trailing_quarters_end') }} as date)
            as trailing_4_quarters_start,
        cast(trailing_quarters_end as date) as trailing_4_quarters_end_exclusive,
        cast({{ dbt.dateadd('month', -6, 'as_of_date') }} as date) as new_rep_hired_after

    from window_ends

)

select * from windows
