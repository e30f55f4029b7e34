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
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

versions_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by account_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from renamed

),

current_versions as (

    select
        account_id,
        owner_id,
        account_name,
        industry,
        segment,
        country,
        is_deleted,
        customer_since,
        created_at,
        churned_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
