with

source as (

    select * from {{ source('salesforce', 'salesforce__lead') }}

),

-- Salesforce leads carry no MQL or SQL dates: only creation and conversion are known.
renamed as (

    select

        ---------- ids
        {{ to_string('id') }} as lead_id,
        {{ to_string('owner_id') }} as owner_id,
        {{ to_string('converted_account_id') }} as account_id,
        {{ to_string('converted_opportunity_id') }} as converted_deal_id,

        ---------- strings
        {{ to_string('lead_source') }} as lead_source,
        {{ to_string('status') }} as status,

        ---------- booleans
        coalesce({{ to_boolean('is_deleted') }}, false) as is_deleted,

        ---------- timestamps
        {{ to_utc_timestamp('created_date') }} as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as mql_at,
        cast(null as {{ dbt.type_timestamp() }}) as sql_at,
        cast(null as {{ dbt.type_timestamp() }}) as disqualified_at,
        {{ to_utc_timestamp('converted_date') }} as converted_at,
        {{ to_utc_timestamp('coalesce(last_modified_date, created_date)') }} as updated_at,

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
