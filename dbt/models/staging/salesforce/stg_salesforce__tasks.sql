with

source as (

    select * from {{ source('salesforce', 'salesforce__task') }}

),

-- Tasks are calls, emails and to-dos; WhatId and WhoId link a deal and a lead
-- (macros/salesforce_activity_links.sql).
renamed as (

    select
        {{ salesforce_activity_links() }},
        case lower(coalesce({{ to_string('task_subtype') }}, {{ to_string('type') }}))
            when 'call' then 'call'
            when 'email' then 'email'
            when 'listemail' then 'email'
            else 'task'
        end as activity_type,
        lower({{ to_string('call_type') }}) as direction,
        case
            when lower({{ to_string('status') }}) = 'completed' then 'completed'
            when lower({{ to_string('status') }}) = 'deferred' then 'cancelled'
            else 'scheduled'
        end as status,
        lower({{ to_string('call_disposition') }}) as outcome,
        cast(null as {{ dbt.type_string() }}) as meeting_type,
        {{ to_integer('call_duration_in_seconds') }} as duration_seconds,
        {{ to_utc_timestamp('activity_date') }} as scheduled_at,
        case
            when lower({{ to_string('status') }}) = 'completed'
                then {{ to_utc_timestamp('coalesce(activity_date, last_modified_date)') }}
        end as completed_at,
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,
        {{ to_utc_timestamp('coalesce(last_modified_date, created_date)') }} as updated_at,
        {{ lineage_columns() }}

    from source

)

select * from renamed
