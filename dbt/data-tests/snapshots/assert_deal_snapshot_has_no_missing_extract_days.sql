-- Lists each day after the first extract for which no extract was loaded (a missing
-- drop), with the deals whose state fct_deal_daily_snapshot carried over it
-- (is_carried_over_gap). A late drop for the day clears it on the next run.
-- Warn, not error: the carried-over state is the best the warehouse knows, and the
-- figures of every other day stay right; blocking would hide them all. The warning
-- tells whoever runs the exporter which dates to re-export.
{{ config(severity='warn') }}

with

deal_days as (

    select * from {{ ref('fct_deal_daily_snapshot') }}

),

missing_extract_days as (

    select
        snapshot_date as missing_extract_date,
        count(*) as deals_carried_over

    from deal_days
    where is_carried_over_gap
    group by snapshot_date

)

select * from missing_extract_days
