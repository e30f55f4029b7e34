-- The issue's invariant: the open pipeline on day d in fct_deal_daily_snapshot equals the
-- open deals of snap_deals valid at the end of d (the version written last on or before
-- d, not deleted), in number and in original-currency amount. One row per day where
-- they differ. Checked over the days the incremental build kept as well as the ones it
-- rebuilt, so it also catches a stale day left behind.

with

daily_snapshot as (

    select * from {{ ref('fct_deal_daily_snapshot') }}

),

deal_versions as (

    select * from {{ ref('snap_deals') }}

),

snapshot_days as (

    select distinct snapshot_date from daily_snapshot

),

open_in_snapshot as (

    select
        snapshot_date,
        count(*) as open_deals,
        sum(coalesce(amount_original, 0)) as open_amount_original

    from daily_snapshot
    where is_open
    group by snapshot_date

),

-- A version holds the end of day d when written on or before d and not replaced by the
-- end of d.
open_in_versions as (

    select
        snapshot_days.snapshot_date,
        count(*) as open_deals,
        sum(coalesce(deal_versions.amount_original, 0)) as open_amount_original

    from snapshot_days
    inner join deal_versions
        on
            cast(deal_versions.valid_from as date) <= snapshot_days.snapshot_date
            and (
                deal_versions.valid_to is null
                or cast(deal_versions.valid_to as date) > snapshot_days.snapshot_date
            )
    where deal_versions.is_open and not deal_versions.is_deleted
    group by snapshot_days.snapshot_date

)

select
    snapshot_days.snapshot_date,
    open_in_snapshot.open_deals as snapshot_open_deals,
    open_in_versions.open_deals as snap_deals_open_deals,
    open_in_snapshot.open_amount_original as snapshot_open_amount_original,
    open_in_versions.open_amount_original as snap_deals_open_amount_original

from snapshot_days
left join open_in_snapshot on snapshot_days.snapshot_date = open_in_snapshot.snapshot_date
left join open_in_versions on snapshot_days.snapshot_date = open_in_versions.snapshot_date
where
    coalesce(open_in_snapshot.open_deals, 0) <> coalesce(open_in_versions.open_deals, 0)
    or coalesce(open_in_snapshot.open_amount_original, 0)
    <> coalesce(open_in_versions.open_amount_original, 0)
