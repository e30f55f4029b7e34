with

source as (

    select * from {{ source('salesforce', 'salesforce__event') }}

),

-- Events are meetings (or calls) on the calendar: held once they ended, unless the
-- custom field no_show__c says the prospect did not come.
renamed as (

    select
        {{ salesforce_activity_links() }},
        case lower({{ to_string('type') }})
            when 'call' then 'call'
            when 'demo' then 'demo'
            else 'meeting'
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as direction,
        case
            when coalesce({{ to_boolean('no_show_c') }}, false) then 'no_show'
            when cast({{ to_utc_timestamp('end_date_time') }} as date) <= _extract_date
                then 'completed'
            else 'scheduled'
        end as status,
        cast(null as {{ dbt.type_string() }}) as outcome,
        lower({{ to_string('event_subtype') }}) as meeting_type,
        {{ to_integer('duration_in_minutes') }} * 60 as duration_seconds,
        {{ to_utc_timestamp('start_date_time') }} as scheduled_at,
        case
            when
                not coalesce({{ to_boolean('no_show_c') }}, false)
                and cast({{ to_utc_timestamp('end_date_time') }} as date) <= _extract_date
                then {{ to_utc_timestamp('end_date_time') }}
        end as completed_at,
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,
        {{ to_utc_timestamp('coalesce(last_modified_date, created_date)') }} as updated_at,
        {{ lineage_columns() }}

    from source

)

select * from renamed
