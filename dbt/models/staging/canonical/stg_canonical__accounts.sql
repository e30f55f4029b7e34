with

source as (

    select * from {{ source('canonical', 'accounts') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['account_id', 'owner_id']) }},

        ---------- strings
        {{ cast_columns(to_string, ['account_name', 'industry', 'segment', 'country']) }},

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- dates
        {{ to_date('customer_since') }} as customer_since,

        ---------- timestamps
        {{ cast_columns(to_utc_timestamp, ['created_at', 'churned_at', 'updated_at']) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- The current version is the latest by updated_at; deleted accounts stay, flagged.
current_versions as (

    {{ latest_version('renamed', ['account_id']) }}

)

select * from current_versions
