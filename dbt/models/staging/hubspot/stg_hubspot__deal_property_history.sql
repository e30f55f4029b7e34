with

source as (

    select * from {{ source('hubspot', 'hubspot__deal_property_history') }}

),

-- HubSpot's property names onto the canonical fields; other properties are not tracked.
renamed as (

    select
        {{ to_string('deal_id') }} as deal_id,
        case {{ to_string('name') }}
            when 'dealstage' then 'stage'
            when 'amount' then 'amount'
            when 'closedate' then 'expected_close_date'
            when 'hs_deal_stage_probability' then 'probability'
            when 'hubspot_owner_id' then 'owner_id'
            when 'deal_currency_code' then 'currency'
        end as field,
        -- A close date is an ISO timestamp or, from older connector versions, epoch
        -- milliseconds (no '-'): both become the date's canonical YYYY-MM-DD.
        case
            when {{ to_string('name') }} <> 'closedate' then {{ to_string('value') }}
            when {{ to_string('value') }} like '%-%'
                then cast(
                    cast({{ to_utc_timestamp('value') }} as date) as {{ dbt.type_string() }}
                )
            else cast(
                cast(
                    {{ dbt.dateadd(
                        'day',
                        'cast(floor(' ~ to_numeric('value') ~ ' / 86400000) as '
                        ~ dbt.type_int() ~ ')',
                        "cast('1970-01-01' as date)",
                    ) }} as date
                ) as {{ dbt.type_string() }}
            )
        end as new_value,
        {{ to_utc_timestamp('timestamp') }} as changed_at,
        {{ lineage_columns() }}

    from source

)

select * from renamed
