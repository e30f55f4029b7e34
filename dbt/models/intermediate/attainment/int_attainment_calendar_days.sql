with

deal_versions as (

    select * from {{ ref('int_source_deal_versions') }}

),

quotas as (

    select * from {{ ref('int_source_quotas') }}

),

spine as (

    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2000-01-01' as date)",
        end_date="cast('2041-01-01' as date)"
    ) }}

),

-- Every day the marts can need: the first deal or quota, the as-of date, the last
-- quota day, and the fiscal quarter after the as-of date (quota planning).
date_bounds as (

    select
        least(
            coalesce((select min(cast(created_at as date)) from deal_versions), {{ as_of_date() }}),
            coalesce((select min(period_start) from quotas), {{ as_of_date() }})
        ) as first_day,
        greatest(
            cast({{ dbt.dateadd('month', 6, as_of_date()) }} as date),
            coalesce((select max(period_end) from quotas), {{ as_of_date() }})
        ) as last_day

),

-- Widened to whole calendar years, one more on each side, so that every fiscal year
-- (whatever month it starts in) that touches the bounds is whole.
year_bounds as (

    select
        cast(
            {{ dbt.dateadd('year', -1, dbt.date_trunc('year', 'first_day')) }} as date
        ) as first_day,
        cast(
            {{ dbt.dateadd('year', 2, dbt.date_trunc('year', 'last_day')) }} as date
        ) as end_day_exclusive

    from date_bounds

),

calendar_days as (

    select cast(spine.date_day as date) as date_day

    from spine
    inner join year_bounds
        on
            cast(spine.date_day as date) >= year_bounds.first_day
            and cast(spine.date_day as date) < year_bounds.end_day_exclusive

)

select * from calendar_days
