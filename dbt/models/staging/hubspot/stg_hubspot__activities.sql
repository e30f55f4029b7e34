with

engagements as (

    select * from {{ source('hubspot', 'hubspot__engagement') }}

),

calls as (

    select * from {{ source('hubspot', 'hubspot__engagement_call') }}

),

meetings as (

    select * from {{ source('hubspot', 'hubspot__engagement_meeting') }}

),

emails as (

    select * from {{ source('hubspot', 'hubspot__engagement_email') }}

),

engagement_deals as (

    select * from {{ source('hubspot', 'hubspot__engagement_deal') }}

),

-- The engagement row gives the owner and last update where the connector's older
-- layout keeps them there instead of on the call, meeting or email.
engagements_ranked as (

    select
        {{ to_string('id') }} as engagement_id,
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('coalesce(last_updated, _fivetran_synced)') }} as last_updated,
        row_number() over (
            partition by {{ to_string('id') }}
            order by _extract_date desc, _loaded_at desc, _source_row desc
        ) as recency_rank

    from engagements

),

engagement_owners as (

    select
        engagement_id,
        owner_id,
        last_updated

    from engagements_ranked
    where recency_rank = 1

),

-- An engagement logged on several deals counts once, on the lowest deal id.
engagement_deals_ranked as (

    select
        {{ to_string('engagement_id') }} as engagement_id,
        {{ to_string('deal_id') }} as deal_id,
        row_number() over (
            partition by {{ to_string('engagement_id') }}
            order by _extract_date desc, {{ to_string('deal_id') }}
        ) as association_rank

    from engagement_deals

),

engagement_deal_links as (

    select
        engagement_id,
        deal_id

    from engagement_deals_ranked
    where association_rank = 1

),

-- Calls: HubSpot's default dispositions are ids; a logged call without a status
-- happened. A call not answered is a completed attempt with that outcome.
calls_renamed as (

    select
        {{ to_string('engagement_id') }} as activity_id,
        {{ to_string('property_hubspot_owner_id') }} as owner_id,
        'call' as activity_type,
        lower({{ to_string('property_hs_call_direction') }}) as direction,
        case
            when
                upper({{ to_string('property_hs_call_status') }}) in ('CANCELED', 'FAILED')
                then 'cancelled'
            when
                upper({{ to_string('property_hs_call_status') }})
                in ('QUEUED', 'RINGING', 'CONNECTING', 'IN_PROGRESS', 'CALLING_CRM_USER')
                then 'scheduled'
            else 'completed'
        end as status,
        case lower({{ to_string('property_hs_call_disposition') }})
            when 'f240bbac-87c9-4f6e-bf70-924b57d47db7' then 'connected'
            when 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff' then 'left_live_message'
            when 'b2cf5968-551e-4856-9783-52b3da59a7d0' then 'voicemail'
            when '73a0d17f-1163-4015-bdd5-ec830791da20' then 'no_answer'
            when '9d9162e7-6cf3-4944-bf63-4dff82258764' then 'busy'
            when '17b47fee-58de-441e-a44c-c6300d46f273' then 'wrong_number'
            else
                coalesce(
                    lower({{ to_string('property_hs_call_disposition') }}),
                    case upper({{ to_string('property_hs_call_status') }})
                        when 'NO_ANSWER' then 'no_answer'
                        when 'BUSY' then 'busy'
                    end
                )
        end as outcome,
        cast(null as {{ dbt.type_string() }}) as meeting_type,
        -- HubSpot records a call's duration in milliseconds.
        cast(
            {{ to_numeric('property_hs_call_duration') }} / 1000 as {{ dbt.type_int() }}
        ) as duration_seconds,
        {{ to_utc_timestamp('property_hs_timestamp') }} as scheduled_at,
        {{ to_utc_timestamp('property_hs_timestamp') }} as activity_at,
        {{ to_string('property_hs_lastmodifieddate') }} as last_modified,
        coalesce({{ to_boolean('_fivetran_deleted') }}, false) as is_deleted,
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from calls

),

