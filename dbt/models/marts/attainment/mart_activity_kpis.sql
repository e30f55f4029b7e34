with

activities as (

    select * from {{ ref('int_source_activities') }}

),

activity_types as (

    select * from {{ ref('activity_types') }}

),

-- METRICS.md "Activities": a completed activity counts on its completed_at date, any
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

-- Each activity once on the day it counts, and each demo once more on the day it
-- was scheduled for (demos_booked / demos_held / no-shows are by scheduled_at).
activity_events as (

    select
        owner_id,
        activity_type,
        case when is_meeting then meeting_type end as meeting_type,
        counted_date as event_date,
        1 as is_counted_event,
        case when status = 'completed' then 1 else 0 end as is_completed,
        case
            when status = 'completed' and direction = 'outbound' and is_touch then 1 else 0
        end as is_outbound_touch,
        case when status = 'completed' and is_meeting then 1 else 0 end as is_completed_meeting,
        case when status = 'completed' and activity_type = 'call' then 1 else 0 end
            as is_completed_call,
        case
            when status = 'completed' and activity_type = 'call' and outcome = 'connected'
                then 1
            else 0
        end as is_connected_call,
        0 as is_demo_booked,
        0 as is_demo_held,
        0 as is_demo_no_show

    from activities_dated
    where counted_date is not null

    union all

    select
        owner_id,
        activity_type,
        case when is_meeting then meeting_type end as meeting_type,
        scheduled_date as event_date,
        0 as is_counted_event,
        0 as is_completed,
        0 as is_outbound_touch,
        0 as is_completed_meeting,
        0 as is_completed_call,
        0 as is_connected_call,
        1 as is_demo_booked,
        case when status = 'completed' then 1 else 0 end as is_demo_held,
        case when status = 'no_show' then 1 else 0 end as is_demo_no_show

    from activities_dated
    where
        activity_type = 'demo'
        and scheduled_date is not null

),

events_in_range as (

    select * from activity_events
    where event_date <= {{ as_of_date() }}

),

events_by_period as (

    select
        'day' as period_type,
        event_date as period_start,
        events_in_range.*
    from events_in_range

    union all

    select
        'week' as period_type,
        cast({{ dbt.date_trunc('week', 'event_date') }} as date) as period_start,
        events_in_range.*
    from events_in_range

),

counts as (

    select
        period_type,
        period_start,
        owner_id,
        activity_type,
        meeting_type,
        sum(is_counted_event) as activities,
        sum(is_completed) as completed,
        sum(is_outbound_touch) as outbound_touches,
        sum(is_completed_meeting) as meetings_by_type,
        sum(is_demo_booked) as demos_booked,
        sum(is_demo_held) as demos_held,
        sum(is_demo_no_show) as demo_no_shows,
        sum(is_completed_call) as completed_calls,
        sum(is_connected_call) as connected_calls

    from events_by_period
    group by period_type, period_start, owner_id, activity_type, meeting_type

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
        case
            when demos_held + demo_no_shows > 0
                then cast(
                    demo_no_shows / cast(demos_held + demo_no_shows as {{ dbt.type_numeric() }})
                    as {{ dbt.type_numeric() }}
                )
        end as demo_no_show_rate,
        cast(completed_calls as {{ dbt.type_bigint() }}) as completed_calls,
        cast(connected_calls as {{ dbt.type_bigint() }}) as connected_calls,
        case
            when completed_calls > 0
                then cast(
                    connected_calls / cast(completed_calls as {{ dbt.type_numeric() }})
                    as {{ dbt.type_numeric() }}
                )
        end as connect_rate

    from counts

)

select * from final
