with

deal_versions as (

    select * from {{ ref('int_deal_versions') }}

),

calendar_days as (

    select * from {{ ref('int_calendar_days') }}

),

currency_rate_periods as (

    select * from {{ ref('int_currency_rate_periods') }}

),

activities as (

    select * from {{ ref('int_source_activities') }}

),

extracts as (

    select * from {{ ref('stg_canonical__extracts') }}

),

-- The first day this run builds (macros/rebuild_window.sql): every day on a full build.
rebuilt_days as (

    select {{ rebuild_from() }} as first_day

),

-- A version holds the deal's state at the end of each day from the day it was
-- written until the day before the next version; a version replaced on its own day
-- never holds an end-of-day state.
version_day_ranges as (

    select
        deal_versions.*,
        cast(valid_from as date) as first_day,
        cast(valid_to as date) as next_version_day

    from deal_versions

),

deal_days as (

    select
        calendar_days.date_day as snapshot_date,
        version_day_ranges.*

    from version_day_ranges
    inner join calendar_days
        on
            version_day_ranges.first_day <= calendar_days.date_day
            and (
                version_day_ranges.next_version_day is null
                or version_day_ranges.next_version_day > calendar_days.date_day
            )
    inner join rebuilt_days
        on calendar_days.date_day >= rebuilt_days.first_day

),

-- Open days, plus the day the deal closed; deleted deals leave from their deletion on.
open_and_closing_days as (

    select *

    from deal_days
    where
        not is_deleted
        and (is_open or snapshot_date = cast(stage_entered_at as date))

),

completed_activity_days as (

    select distinct
        deal_id,
        cast(completed_at as date) as activity_date

    from activities
    where status = 'completed' and deal_id is not null and completed_at is not null

),

-- Before the first rebuilt day only each deal's latest activity day matters, so an
-- incremental run reads one mark per deal for its history.
activity_marks as (

    select
        completed_activity_days.deal_id,
        max(completed_activity_days.activity_date) as activity_date

    from completed_activity_days
    inner join rebuilt_days
        on completed_activity_days.activity_date < rebuilt_days.first_day
    group by completed_activity_days.deal_id

    union all

    select
        completed_activity_days.deal_id,
        completed_activity_days.activity_date

    from completed_activity_days
    inner join rebuilt_days
        on completed_activity_days.activity_date >= rebuilt_days.first_day

),

-- The last completed activity on or before each day: snapshot days and activity days
-- in one ordered stream per deal (an activity sorts before the same day's snapshot).
days_and_activities as (

    select
        deal_id,
        snapshot_date as event_date,
        1 as is_snapshot_day,
        cast(null as date) as activity_date

    from open_and_closing_days

    union all

    select
        deal_id,
        activity_date as event_date,
        0 as is_snapshot_day,
        activity_date

    from activity_marks

),

last_activity_per_day as (

    select
        deal_id,
        event_date as snapshot_date,
        is_snapshot_day,
        max(activity_date) over (
            partition by deal_id
            order by event_date, is_snapshot_day
            rows between unbounded preceding and current row
        ) as last_activity_date

    from days_and_activities

),

days_with_last_touch as (

    select
        open_and_closing_days.*,
        last_activity_per_day.last_activity_date

    from open_and_closing_days
    inner join last_activity_per_day
        on
            open_and_closing_days.deal_id = last_activity_per_day.deal_id
            and open_and_closing_days.snapshot_date = last_activity_per_day.snapshot_date
            and last_activity_per_day.is_snapshot_day = 1

),

days_in_reporting_currency as (

    select
        days_with_last_touch.*,
        cast(
            days_with_last_touch.amount_original * currency_rate_periods.rate_to_reporting
            as {{ dbt.type_numeric() }}
        ) as amount

    from days_with_last_touch
    left join currency_rate_periods
        on
            {{ rate_on_day('days_with_last_touch.currency', 'days_with_last_touch.snapshot_date') }}

),

extract_bounds as (

    select min(extract_date) as first_extract_date

    from extracts

),

-- A day after the first extract with no extract of its own is a gap: its state is the
-- last extract's, carried over, and misses whatever the missing extract would have held.
days_with_extract_gaps as (

    select
        days_in_reporting_currency.*,
        days_in_reporting_currency.snapshot_date > extract_bounds.first_extract_date
        and day_extracts.extract_date is null as is_carried_over_gap

    from days_in_reporting_currency
    cross join extract_bounds
    left join extracts as day_extracts
        on days_in_reporting_currency.snapshot_date = day_extracts.extract_date

),

final as (

    select
        {{ hash_key(['deal_id', 'snapshot_date']) }} as deal_snapshot_id,
        snapshot_date,
        deal_id,
        deal_version_id,
        deal_name,
        account_id,
        owner_id,
        pipeline,
        deal_type,
        stage,
        stage_order,
        -- Typed as the contract says on every engine: a seed's text is varchar on
        -- PostgreSQL, and an incremental run refuses a column whose type moved.
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        is_open,
        is_won,
        is_lost,
        currency,
        amount_original,
        amount,
        probability,
        -- Cast outside the CASE: PostgreSQL drops numeric's precision and scale from a
        -- CASE with a null branch.
        cast(
            case when is_open then amount * probability end as {{ dbt.type_numeric() }}
        ) as weighted_amount,
        expected_close_date,
        cast(created_at as date) as created_date,
        close_date,
        -- In days with fractions, as fct_stage_transitions counts a stay: from entering the
        -- stage to the end of the snapshot day, the moment the row's state describes.
        cast(
            cast(
                {{ dbt.datediff(
                    'stage_entered_at', dbt.dateadd('day', 1, 'snapshot_date'), 'second'
                ) }}
                as {{ dbt.type_numeric() }}
            ) / 86400
            as {{ dbt.type_numeric() }}
        ) as days_in_stage,
        last_activity_date,
        next_step,
        is_open and coalesce(trim(next_step), '') = '' as is_missing_next_step,
        -- docs/metrics.md "stalled deal": open, and neither a completed activity nor a stage
        -- change in the last `stalled_after_days` days.
        is_open
        and {{ dbt.datediff(
            "case
                when last_activity_date > cast(stage_entered_at as date)
                    then last_activity_date
                else cast(stage_entered_at as date)
            end",
            'snapshot_date',
            'day'
        ) }} >= {{ var('stalled_after_days') }} as is_stalled,
        is_carried_over_gap

    from days_with_extract_gaps

)

select * from final
