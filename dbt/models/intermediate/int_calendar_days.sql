with

date_bounds as (

    select
        min(cast(created_at as date)) as first_day,
        {{ as_of_date() }} as last_day

    from {{ ref('int_source_deal_versions') }}

),

spine as (

    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2000-01-01' as date)",
        end_date="cast('2040-01-01' as date)"
    ) }}

),

calendar_days as (

    select cast(spine.date_day as date) as date_day

    from spine
    inner join date_bounds
        on
            cast(spine.date_day as date) >= date_bounds.first_day
            and cast(spine.date_day as date) <= date_bounds.last_day

)

select * from calendar_days
