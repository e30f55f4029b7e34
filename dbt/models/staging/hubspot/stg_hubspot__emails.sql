with

source as (

    select * from {{ source('hubspot', 'hubspot__engagement_email') }}

),

-- Emails: sent ones are outbound touches, received ones inbound; a bounce is the outcome.
renamed as (

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
        {{ lineage_columns() }}

    from source

)

select * from renamed
