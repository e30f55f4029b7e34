with

source as (

    select * from {{ source('hubspot', 'hubspot__company') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as account_id,
        {{ to_string('property_hubspot_owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('property_name') }} as account_name,
        {{ to_string('property_industry') }} as industry,
        -- HubSpot's lifecycle stage (lead, opportunity, customer, ...) is the segment.
        {{ to_string('property_lifecyclestage') }} as segment,
        {{ to_string('property_country') }} as country,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        cast(null as date) as customer_since,

        ---------- timestamps
        {{ to_utc_timestamp('property_createdate') }} as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as churned_at,
        {{ to_utc_timestamp(
            'coalesce(property_hs_lastmodifieddate, _fivetran_synced, '
            ~ 'cast(_extract_date as ' ~ dbt.type_string() ~ '))'
        ) }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

current_versions as (

    {{ latest_version('renamed', ['account_id']) }}

)

select * from current_versions
