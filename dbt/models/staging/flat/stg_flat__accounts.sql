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
        {{ cast_columns(to_string, {'account_name': 'account', 'industry': 'sector'}) }},
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
        {{ lineage_columns() }}

    from source

),

current_versions as (

    {{ latest_version('renamed', ['account_id']) }}

)

select * from current_versions
