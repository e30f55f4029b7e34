with

source as (

    select * from {{ source('canonical', 'leads') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('lead_id') }} as lead_id,
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('account_id') }} as account_id,
        {{ to_string('converted_deal_id') }} as converted_deal_id,

        ---------- strings
        {{ to_string('source') }} as lead_source,
        {{ to_string('status') }} as status,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- timestamps
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('mql_at') }} as mql_at,
        {{ to_utc_timestamp('sql_at') }} as sql_at,
        {{ to_utc_timestamp('disqualified_at') }} as disqualified_at,
        {{ to_utc_timestamp('converted_at') }} as converted_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- The current version is the latest by updated_at; deleted leads stay, flagged.
current_versions as (

    {{ latest_version('renamed', ['lead_id']) }}

)

select * from current_versions
