with

source as (

    select * from {{ source('canonical', 'users') }}

),

renamed as (

    select

        ---------- ids
        {{ to_string('user_id') }} as user_id,
        {{ to_string('manager_id') }} as manager_id,

        ---------- strings
        {{ to_string('full_name') }} as full_name,
        {{ to_string('email') }} as email,
        -- `role` is a keyword in some dialects, but it is the contract's column name.
        {{ to_string('role') }} as role,
        {{ to_string('team') }} as team,
        {{ to_string('region') }} as region,
        {{ to_string('ote_currency') }} as ote_currency,

        ---------- numerics
        {{ to_numeric('ote_amount') }} as ote_amount,

        ---------- booleans
        {{ to_boolean('is_active') }} as is_active,

        ---------- timestamps
        {{ to_utc_timestamp('hired_at') }} as hired_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        ---------- lineage
        _extract_date as extract_date,
        _source_file as source_file,
        _source_row as source_row,
        _loaded_at as loaded_at

    from source

),

-- The same version (user_id, updated_at) can arrive again in a later extract, written
-- differently or corrected: the latest delivery of it wins.
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
