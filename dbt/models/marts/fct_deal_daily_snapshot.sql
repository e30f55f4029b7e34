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

days_with_last_touch as (

    select
        open_and_closing_days.*,
        max(completed_activity_days.activity_date) over (
            partition by open_and_closing_days.deal_id
            order by open_and_closing_days.snapshot_date
            rows between unbounded preceding and current row
        ) as last_activity_date

    from open_and_closing_days
    left join completed_activity_days
        on
            open_and_closing_days.deal_id = completed_activity_days.deal_id
            and open_and_closing_days.snapshot_date = completed_activity_days.activity_date

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
            days_with_last_touch.currency = currency_rate_periods.currency
            and days_with_last_touch.snapshot_date >= currency_rate_periods.valid_from
            and (
                currency_rate_periods.valid_to is null
                or days_with_last_touch.snapshot_date < currency_rate_periods.valid_to
            )

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
        forecast_category,
        is_open,
        is_won,
        is_lost,
        currency,
        amount_original,
        amount,
        probability,
        case
            when is_open then cast(amount * probability as {{ dbt.type_numeric() }})
        end as weighted_amount,
        expected_close_date,
        cast(created_at as date) as created_date,
        close_date,
        cast(
            {{ dbt.datediff('cast(stage_entered_at as date)', 'snapshot_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_in_stage,
        last_activity_date,
        next_step,
        coalesce(trim(next_step), '') = '' as is_missing_next_step,
        -- METRICS.md "stalled deal": open, and neither a completed activity nor a stage
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
        ) }} >= {{ var('stalled_after_days') }} as is_stalled

    from days_in_reporting_currency

)

select * from final
