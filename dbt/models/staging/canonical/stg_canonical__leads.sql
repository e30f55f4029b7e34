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
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

-- The current version is the latest by updated_at; deleted leads stay, flagged.
versions_ranked as (

    select
        renamed.*,
        row_number() over (
            partition by lead_id
            order by updated_at desc, extract_date desc, loaded_at desc, source_row desc
        ) as recency_rank

    from renamed

),

current_versions as (

    select
        lead_id,
        owner_id,
        account_id,
        converted_deal_id,
        lead_source,
        status,
        is_deleted,
        created_at,
        mql_at,
        sql_at,
        disqualified_at,
        converted_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where recency_rank = 1

)

select * from current_versions
