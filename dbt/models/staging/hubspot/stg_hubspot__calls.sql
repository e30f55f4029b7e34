with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement_call') }}

),

-- Calls: HubSpot's default dispositions are ids; a logged call without a status
-- happened. A call not answered is a completed attempt with that outcome.
renamed as (

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
        {{ lineage_columns() }}

    from source

)

select * from renamed
