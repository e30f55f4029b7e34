with

source as (

    select * from {{ source('salesforce', 'salesforce__account') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as account_id,
        {{ to_string('owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('name') }} as account_name,
        {{ to_string('industry') }} as industry,
        -- Salesforce's account Type (Prospect, Customer - Direct, ...) is the segment.
        {{ to_string('type') }} as segment,
        {{ to_string('billing_country') }} as country,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        cast(null as date) as customer_since,

        ---------- timestamps
        {{ to_utc_timestamp('created_date') }} as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as churned_at,
        {{ to_utc_timestamp(
            'coalesce(last_modified_date, _fivetran_synced, '
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
