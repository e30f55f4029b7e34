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
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

-- The current version is the latest by updated_at; deleted accounts stay, flagged.
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
