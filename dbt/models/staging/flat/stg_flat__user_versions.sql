with

source as (

    select * from {{ source('flat', 'flat__sales_teams') }}

),

-- Agents are known by name; the manager's name is the team's name, and the extract a
-- version arrived in is its updated_at (the export has none).
renamed as (

    select

        ---------- ids
        {{ cast_columns(to_string, {'user_id': 'sales_agent', 'manager_id': 'manager'}) }},

        ---------- strings
        {{ to_string('sales_agent') }} as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'rep' as role,
        {{ cast_columns(to_string, {'team': 'manager', 'region': 'regional_office'}) }},
        cast(null as {{ dbt.type_string() }}) as ote_currency,

        ---------- numerics
        cast(null as {{ dbt.type_numeric() }}) as ote_amount,

        ---------- booleans
        true as is_active,

        ---------- timestamps
        cast(null as {{ dbt.type_timestamp() }}) as hired_at,
        cast(_extract_date as {{ dbt.type_timestamp() }}) as updated_at,

        ---------- lineage
        {{ lineage_columns() }}

    from source

),

latest_deliveries as (

    {{ latest_version('renamed', ['user_id', 'updated_at'], id='user_version_id') }}

)

select * from latest_deliveries
