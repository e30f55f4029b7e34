with

source as (

    select * from {{ source('flat', 'flat__sales_teams') }}

),

-- Agents are known by name; the manager's name is the team's name, and the extract a
-- version arrived in is its updated_at (the export has none).
renamed as (

    select

        ---------- ids
        {{ to_string('sales_agent') }} as user_id,
        {{ to_string('manager') }} as manager_id,

        ---------- strings
        {{ to_string('sales_agent') }} as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'rep' as role,
        {{ to_string('manager') }} as team,
        {{ to_string('regional_office') }} as region,
        cast(null as {{ dbt.type_string() }}) as ote_currency,

        ---------- numerics
        cast(null as {{ dbt.type_numeric() }}) as ote_amount,

        ---------- booleans
        true as is_active,

        ---------- timestamps
        cast(null as {{ dbt.type_timestamp() }}) as hired_at,
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
            partition by user_id, updated_at
            order by extract_date desc, loaded_at desc, source_row desc
        ) as delivery_rank

    from renamed

),

deduplicated as (

    select
        {{ hash_key(['user_id', 'updated_at']) }} as user_version_id,
        user_id,
        manager_id,
        full_name,
        email,
        role,
        team,
        region,
        ote_currency,
        ote_amount,
        is_active,
        hired_at,
        updated_at,
        extract_date,
        source_file,
        source_row,
        loaded_at

    from versions_ranked
    where delivery_rank = 1

)

select * from deduplicated