-- Meetings: the outcome says no-show, cancelled or held; a meeting without one was
-- held once it ended. Columns of the older layout (start_time, ...) fill in.
meetings_renamed as (

    select
        {{ to_string('engagement_id') }} as activity_id,
        {{ to_string('property_hubspot_owner_id') }} as owner_id,
        case
            when lower({{ to_string('property_hs_activity_type') }}) like '%demo%' then 'demo'
            else 'meeting'
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as direction,
        case upper({{ to_string('coalesce(property_hs_meeting_outcome, meeting_outcome)') }})
            when 'NO_SHOW' then 'no_show'
            when 'CANCELED' then 'cancelled'
            when 'COMPLETED' then 'completed'
            when 'SCHEDULED' then 'scheduled'
            when 'RESCHEDULED' then 'scheduled'
            else
                case
                    when
                        cast(
                            {{ to_utc_timestamp(
                                'coalesce(property_hs_meeting_end_time, end_time)'
                            ) }} as date
                        ) <= _extract_date
                        then 'completed'
                    else 'scheduled'
                end
        end as status,
        cast(null as {{ dbt.type_string() }}) as outcome,
        lower({{ to_string('property_hs_activity_type') }}) as meeting_type,
        cast(null as {{ dbt.type_int() }}) as duration_seconds,
        {{ to_utc_timestamp('coalesce(property_hs_meeting_start_time, start_time)') }}
            as scheduled_at,
        {{ to_utc_timestamp('coalesce(property_hs_meeting_end_time, end_time)') }}
            as activity_at,
        {{ to_string('property_hs_lastmodifieddate') }} as last_modified,
        coalesce({{ to_boolean('_fivetran_deleted') }}, false) as is_deleted,
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from meetings

),

-- Emails: sent ones are outbound touches, received ones inbound; a bounce is the outcome.
emails_renamed as (

    select
        {{ to_string('engagement_id') }} as activity_id,
        {{ to_string('property_hubspot_owner_id') }} as owner_id,
        'email' as activity_type,
        case
            when
                upper(
                    coalesce(
                        {{ to_string('property_hs_email_direction') }}, {{ to_string('type') }}
                    )
                ) = 'INCOMING_EMAIL'
                then 'inbound'
            else 'outbound'
        end as direction,
        'completed' as status,
        case
            when upper({{ to_string('property_hs_email_status') }}) = 'BOUNCED' then 'bounced'
        end as outcome,
        cast(null as {{ dbt.type_string() }}) as meeting_type,
        cast(null as {{ dbt.type_int() }}) as duration_seconds,
        {{ to_utc_timestamp('property_hs_timestamp') }} as scheduled_at,
        {{ to_utc_timestamp('property_hs_timestamp') }} as activity_at,
        {{ to_string('property_hs_lastmodifieddate') }} as last_modified,
        coalesce({{ to_boolean('_fivetran_deleted') }}, false) as is_deleted,
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from emails

),

activities as (

    select * from calls_renamed
    union all
    select * from meetings_renamed
    union all
    select * from emails_renamed

),

activities_linked as (

    select
        activities.activity_id,
        coalesce(activities.owner_id, engagement_owners.owner_id) as owner_id,
        engagement_deal_links.deal_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        activities.activity_type,
        activities.direction,
        activities.status,
        activities.outcome,
        activities.meeting_type,
        activities.duration_seconds,
        activities.scheduled_at,
        case when activities.status = 'completed' then activities.activity_at end as completed_at,
        {{ to_utc_timestamp(
            'coalesce(activities.last_modified, engagement_owners.last_updated, '
            ~ 'cast(activities.extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,
        activities.is_deleted,
        activities.extract_date,
        activities.source_file,
        activities.source_row,
        activities.loaded_at

    from activities
    left join engagement_owners on activities.activity_id = engagement_owners.engagement_id
    left join engagement_deal_links
        on activities.activity_id = engagement_deal_links.engagement_id

),

-- The current version is the latest by updated_at; deleted activities leave.
versions_ranked as (

    select
        activities_linked.*,
        row_number() over (
            partition by activity_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from activities_linked

),

current_versions as (

    select
        activity_id,
        owner_id,
        deal_id,
        account_id,
        lead_id,
        activity_type,
        direction,
        status,
        outcome,
        meeting_type,
        duration_seconds,
        scheduled_at,
        completed_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1 and not is_deleted

)

select * from current_versions
