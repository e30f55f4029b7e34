with

deals as (

    select * from {{ source('hubspot', 'hubspot__deal') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['deal_id', 'owner_id']) }},

        ---------- strings
        {{ to_string('property_dealname') }} as deal_name,
        {{ to_string('deal_pipeline_id') }} as source_pipeline,
        {{ to_string('deal_pipeline_stage_id') }} as source_stage,
        case lower({{ to_string('property_dealtype') }})
            when 'newbusiness' then 'new_business'
            when 'existingbusiness' then 'expansion'
            when 'renewal' then 'renewal'
        end as deal_type,
        coalesce(
            upper({{ to_string('property_deal_currency_code') }}), '{{ var("reporting_currency") }}'
        ) as currency,
        {{ to_string('property_closed_lost_reason') }} as lost_reason,
        {{ to_string('property_hs_next_step') }} as next_step,
        {{ to_string('property_hs_analytics_source') }} as lead_source,

        ---------- numerics
        {{ to_numeric('property_amount') }} as amount,
        {{ to_numeric('property_hs_deal_stage_probability') }} as deal_probability,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        cast({{ to_utc_timestamp('property_closedate') }} as date) as expected_close_date,

        ---------- timestamps
        {{ to_utc_timestamp('property_createdate') }} as created_at,
        {{ to_utc_timestamp(
            'coalesce(property_hs_lastmodifieddate, _fivetran_synced, '
            ~ 'cast(_extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from deals

),

latest_deliveries as (

    {{ latest_version('renamed', ['deal_id', 'updated_at'], id='deal_version_id') }}

)

select * from latest_deliveries
