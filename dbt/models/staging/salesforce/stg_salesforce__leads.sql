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
        {{ cast_columns(to_string, ['lead_source', 'status']) }},

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
        {{ lineage_columns() }}

    from source

),

current_versions as (

    {{ latest_version('renamed', ['lead_id']) }}

)

select * from current_versions
