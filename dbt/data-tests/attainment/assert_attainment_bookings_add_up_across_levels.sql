-- docs/metrics.md: sum(rep bookings) = team bookings = company bookings, for every period.
-- Returns the periods where the three levels disagree by more than a cent.
with

attainment as (

    select * from {{ ref('mart_attainment_by_period') }}

),

bookings_by_level as (

    select
        period_type,
        period_start,
        sum(case when level = 'rep' then bookings else 0 end) as rep_bookings,
        sum(case when level = 'team' then bookings else 0 end) as team_bookings,
        sum(case when level = 'company' then bookings else 0 end) as company_bookings

    from attainment
    group by period_type, period_start

)

select * from bookings_by_level
where
    abs(rep_bookings - team_bookings) > 0.01
    or abs(team_bookings - company_bookings) > 0.01
