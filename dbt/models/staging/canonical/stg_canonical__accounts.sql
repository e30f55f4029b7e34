with

source as (

    select * from {{ source('canonical', 'accounts') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('account_id') }} as account_id,
        {{ to_string('owner_id') }} as owner_id,

        ---------- strings
        {{ to_string('account_name') }} as account_name,
        {{ to_string('industry') }} as industry,
        {{ to_string('segment') }} as segment,
        {{ to_string('country') }} as country,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        {{ to_date('customer_since') }} as customer_since,

        ---------- timestamps
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('churned_at') }} as churned_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- The current version is the latest by updated_at; deleted accounts stay, flagged.
current_versions as (

    {{ latest_version('renamed', ['account_id']) }}

)

select * from current_versions
