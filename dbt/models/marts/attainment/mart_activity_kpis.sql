with

activities as (

    select * from {{ ref('int_source_activities') }}

),

activity_types as (

    select * from {{ ref('activity_types') }}

),

-- docs/metrics.md "Activities": a completed activity counts on its completed_at date, any
-- other (booked, no-show, cancelled) on its scheduled_at date.
activities_dated as (

    select
        activities.activity_id,
        activities.owner_id,
        activities.activity_type,
        activities.meeting_type,
        activities.status,
        activities.direction,
        activities.outcome,
        coalesce(activity_types.is_touch, false) as is_touch,
        coalesce(activity_types.is_meeting, false) as is_meeting,
        cast(
            case
                when activities.status = 'completed' then activities.completed_at
                else activities.scheduled_at
            end as date
        ) as counted_date,
        cast(activities.scheduled_at as date) as scheduled_date

    from activities
    left join activity_types
        on activities.activity_type = activity_types.activity_type

),

-- Each activity counts once on the day it counts, and each demo once more on the day it
-- was scheduled for (demos_booked / demos_held / no-shows are by scheduled_at). One pass
-- over the activities (a cross join with the two kinds of event) instead of a union of
-- two: a CTE read twice is materialized whole, which at 48M activities does not fit a
-- 4GB memory_limit.
event_kinds as (

    select 'counted' as event_kind
    union all
    select 'demo_scheduled' as event_kind

),

activity_events as (

    select
        activities_dated.owner_id,
        activities_dated.activity_type,
        case when activities_dated.is_meeting then activities_dated.meeting_type end
            as meeting_type,
        case
            when event_kinds.event_kind = 'counted' then activities_dated.counted_date
            else activities_dated.scheduled_date
        end as event_date,
        event_kinds.event_kind = 'counted' as is_counted,
        activities_dated.status = 'completed' as is_completed,
        activities_dated.status,
        activities_dated.direction,
        activities_dated.outcome,
        activities_dated.is_touch,
        activities_dated.is_meeting

    from activities_dated
    cross join event_kinds
    where
        (event_kinds.event_kind = 'counted' and activities_dated.counted_date is not null)
        or (
            event_kinds.event_kind = 'demo_scheduled'
            and activities_dated.activity_type = 'demo'
            and activities_dated.scheduled_date is not null
        )

),

-- Days first: weeks are sums of their days, so the activities are aggregated once.
daily_counts as (

    select
        event_date,
        owner_id,
        activity_type,
        meeting_type,
        sum(case when is_counted then 1 else 0 end) as activities,
        sum(case when is_counted and is_completed then 1 else 0 end) as completed,
        sum(
            case
                when is_counted and is_completed and direction = 'outbound' and is_touch
                    then 1
                else 0
            end
        ) as outbound_touches,
        sum(case when is_counted and is_completed and is_meeting then 1 else 0 end)
            as meetings_by_type,
        sum(case when not is_counted then 1 else 0 end) as demos_booked,
        sum(case when not is_counted and is_completed then 1 else 0 end) as demos_held,
        sum(case when not is_counted and status = 'no_show' then 1 else 0 end)
            as demo_no_shows,
        sum(
            case when is_counted and is_completed and activity_type = 'call' then 1 else 0 end
        ) as completed_calls,
        sum(
            case
                when
                    is_counted and is_completed and activity_type = 'call'
                    and outcome = 'connected'
                    then 1
                else 0
            end
        ) as connected_calls

    from activity_events
    where
        event_date <= {{ as_of_date() }}
        -- Whole weeks from the one holding the day the run rebuilds from
        -- (macros/rebuild_window.sql), so a week stays the sum of its days.
        and event_date >= cast({{ dbt.date_trunc('week', rebuild_from()) }} as date)
    group by event_date, owner_id, activity_type, meeting_type

),

counts as (

    select
        'day' as period_type,
        event_date as period_start,
        owner_id,
        activity_type,
        meeting_type,
        activities,
        completed,
        outbound_touches,
        meetings_by_type,
        demos_booked,
        demos_held,
        demo_no_shows,
        completed_calls,
        connected_calls

    from daily_counts

    union all

    select
        'week' as period_type,
        cast({{ dbt.date_trunc('week', 'event_date') }} as date) as period_start,
        owner_id,
        activity_type,
        meeting_type,
        sum(activities) as activities,
        sum(completed) as completed,
        sum(outbound_touches) as outbound_touches,
        sum(meetings_by_type) as meetings_by_type,
        sum(demos_booked) as demos_booked,
        sum(demos_held) as demos_held,
        sum(demo_no_shows) as demo_no_shows,
        sum(completed_calls) as completed_calls,
        sum(connected_calls) as connected_calls

    from daily_counts
    group by
        cast({{ dbt.date_trunc('week', 'event_date') }} as date),
        owner_id,
        activity_type,
        meeting_type

),

final as (

    select
        {{ hash_key(['period_type', 'period_start', 'owner_id', 'activity_type', 'meeting_type']) }}
            as activity_kpi_id,
        period_type,
        period_start,
        owner_id,
        activity_type,
        meeting_type,
        cast(activities as {{ dbt.type_bigint() }}) as activities,
        cast(completed as {{ dbt.type_bigint() }}) as completed,
        cast(outbound_touches as {{ dbt.type_bigint() }}) as outbound_touches,
        cast(meetings_by_type as {{ dbt.type_bigint() }}) as meetings_by_type,
        cast(demos_booked as {{ dbt.type_bigint() }}) as demos_booked,
        cast(demos_held as {{ dbt.type_bigint() }}) as demos_held,
        cast(demo_no_shows as {{ dbt.type_bigint() }}) as demo_no_shows,
        -- The cast around the case, not inside it: PostgreSQL drops a numeric's scale
        -- from a case's type, which an incremental run reads as a schema change.
        cast(
            case
                when demos_held + demo_no_shows > 0
                    then
                        demo_no_shows
                        / cast(demos_held + demo_no_shows as {{ dbt.type_numeric() }})
            end as {{ dbt.type_numeric() }}
        ) as demo_no_show_rate,
        cast(completed_calls as {{ dbt.type_bigint() }}) as completed_calls,
        cast(connected_calls as {{ dbt.type_bigint() }}) as connected_calls,
        cast(
            case
                when completed_calls > 0
                    then connected_calls / cast(completed_calls as {{ dbt.type_numeric() }})
            end as {{ dbt.type_numeric() }}
        ) as connect_rate

    from counts

)

select * from final
