with

source as (

    select * from {{ source('canonical', 'leads') }}

),

renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, ['lead_id', 'owner_id', 'account_id', 'converted_deal_id']) }},

        ---------- strings
        {{ cast_columns(to_string, {'lead_source': 'source', 'status': 'status'}) }},

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- timestamps
        {{ cast_columns(to_utc_timestamp, [
            'created_at', 'mql_at', 'sql_at', 'disqualified_at', 'converted_at', 'updated_at',
        ]) }},

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

-- The current version is the latest by updated_at; deleted leads stay, flagged.
current_versions as (

    {{ latest_version('renamed', ['lead_id']) }}

)

select * from current_versions
