with

source as (

    select * from {{ source('flat', 'flat__accounts') }}

),

-- Accounts are known by name. The export has no CRM dates: an account's creation and
-- customer dates stay unknown (a customer dates from its first won deal, docs/metrics.md).
renamed as (

    select

        ---------- ids
        {{ to_string('account') }} as account_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,

        ---------- strings
        {{ to_string('account') }} as account_name,
        {{ to_string('sector') }} as industry,
        cast(null as {{ dbt.type_string() }}) as segment,
        {{ to_string('office_location') }} as country,

        ---------- booleans
        false as is_deleted,

        ---------- dates
        cast(null as date) as customer_since,

        ---------- timestamps
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as churned_at,
        cast(_extract_date as {{ dbt.type_timestamp() }}) as updated_at,

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
