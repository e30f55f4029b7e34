with

source as (

    select * from {{ source('salesforce', 'salesforce__account') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, {'account_id': 'id', 'owner_id': 'owner_id'}) }},

        ---------- strings
        {{ cast_columns(to_string, {'account_name': 'name', 'industry': 'industry'}) }},
        -- Salesforce's account Type (Prospect, Customer - Direct, ...) is the segment.
        {{ cast_columns(to_string, {'segment': 'type', 'country': 'billing_country'}) }},

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
