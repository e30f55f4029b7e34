with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement_meeting') }}

),

-- Meetings: the outcome says no-show, cancelled or held; a meeting without one was
-- held once it ended. Columns of the older layout (start_time, ...) fill in.
renamed as (

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
        {{ lineage_columns() }}

    from source

)

select * from renamed
